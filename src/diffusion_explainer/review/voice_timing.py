"""When each line's voice starts, measured in the audio, against when its subtitle appears.

Onsets are the rises of energy after silence (narration.onsets, measured in review.audio); a line's voice is the onset
nearest its subtitle within `SEARCH_S`. A pause inside a line gives onsets of its own, so
subtitles are matched to onsets, not onsets to subtitles one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .record import ReviewRecord

# How far a voice may be from its subtitle before a viewer notices: ITU-R BT.1359's detectability
# thresholds for sound against picture, 45 ms with the sound early and 125 ms with it late.
VOICE_EARLY_S = 0.045
VOICE_LATE_S = 0.125
SEARCH_S = 1.0  # farther than this, the nearest onset belongs to another line


@dataclass(frozen=True)
class VoiceOnset:
    scene_id: str
    line_id: str
    subtitle_s: float  # the line's first page appears
    voice_s: float | None  # the voice starts (None: no onset within SEARCH_S)
    offset_ms: float | None  # voice minus subtitle: positive = the voice comes late

    @property
    def flagged(self) -> bool:
        return self.offset_ms is None or not -VOICE_EARLY_S * 1000 <= self.offset_ms <= VOICE_LATE_S * 1000


def voice_onsets(record: ReviewRecord, onsets: Sequence[float]) -> list[VoiceOnset]:
    """Each line's voice: the onset (seconds, from narration.onsets) nearest its subtitle."""
    found = []
    for line in record.lines:
        subtitle_s = line.start_ms / 1000
        nearest = min(onsets, key=lambda t: abs(t - subtitle_s), default=None)
        if nearest is None or abs(nearest - subtitle_s) > SEARCH_S:
            found.append(VoiceOnset(line.scene_id, line.line_id, subtitle_s, None, None))
        else:
            found.append(VoiceOnset(line.scene_id, line.line_id, subtitle_s, round(nearest, 3),
                                    round((nearest - subtitle_s) * 1000, 1)))
    return found
