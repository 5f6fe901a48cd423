"""What a scene's video depends on, as hashes, and the manifest that remembers them.

A scene is rendered again only when one of its inputs changed:
- screenplay: its own scene (title, timing, lines, cues) and what every scene shares (title,
  characters, style) — YAML line numbers are left out, so an edit in scene 2 does not touch
  scene 3;
- timing: its timeline in frames, which follows the narration's measured lengths;
- scene file: scenes/<scene_id>.py;
- package code: the package the scenes import (the render, narration, sound and review packages
  and the command line excepted: narration reaches a scene's pixels only through its timing, the
  music and effects and the review page never do), plus any helper module in scenes/;
- engine artefacts: the trained models in the engine's cache;
- toolchain: the render settings, Manim and PyAV versions and the font files.
The narration audio is not a scene input: it is muxed in when the scenes are joined, so a
re-synthesised line of unchanged length rebuilds the joined file without re-rendering a scene.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..core import runtime
from ..core.files import write_text
from ..core.settings import ENCODER_OPTIONS, MANIM_FLAGS, RenderSettings
from ..screenplay import Cue, Screenplay
from ..timing.timeline import SceneTimeline

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Parts of the package that cannot change a scene's pixels (see the module docstring).
NOT_SCENE_CODE = ("render", "narration", "sound", "review", "cli.py", "__main__.py")


def _digest(value) -> str:
    data = value if isinstance(value, bytes) else json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()[:20]


def _files_digest(files: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:20]


# --- the parts ---------------------------------------------------------------------------------


def screenplay_part(screenplay: Screenplay, scene_id: str) -> dict:
    scene = screenplay.scene(scene_id)
    beats = [
        {"cue": b.id, "animation": b.animation} if isinstance(b, Cue)
        else {"line": b.id, "speaker": b.speaker, "text": b.text, "say": b.say}
        for b in scene.beats
    ]
    return dict(screenplay_frame_part(screenplay, scene_id), beats=beats)


def screenplay_frame_part(screenplay: Screenplay, scene_id: str) -> dict:
    """What of the screenplay every frame of a scene may show, whatever its lines say: the video's
    title, the characters, the style, the scene's own heading and timing."""
    scene = screenplay.scene(scene_id)
    return {
        "video": [screenplay.title, screenplay.subtitle, screenplay.duration_s],
        "characters": [[c.name, c.role, c.color, c.voice] for c in screenplay.characters],
        "style": [screenplay.style.font, screenplay.style.subtitle_size, screenplay.style.background],
        "scene": [scene.id, scene.number, scene.title, scene.heading, scene.start_s, scene.duration_s],
    }


# The parts of a scene's inputs that a chunk's frames depend on in any case (its lines and cues
# count only as far as the chunk's run reads them: chunks.py).
CHUNK_PARTS = ("scene file", "package code", "engine artefacts", "toolchain")


def chunk_shared_digest(inputs: SceneInputs, screenplay: Screenplay) -> str:
    return _digest([[name, inputs.parts[name]] for name in CHUNK_PARTS]
                   + [screenplay_frame_part(screenplay, inputs.scene_id)])


def timing_part(timeline: SceneTimeline) -> dict:
    return {
        "fps": timeline.fps,
        "frames": timeline.total_frames,
        "speed": timeline.speed,
        "lines": [[t.line.id, t.speech.start, t.speech.end, t.shown.start, t.shown.end,
                   [[p.text, p.span.start, p.span.end] for p in t.pages]] for t in timeline.lines],
        "cues": [[c.cue.id, c.span.start, c.span.end] for c in timeline.cues],
    }


def package_code_digest(package_dir: Path = PACKAGE_DIR, scenes_dir: Path = runtime.SCENES_DIR,
                        scene_ids: frozenset[str] = frozenset()) -> str:
    files = [p for p in package_dir.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
             and p.relative_to(package_dir).parts[0] not in NOT_SCENE_CODE]
    helpers = [p for p in scenes_dir.rglob("*.py")
               if "__pycache__" not in p.parts and p.stem not in scene_ids]
    return _digest([_files_digest(files, package_dir), _files_digest(helpers, scenes_dir)])


def engine_artefacts_digest() -> str:
    """The trained models' files (weights, data, meta), wherever the engine keeps them."""
    try:
        from ..engine.artefacts import cache_root
    except ImportError:
        return "no engine"
    root = cache_root()
    if not root.is_dir():
        return "none"
    files = [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock")
             and not any(part.startswith(".tmp") for part in p.relative_to(root).parts)]
    return _files_digest(files, root)


def toolchain_digest(settings: RenderSettings, fonts: list[str]) -> str:
    from ..core.fonts import font_file

    font_files = []
    for family in fonts:
        path, index = font_file(family)
        stat = Path(path).stat()
        font_files.append([family, path, index, stat.st_size])
    versions = {name: _version(name) for name in ("manim", "av", "manimpango", "pycairo")}
    return _digest({
        "size": [settings.width, settings.height, settings.fps],
        "silent": settings.silent,
        "manim_flags": list(MANIM_FLAGS),
        "encoder": ENCODER_OPTIONS,
        "versions": versions,
        "fonts": font_files,
    })


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


# --- one scene's inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedInputs:
    """The parts every scene has in common, computed once per run."""

    package_code: str
    engine_artefacts: str
    toolchain: str


@dataclass(frozen=True)
class SceneInputs:
    scene_id: str
    parts: dict[str, str] = field(hash=False)

    @property
    def digest(self) -> str:
        return _digest(self.parts)

    def changed_since(self, recorded: dict | None) -> list[str]:
        """The names of the parts that differ from a manifest entry (all of them if none)."""
        if not recorded:
            return ["never rendered"]
        old = recorded.get("parts", {})
        return [name for name, value in self.parts.items() if old.get(name) != value] or (
            ["manifest"] if recorded.get("inputs") != self.digest else [])


def scene_inputs(screenplay: Screenplay, timeline: SceneTimeline, scene_file: Path, shared: SharedInputs) -> SceneInputs:
    scene_id = timeline.scene_id
    parts = {
        "screenplay": _digest(screenplay_part(screenplay, scene_id)),
        "timing": _digest(timing_part(timeline)),
        "scene file": _digest(scene_file.read_bytes()) if scene_file.exists() else "missing",
        "package code": shared.package_code,
        "engine artefacts": shared.engine_artefacts,
        "toolchain": shared.toolchain,
    }
    return SceneInputs(scene_id, parts)


# --- the manifest ---------------------------------------------------------------------------------


class Manifest:
    """A JSON file of entries by name, rewritten atomically on every change (thread-safe)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def get(self, name: str) -> dict | None:
        return self.entries.get(name)

    def record(self, name: str, entry: dict) -> None:
        with self._lock:
            self.entries[name] = entry
            write_text(self.path, json.dumps(self.entries, ensure_ascii=False, indent=1, sort_keys=True))

    def forget(self, name: str) -> None:
        with self._lock:
            if self.entries.pop(name, None) is not None:
                write_text(self.path, json.dumps(self.entries, ensure_ascii=False, indent=1, sort_keys=True))
