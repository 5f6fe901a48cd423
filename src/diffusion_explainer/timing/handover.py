"""What passes between the render and a scene process: the plan handed over, the report handed back.

The render plans every scene once (speech, timeline in frames) and hands a scene process a
`HandOver`: the screenplay's own text, the video's language (its speech, subtitle pages and
on-screen texts), the timeline, the frame size, whether to add the narration to the scene's file,
and which frames to draw (a chunk). The scene reads it instead of planning
again, so the two can never disagree, and the file is all a worker on another machine needs (with
the scene file and the package). A scene run alone (`manim -pql scenes/s03_forward.py`) finds no
plan file and plans for itself.

The scene process answers with a `SceneReport`: each Manim call it made (`CallRecord`), what of
the timeline its story read and when (`Read`), the states it saved at cue starts, the sound
effects it marked. render/chunks.py turns it into chunks and their keys.

Both travel as JSON with a format number (FORMAT), written and read only here: a process of
another version of this code is refused with a message that says so, never misread.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..core import runtime
from ..core.errors import RenderError
from ..core.files import write_text
from ..screenplay import Cue, Line, Screenplay, parse_screenplay
from .scene_plan import ScenePlan, fitter_for
from .sound_marks import SoundEvent
from .timeline import CueTiming, LineTiming, PageTiming, SceneTimeline, Span

FORMAT = 4  # of both files; a change to what either holds changes it


class HandOverError(RenderError):
    """A plan or report file this code cannot read (another format, or not one at all)."""


@dataclass(frozen=True)
class FrameRange:
    """The frames a chunk draws: the calls (plays and waits) that start in [start, end)."""

    start: int
    end: int


@dataclass(frozen=True)
class Read:
    """Something of the timeline the story read (render/chunks.py read_values lists the kinds)."""

    what: str  # "cue_start", "line_at", ...
    ident: str  # the cue's or line's id ("" for the scene's end)
    frame: int  # the scene's frame when it was read
    bound: str | float | None = None  # the argument: a frame, a phrase, a fraction

    @property
    def question(self) -> tuple:
        """What was read, whenever it was: (what, ident, bound)."""
        return (self.what, self.ident, self.bound)


@dataclass(frozen=True)
class Resume:
    """Start the story at a cue, from the state a job saved there (scene/saved_state.py)."""

    cue: int  # the cue's index in the scene
    frame: int  # where it starts
    state: Path
    reads: tuple[Read, ...]  # what the story had read before it (render/chunks.py keys chunks by these too)


@dataclass(frozen=True)
class HandOver:
    """The plan a scene process draws from."""

    plan: ScenePlan
    width: int
    height: int
    sound: bool = False  # add the narration to the scene's own file (a render muxes one soundtrack instead)
    draw: FrameRange | None = None  # None: the whole scene
    report: Path | None = None  # where the scene writes its SceneReport
    resume: Resume | None = None
    save_states: Path | None = None  # a folder to save the state at each cue start it passes
    layout: Path | None = None  # layout mode: where to write the stage's boxes at each settled moment (checks/layout.py)

    def to_json(self) -> str:
        plan, resume = (self.plan.mixed() if self.sound else self.plan), self.resume  # (a scene that plays its track)
        return json.dumps({
            "format": FORMAT,
            "screenplay": {"path": plan.screenplay.path, "text": plan.screenplay.source},
            "scene_id": plan.scene.id,
            "language": plan.language,
            "frame": {"width": self.width, "height": self.height},
            "timeline": timeline_to_json(plan.timeline),
            "audio": _text(plan.audio),
            "sound": self.sound,
            "draw": [self.draw.start, self.draw.end] if self.draw else None,
            "report": _text(self.report),
            "resume": {"cue": resume.cue, "frame": resume.frame, "state": str(resume.state),
                       "reads": [_read_json(r) for r in resume.reads]} if resume else None,
            "save_states": _text(self.save_states),
            "layout": _text(self.layout),
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, where: str = "a scene's plan") -> HandOver:
        data = _checked(text, where, "plan")
        screenplay = parse_screenplay(data["screenplay"]["text"], data["screenplay"]["path"])
        width, height = data["frame"]["width"], data["frame"]["height"]
        timeline = timeline_from_json(data["timeline"], screenplay)
        plan = ScenePlan(screenplay, screenplay.scene(data["scene_id"]), timeline, _path(data["audio"]),
                         fitter_for(screenplay, width / height, data["language"]), data["language"])
        resume = data["resume"]
        return cls(plan, width, height, data["sound"], FrameRange(*data["draw"]) if data["draw"] else None,
                   _path(data["report"]),
                   Resume(resume["cue"], resume["frame"], Path(resume["state"]),
                          tuple(_read_from_json(r) for r in resume["reads"])) if resume else None,
                   _path(data["save_states"]), _path(data["layout"]))

    def write(self, path: Path) -> Path:
        write_text(Path(path), self.to_json())
        return Path(path)

    @classmethod
    def read(cls, path: Path) -> HandOver:
        return cls.from_json(Path(path).read_text(encoding="utf-8"), str(path))

    @classmethod
    def from_environment(cls) -> HandOver | None:
        """The plan the render handed over (DIFFUSION_EXPLAINER_PLAN), or None for a scene run alone."""
        path = os.environ.get(runtime.PLAN_ENV)
        return cls.read(Path(path)) if path else None


# --- the report back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CallRecord:
    """One call (a play or a wait) of the scene's story."""

    first: int  # its first frame in the scene
    frames: int
    drawn: bool  # drawn, or run through without drawing (before the chunk)
    play: int | None  # Manim's number of the play, which names its movie file; None: not handed to Manim
    cpu_s: float  # CPU seconds it took (render/chunks.py cost_ranges cuts chunks by them)


@dataclass(frozen=True)
class SavedStateFile:
    """A state the story saved where a cue starts (scene/saved_state.py)."""

    cue: int  # the cue's index in the scene
    frame: int
    file: str  # its name in the plan's save_states folder


@dataclass(frozen=True)
class SceneReport:
    """What a scene process drew, read, saved and marked."""

    scene_id: str
    total_frames: int
    draw: FrameRange
    stopped_at: int  # the frame the story stopped at (the chunk's end, or the scene's)
    calls: tuple[CallRecord, ...]
    reads: tuple[Read, ...]
    states: tuple[SavedStateFile, ...] = ()
    sounds: tuple[SoundEvent, ...] = ()  # at frames of the scene, so chunks drawn apart merge
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of the process at each stage (the bench)

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "scene_id": self.scene_id, "total_frames": self.total_frames,
            "draw": [self.draw.start, self.draw.end], "stopped_at": self.stopped_at,
            "calls": [[c.first, c.frames, c.drawn, c.play, c.cpu_s] for c in self.calls],
            "reads": [_read_json(r) for r in self.reads],
            "states": [[s.cue, s.frame, s.file] for s in self.states],
            "sounds": [[e.frame, e.name] for e in self.sounds],
            "cpu": self.cpu,
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, where: str = "a scene's report") -> SceneReport:
        data = _checked(text, where, "report")
        return cls(data["scene_id"], data["total_frames"], FrameRange(*data["draw"]), data["stopped_at"],
                   tuple(CallRecord(*c) for c in data["calls"]), tuple(_read_from_json(r) for r in data["reads"]),
                   tuple(SavedStateFile(*s) for s in data["states"]),
                   tuple(SoundEvent(frame, name) for frame, name in data["sounds"]), data["cpu"])

    def write(self, path: Path) -> None:
        write_text(Path(path), self.to_json())

    @classmethod
    def read(cls, path: Path) -> SceneReport:
        return cls.from_json(Path(path).read_text(encoding="utf-8"), str(path))


# --- the timeline as JSON ----------------------------------------------------------------------


def timeline_to_json(timeline: SceneTimeline) -> dict:
    """The timeline as plain data, lines and cues by id (their text is the screenplay's)."""
    return {
        "scene_id": timeline.scene_id, "fps": timeline.fps, "total_frames": timeline.total_frames,
        "speed": timeline.speed, "layout": timeline.layout,
        "lines": [line_timing_to_json(t) for t in timeline.lines],
        "cues": [{"id": c.cue.id, "span": [c.span.start, c.span.end]} for c in timeline.cues],
    }


def line_timing_to_json(timing: LineTiming) -> dict:
    return {"id": timing.line.id, "speech": [timing.speech.start, timing.speech.end],
            "shown": [timing.shown.start, timing.shown.end],
            "pages": [[p.text, p.span.start, p.span.end] for p in timing.pages]}


def timeline_from_json(data: dict, screenplay: Screenplay) -> SceneTimeline:
    """The timeline `timeline_to_json` wrote, with the screenplay's lines and cues (a KeyError if
    it names one the screenplay no longer has)."""
    scene = screenplay.scene(data["scene_id"])
    lines = {b.id: b for b in scene.beats if isinstance(b, Line)}
    cues = {b.id: b for b in scene.beats if isinstance(b, Cue)}
    return SceneTimeline(
        data["scene_id"], data["fps"], data["total_frames"], data["speed"],
        tuple(LineTiming(lines[t["id"]], Span(*t["speech"]), Span(*t["shown"]),
                         tuple(PageTiming(text, Span(a, b)) for text, a, b in t["pages"])) for t in data["lines"]),
        tuple(CueTiming(cues[c["id"]], Span(*c["span"])) for c in data["cues"]),
        layout=data["layout"],
    )


# --- helpers ---------------------------------------------------------------------------------------


def _checked(text: str, where: str, kind: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as e:
        raise HandOverError(f"{where}: not a scene {kind} file ({e})") from None
    found = data.get("format") if isinstance(data, dict) else None
    if found != FORMAT:
        raise HandOverError(f"{where}: a scene {kind} of format {found}, but this code reads format {FORMAT}: the "
                            f"render and the scene process run different versions of diffusion-explainer (on a "
                            f"cluster, install the same commit on every node)")
    return data


def _read_json(read: Read) -> list:
    return [read.what, read.ident, read.frame, read.bound]


def _read_from_json(value: list) -> Read:
    what, ident, frame, bound = value
    return Read(what, ident, frame, bound)


def _text(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _path(text: str | None) -> Path | None:
    return Path(text) if text is not None else None
