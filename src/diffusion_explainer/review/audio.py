"""The sound the report measures, read back from the rendered files.

Voice onsets are found in the narration stem (`narration.wav` beside the video) when the render
left one: under a music bed, the rise of energy at a line's start is the music's as much as the
voice's. Without a stem they come from the video's own soundtrack, which is then speech only.
Loudness is always the video's soundtrack: what a viewer hears.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from ..narration.audio_files import read_wav

NARRATION_STEM = "narration.wav"


@dataclass(frozen=True)
class Sound:
    samples: np.ndarray  # float32, (frames, channels), in [-1, 1]
    rate: int
    source: str  # what was read, for the report


def video_sound(video: Path) -> Sound:
    """The video's first audio stream, decoded (AAC) to float samples (none: no samples)."""
    with av.open(str(video)) as container:
        if not container.streams.audio:
            return Sound(np.zeros((0, 2), np.float32), 48000, f"{video.name} (no audio stream)")
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
        rate = stream.codec_context.sample_rate
    planar = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    return Sound(np.ascontiguousarray(planar.T, dtype=np.float32), rate, f"{video.name} (its soundtrack)")


def speech_sound(video: Path, duration_s: float) -> Sound:
    """The narration stem beside the video if there is one of the video's length (else it is
    left from another render), otherwise the video's soundtrack."""
    stem = video.parent / NARRATION_STEM
    if stem.exists():
        samples, rate = read_wav(stem)
        if abs(len(samples) / rate - duration_s) < 0.1:
            return Sound(samples.astype(np.float32), rate, f"{stem.name} (the narration stem)")
    return video_sound(video)
