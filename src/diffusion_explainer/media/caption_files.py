"""Captions (SRT and WebVTT) and YouTube chapters, from the screenplay and the real timeline.

A caption is a subtitle page exactly as the video shows it: it appears on the page's first frame
and goes on the frame its successor appears (the last page of a line stays up until the next
line, as on screen). Times are whole frames / fps plus the scene's start, in whole milliseconds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import srt
import webvtt

from ..screenplay import format_clock
from ..subtitles import plain_text
from ..subtitles.fitting import NAME_SEPARATOR
from ..timing.video_plan import VideoPlan

MIN_CHAPTER_S = 10  # YouTube ignores chapters shorter than this


@dataclass(frozen=True)
class CaptionCue:
    scene_id: str
    line_id: str
    speaker: str
    rows: tuple[str, ...]  # the page's rows, emphasis markers removed
    start_ms: int
    end_ms: int


def _ms(frame: int, fps: int) -> int:
    return (frame * 1000 * 2 + fps) // (2 * fps)  # round half up, in integers


def caption_cues(plan: VideoPlan) -> list[CaptionCue]:
    cues = []
    for scene_plan in plan.scenes:
        offset = plan.start_frame(scene_plan.scene.id)
        for timing in scene_plan.timeline.lines:
            for page in timing.pages:
                cues.append(CaptionCue(
                    scene_plan.scene.id, timing.line.id, timing.line.speaker,
                    tuple(plain_text(row) for row in page.text.split("\n")),
                    _ms(offset + page.span.start, plan.fps), _ms(offset + page.span.end, plan.fps),
                ))
    return cues


def srt_text(plan: VideoPlan) -> str:
    """SubRip, the speaker's name before the first row as the video shows it."""
    subtitles = [
        srt.Subtitle(index=i, start=datetime.timedelta(milliseconds=c.start_ms),
                     end=datetime.timedelta(milliseconds=c.end_ms),
                     content="\n".join((f"{c.speaker}{NAME_SEPARATOR}{c.rows[0]}",) + c.rows[1:]))
        for i, c in enumerate(caption_cues(plan), start=1)
    ]
    return srt.compose(subtitles, reindex=False)


def vtt_time(ms: int) -> str:
    """A WebVTT timestamp: `hh:mm:ss.mmm`."""
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def vtt_document(cues: Iterable[tuple[int, int, str]]) -> str:
    """A WebVTT file of (start ms, end ms, text) cues."""
    return webvtt.WebVTT(captions=[webvtt.Caption(start=vtt_time(start), end=vtt_time(end), text=text)
                                   for start, end, text in cues]).content


def vtt_text(plan: VideoPlan) -> str:
    """WebVTT, each cue in its speaker's voice: `<v シュウ>`."""
    return vtt_document((c.start_ms, c.end_ms, "\n".join((f"<v {c.speaker}>{c.rows[0]}",) + c.rows[1:]))
                        for c in caption_cues(plan))


def chapters_text(plan: VideoPlan) -> str:
    """YouTube chapter lines for the description: `0:00 タイトル`, one per scene.

    YouTube shows chapters only if there are at least 3, the first at 0:00, each at least 10 s
    long; a video whose scenes do not qualify gets a one-line note instead (a `#` line, so that
    nothing is pasted into a description by mistake)."""
    scenes = plan.screenplay.scenes
    short = [s.id for s in scenes if s.duration_s < MIN_CHAPTER_S]
    if len(scenes) < 3 or short:
        why = f"{len(scenes)} scenes" if len(scenes) < 3 else f"{', '.join(short)} shorter than {MIN_CHAPTER_S} s"
        return (f"# no YouTube chapters: they need at least 3 scenes of at least {MIN_CHAPTER_S} s each "
                f"(this video: {why})\n")
    return "".join(f"{format_clock(s.start_s)} {s.title}\n" for s in scenes)
