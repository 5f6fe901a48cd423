"""The page's extra WebVTT tracks: chapters (one cue per scene) and the audio description (one cue
per animation cue, its `animation:` text over the cue's span). The captions are the render's own
.vtt file."""

from __future__ import annotations

import webvtt

from .record import ReviewRecord


def vtt_time(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _vtt(cues: list[tuple[int, int, str]]) -> str:
    return webvtt.WebVTT(captions=[webvtt.Caption(start=vtt_time(a), end=vtt_time(b), text=text)
                                   for a, b, text in cues]).content


def chapters_vtt(record: ReviewRecord) -> str:
    return _vtt([(s.start_ms, s.end_ms, s.title) for s in record.scenes])


def descriptions_vtt(record: ReviewRecord) -> str:
    return _vtt([(c.start_ms, c.end_ms, c.animation) for c in record.cues])
