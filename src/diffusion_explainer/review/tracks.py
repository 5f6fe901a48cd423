"""The page's extra WebVTT tracks: chapters (one cue per scene) and the audio description (one cue
per animation cue, its `animation:` text over the cue's span). The captions are the render's own
.vtt file."""

from __future__ import annotations

from ..media.caption_files import vtt_document
from .record import ReviewRecord


def chapters_vtt(record: ReviewRecord) -> str:
    return vtt_document((s.start_ms, s.end_ms, s.title) for s in record.scenes)


def descriptions_vtt(record: ReviewRecord) -> str:
    return vtt_document((c.start_ms, c.end_ms, c.animation) for c in record.cues)
