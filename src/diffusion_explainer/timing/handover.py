"""A scene's plan, handed from the render to the process that draws it, as one JSON file.

The render plans every scene once (speech, timeline in frames) and writes what a scene process
needs into a file: the screenplay's own text, the timeline, the frame size and rate, whether to
add the narration to the scene's file, and which frames to draw (a chunk). The scene reads it
instead of planning again, so the two can never disagree, and the file is all a worker on
another machine needs (with the scene file and the package). A scene run alone (`manim -pql
scenes/s03_forward.py`) finds no plan file and plans for itself.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..core import runtime
from ..screenplay import Cue, Line, Screenplay, parse_screenplay
from .scene_plan import ScenePlan, fitter_for
from .timeline import CueTiming, LineTiming, PageTiming, SceneTimeline, Span

VERSION = 1


@dataclass(frozen=True)
class FrameRange:
    """The frames a chunk draws: the calls (plays and waits) that start in [start, end)."""

    start: int
    end: int


@dataclass(frozen=True)
class Resume:
    """Start the story at a cue, from the state a job saved there (scene/saved_state.py)."""

    cue: int  # the cue's index in the scene
    frame: int  # where it starts
    state: Path
    reads: tuple  # what the story had read before it (chunks.py keys chunks by these too)


@dataclass(frozen=True)
class HandOver:
    plan: ScenePlan
    width: int
    height: int
    sound: bool  # add the narration to the scene's own file (a render muxes one soundtrack instead)
    draw: FrameRange | None  # None: the whole scene
    report: Path | None  # where the scene writes what it drew and what it read (chunks.py)
    resume: Resume | None = None
    save_states: Path | None = None  # a folder to save the state at each cue start it passes


def timeline_to_json(timeline: SceneTimeline) -> dict:
    return {
        "scene_id": timeline.scene_id, "fps": timeline.fps, "total_frames": timeline.total_frames,
        "speed": timeline.speed, "layout": timeline.layout,
        "lines": [{"id": t.line.id, "speech": [t.speech.start, t.speech.end], "shown": [t.shown.start, t.shown.end],
                   "pages": [[p.text, p.span.start, p.span.end] for p in t.pages]} for t in timeline.lines],
        "cues": [{"id": c.cue.id, "span": [c.span.start, c.span.end]} for c in timeline.cues],
    }


def timeline_from_json(data: dict, screenplay: Screenplay) -> SceneTimeline:
    scene = screenplay.scene(data["scene_id"])
    lines = {b.id: b for b in scene.beats if isinstance(b, Line)}
    cues = {b.id: b for b in scene.beats if isinstance(b, Cue)}
    return SceneTimeline(
        data["scene_id"], data["fps"], data["total_frames"], data["speed"],
        tuple(LineTiming(lines[t["id"]], Span(*t["speech"]), Span(*t["shown"]),
                         tuple(PageTiming(text, Span(a, b)) for text, a, b in t["pages"])) for t in data["lines"]),
        tuple(CueTiming(cues[c["id"]], Span(*c["span"])) for c in data["cues"]),
        layout=data.get("layout", ""),
    )


def to_json(plan: ScenePlan, width: int, height: int, *, sound: bool = False, draw: FrameRange | None = None,
            report: Path | None = None, resume: Resume | None = None, save_states: Path | None = None) -> dict:
    screenplay = plan.screenplay
    return {
        "version": VERSION,
        "screenplay": {"path": screenplay.path, "text": screenplay.source},
        "scene_id": plan.scene.id,
        "frame": {"width": width, "height": height, "fps": plan.timeline.fps},
        "timeline": timeline_to_json(plan.timeline),
        "audio": str(plan.audio) if plan.audio else None,
        "sound": sound,
        "draw": [draw.start, draw.end] if draw else None,
        "report": str(report) if report else None,
        "resume": ({"cue": resume.cue, "frame": resume.frame, "state": str(resume.state), "reads": list(resume.reads)}
                   if resume else None),
        "save_states": str(save_states) if save_states else None,
    }


def write(path: Path, plan: ScenePlan, width: int, height: int, *, sound: bool = False,
          draw: FrameRange | None = None, report: Path | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = to_json(plan, width, height, sound=sound, draw=draw, report=report)
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read(path: Path) -> HandOver:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("version") != VERSION:
        raise ValueError(f"{path}: plan file version {data.get('version')}, this code reads {VERSION}")
    screenplay = parse_screenplay(data["screenplay"]["text"], data["screenplay"]["path"])
    scene = screenplay.scene(data["scene_id"])
    frame = data["frame"]
    timeline = timeline_from_json(data["timeline"], screenplay)
    fitter = fitter_for(screenplay, frame["width"] / frame["height"])
    plan = ScenePlan(screenplay, scene, timeline, Path(data["audio"]) if data["audio"] else None, fitter)
    draw = FrameRange(*data["draw"]) if data["draw"] else None
    resume = data.get("resume")
    return HandOver(plan, frame["width"], frame["height"], data["sound"], draw,
                    Path(data["report"]) if data["report"] else None,
                    Resume(resume["cue"], resume["frame"], Path(resume["state"]), tuple(map(tuple, resume["reads"])))
                    if resume else None,
                    Path(data["save_states"]) if data.get("save_states") else None)


def from_environment() -> HandOver | None:
    """The plan the render handed over (DIFFUSION_EXPLAINER_PLAN), or None for a scene run alone."""
    path = os.environ.get(runtime.PLAN_ENV)
    return read(Path(path)) if path else None
