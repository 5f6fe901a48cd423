"""Captions (SRT and WebVTT) and YouTube chapters, from the screenplay and the real timeline.

A Japanese caption is a subtitle page exactly as the video shows it: it appears on the page's
first frame and goes on the frame its successor appears (the last page of a line stays up until
the next line, as on screen). Times are whole frames / fps plus the scene's start, in whole
milliseconds.

The English video's captions are its own pages in the same way (the speaker by their English
name). The English captions of the Japanese video (`<name>.en.srt`, `.en.vtt`) translate each line
over the time its Japanese voice speaks: the line's English is broken into pages at word boundaries
(subtitles/english.py) of at most two rows of 42 characters with the speaker's name (the usual
limit of English subtitles), and the pages share the speech by their characters (a short page
as if it had MIN_PAGE_WEIGHT).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import srt
import webvtt

from ..core.settings import DEFAULT_LANGUAGE
from ..screenplay import format_clock
from ..subtitles import plain_text
from ..subtitles.english import paginate_english
from ..subtitles.fitting import NAME_SEPARATOR
from ..subtitles.language import scene_title, speaker_name
from ..timing.timeline import LineTiming, Span
from ..timing.video_plan import VideoPlan
from .join import SubtitleTrack

MIN_CHAPTER_S = 10  # YouTube ignores chapters shorter than this
ENGLISH_ROW_CHARACTERS = 42  # the usual limit of an English subtitle row (the speaker's name included)
# A page of a few characters still needs time to be seen: it shares the speech as if it had at
# least this many (at the median 13 characters per second of the video's English, about a second;
# 「Right.」 was 0.4 s by its characters alone).
MIN_PAGE_WEIGHT = 15


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
    """The video's own subtitle pages, in its language."""
    cues = []
    for scene_plan in plan.scenes:
        offset = plan.start_frame(scene_plan.scene.id)
        for timing in scene_plan.timeline.lines:
            speaker = speaker_name(plan.screenplay, timing.line.speaker, plan.settings.language)
            for page in timing.pages:
                cues.append(CaptionCue(
                    scene_plan.scene.id, timing.line.id, speaker,
                    tuple(plain_text(row) for row in page.text.split("\n")),
                    _ms(offset + page.span.start, plan.fps), _ms(offset + page.span.end, plan.fps),
                ))
    return cues


def english_pages(timing: LineTiming, speaker: str) -> list[tuple[tuple[str, ...], Span]]:
    """A translated line's English pages (rows, emphasis markers removed) and the frames of its
    speech each is shown for, shared by their characters; [] for a line without English."""
    if timing.line.en is None:
        return []
    room = ENGLISH_ROW_CHARACTERS - len(speaker + NAME_SEPARATOR)
    pages = [tuple(plain_text(row) for row in page.rows)
             for page in paginate_english(timing.line.en, lambda row: len(plain_text(row)) <= room)]
    weights = [max(MIN_PAGE_WEIGHT, len(" ".join(rows))) for rows in pages]
    speech, cuts, done = timing.speech, [timing.speech.start], 0
    for weight in weights:
        done += weight
        cuts.append(max(cuts[-1] + 1, speech.start + round(speech.frames * done / sum(weights))))
    cuts[-1] = max(cuts[-1], speech.end)
    return [(rows, Span(a, b)) for rows, a, b in zip(pages, cuts, cuts[1:])]


def english_caption_cues(plan: VideoPlan) -> list[CaptionCue]:
    """The English captions of the Japanese video: each translated line's pages over its speech,
    the speaker by their English name ([] for the English video: its own captions are English)."""
    if plan.settings.language != DEFAULT_LANGUAGE:
        return []
    names = {c.name: c.en_name or c.name for c in plan.screenplay.characters}
    cues = []
    for scene_plan in plan.scenes:
        offset = plan.start_frame(scene_plan.scene.id)
        for timing in scene_plan.timeline.lines:
            speaker = names[timing.line.speaker]
            cues += [CaptionCue(scene_plan.scene.id, timing.line.id, speaker, rows,
                                _ms(offset + span.start, plan.fps), _ms(offset + span.end, plan.fps))
                     for rows, span in english_pages(timing, speaker)]
    return cues


def srt_text(plan: VideoPlan) -> str:
    """SubRip, the speaker's name before the first row as the video shows it."""
    return srt_of(caption_cues(plan))


def english_srt_text(plan: VideoPlan) -> str:
    return srt_of(english_caption_cues(plan))


def srt_of(cues: Iterable[CaptionCue]) -> str:
    subtitles = [
        srt.Subtitle(index=i, start=datetime.timedelta(milliseconds=c.start_ms),
                     end=datetime.timedelta(milliseconds=c.end_ms),
                     content="\n".join((f"{c.speaker}{NAME_SEPARATOR}{c.rows[0]}",) + c.rows[1:]))
        for i, c in enumerate(cues, start=1)
    ]
    return srt.compose(subtitles, reindex=False)


def subtitle_tracks(plan: VideoPlan) -> list[SubtitleTrack]:
    """The MP4's soft subtitle tracks: the Japanese captions, and the English ones if the
    screenplay has any English (the English video: its own English captions); each caption as
    its SRT has it (the speaker's name first)."""
    if plan.settings.language == "en":
        return [SubtitleTrack("eng", "English", _track_events(caption_cues(plan)))]
    tracks = [SubtitleTrack("jpn", "Japanese", _track_events(caption_cues(plan)))]
    english = english_caption_cues(plan)
    return tracks + ([SubtitleTrack("eng", "English", _track_events(english))] if english else [])


def _track_events(cues: list[CaptionCue]) -> tuple[tuple[int, int, str], ...]:
    return tuple((c.start_ms, c.end_ms, "\n".join((f"{c.speaker}{NAME_SEPARATOR}{c.rows[0]}",) + c.rows[1:]))
                 for c in cues)


def vtt_time(ms: int) -> str:
    """A WebVTT timestamp: `hh:mm:ss.mmm`."""
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def vtt_document(cues: Iterable[tuple[int, int, str]]) -> str:
    """A WebVTT file of (start ms, end ms, text) cues."""
    return webvtt.WebVTT(captions=[webvtt.Caption(start=vtt_time(start), end=vtt_time(end), text=text)
                                   for start, end, text in cues]).content


def vtt_text(plan: VideoPlan) -> str:
    """WebVTT, each cue in its speaker's voice: `<v シュウ>`."""
    return vtt_of(caption_cues(plan))


def english_vtt_text(plan: VideoPlan) -> str:
    """The English WebVTT, each cue in its speaker's English voice: `<v Shu>`."""
    return vtt_of(english_caption_cues(plan))


def vtt_of(cues: Iterable[CaptionCue]) -> str:
    return vtt_document((c.start_ms, c.end_ms, "\n".join((f"<v {c.speaker}>{c.rows[0]}",) + c.rows[1:]))
                        for c in cues)


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
    return "".join(f"{format_clock(s.start_s)} {scene_title(s, plan.settings.language)}\n" for s in scenes)
