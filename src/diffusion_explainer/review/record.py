"""What the review page and the quality report need from a render's plan, written once beside the
video (`review/record.json`) so `verify` checks the files of the last render, not a new plan of a
screenplay that may have been edited since.

Times are in milliseconds of the joined video (whole frames / fps, as the captions round them)
and, where a frame must be found in the video, in frames too.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from ..core.settings import DEFAULT_LANGUAGE
from ..media.caption_files import english_pages
from ..subtitles import display_text, plain_text
from ..subtitles.language import cue_description, line_reading, line_text, scene_title, speaker_name, video_title
from ..timing.video_plan import VideoPlan


@dataclass(frozen=True)
class PageRecord:
    rows: tuple[str, ...]  # as the band shows them, emphasis markers removed
    start_frame: int  # in the joined video
    end_frame: int
    start_ms: int
    end_ms: int

    @property
    def middle_frame(self) -> int:
        return (self.start_frame + self.end_frame) // 2


@dataclass(frozen=True)
class LineRecord:
    scene_id: str
    line_id: str
    speaker: str  # as the subtitles name them (in the video's language)
    text: str  # the line as the subtitles show it
    start_ms: int  # its first page appears (and its voice is planned to start)
    end_ms: int  # the next line appears (or the scene ends)
    speech_end_ms: int  # its voice is planned to end
    pages: tuple[PageRecord, ...]
    en_speaker: str = ""  # the speaker's English name (the English captions' voice)
    en_pages: tuple[PageRecord, ...] = ()  # its English captions (over its speech); () while untranslated
    reading: str = ""  # what the voice was given to read: the `say:` reading, else the text ("": a record of before)


@dataclass(frozen=True)
class CueRecord:
    scene_id: str
    cue_id: str
    animation: str  # the screenplay's description: the audio-description track's text
    start_ms: int
    end_ms: int
    middle_frame: int  # the middle of the cue (the cue strip and the contact sheet show its settled picture: media/stills.py)


@dataclass(frozen=True)
class SceneRecord:
    scene_id: str
    number: int
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class ReviewRecord:
    title: str
    subtitle: str
    settings: str  # the render's size key: 1080p60, 256x144p10-silent, ...
    width: int
    height: int
    fps: int
    duration_s: int
    silent: bool
    subtitle_size: float  # text height / frame height: where the subtitle band is
    files: dict[str, str]  # the render's files, relative to the build folder: video, captions, chapters, ...
    characters: dict[str, str]  # name (as the subtitles show it) -> colour
    scenes: tuple[SceneRecord, ...]
    lines: tuple[LineRecord, ...]
    cues: tuple[CueRecord, ...]
    language: str = DEFAULT_LANGUAGE  # the video's: its title, scene titles, lines and names are in it

    @property
    def pages(self) -> list[tuple[LineRecord, PageRecord]]:
        return [(line, page) for line in self.lines for page in line.pages]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, path: Path) -> ReviewRecord:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            **{k: v for k, v in data.items() if k not in ("scenes", "lines", "cues")},
            scenes=tuple(SceneRecord(**s) for s in data["scenes"]),
            lines=tuple(LineRecord(**{**line, **{key: tuple(PageRecord(**{**p, "rows": tuple(p["rows"])})
                                                                for p in line.get(key, ()))
                                                 for key in ("pages", "en_pages")}})
                        for line in data["lines"]),
            cues=tuple(CueRecord(**c) for c in data["cues"]),
        )


def _ms(frame: int, fps: int) -> int:
    return (frame * 2000 + fps) // (2 * fps)  # round half up, as the captions do


def record_of(plan: VideoPlan, files: dict[str, str]) -> ReviewRecord:
    """The record of a render in its language (the English video: its English titles, lines and names;
    the Japanese video's English captions, `en_pages`, where the screenplay has English)."""
    fps, language, screenplay = plan.fps, plan.settings.language, plan.screenplay
    en_names = {c.name: c.en_name or c.name for c in screenplay.characters}
    names = {c.name: speaker_name(screenplay, c.name, language) for c in screenplay.characters}
    translated = language == DEFAULT_LANGUAGE  # the Japanese video has English captions beside its own
    lines, cues, scenes = [], [], []
    for scene_plan in plan.scenes:
        scene, offset = scene_plan.scene, plan.start_frame(scene_plan.scene.id)
        scenes.append(SceneRecord(scene.id, scene.number, scene_title(scene, language), scene.start_s * 1000,
                                  scene.end_s * 1000))
        for timing in scene_plan.timeline.lines:
            pages = tuple(
                PageRecord(tuple(plain_text(r) for r in p.text.split("\n")), offset + p.span.start, offset + p.span.end,
                           _ms(offset + p.span.start, fps), _ms(offset + p.span.end, fps))
                for p in timing.pages)
            line = timing.line
            en_speaker = en_names[line.speaker]
            en = tuple(PageRecord(rows, offset + span.start, offset + span.end, _ms(offset + span.start, fps),
                                  _ms(offset + span.end, fps))
                       for rows, span in (english_pages(timing, en_speaker) if translated else ()))
            lines.append(LineRecord(scene.id, line.id, names[line.speaker],
                                    plain_text(display_text(line_text(line, language))),
                                    _ms(offset + timing.shown.start, fps), _ms(offset + timing.shown.end, fps),
                                    _ms(offset + timing.speech.end, fps), pages, en_speaker, en,
                                    reading=line_reading(line, language)))
        for timing in scene_plan.timeline.cues:
            span = timing.span
            cues.append(CueRecord(scene.id, timing.cue.id, cue_description(timing.cue, language),
                                  _ms(offset + span.start, fps), _ms(offset + span.end, fps),
                                  offset + (span.start + span.end) // 2))
    title, subtitle = video_title(screenplay, language)
    return ReviewRecord(
        title, subtitle, plan.settings.key, plan.settings.width, plan.settings.height, fps,
        screenplay.duration_s, plan.settings.silent, screenplay.style.subtitle_size, files,
        {names[c.name]: c.color for c in screenplay.characters}, tuple(scenes), tuple(lines), tuple(cues), language)
