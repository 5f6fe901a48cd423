"""What a scene's video depends on, as hashes, and the manifest that remembers them.

A scene is rendered again only when one of its inputs changed:
- screenplay: its own scene (title, timing, lines, cues) and what every scene shares (title,
  characters, style) — YAML line numbers are left out, so an edit in scene 2 does not touch
  scene 3; in an English render, their English (`en:`) too, which a Japanese render leaves out
  (editing English never re-renders the Japanese video);
- timing: its timeline in frames, which follows the narration's measured lengths;
- scene file: scenes/<scene_id>.py, as code (cue_code.py: its module code and each cue method's,
  read from the syntax tree, so comments, formatting and the order of methods do not count);
- package code: the code a scene process runs (`scene_code_files`): every module of the scene
  package (the base class, the launcher around Manim, its encoder and caches) and of the scene
  files' imports, followed through their imports, with the data files beside them; plus any
  helper module in scenes/. The render, the review and the command line are not among them;
- engine artefacts: the trained models in the engine's cache;
- toolchain: the render settings, Manim and PyAV versions and the font files;
- catalogue (a render in another language than the scene files' Japanese): the translations of
  the on-screen texts, locale/<language>/LC_MESSAGES/scenes.po (visuals/catalogue.py).
The narration audio is not a scene input: it is muxed in when the scenes are joined, so a
re-synthesised line of unchanged length rebuilds the joined file without re-rendering a scene.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
import threading
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..core import keys, runtime
from ..core.files import file_stamps, write_text
from ..core.settings import DEFAULT_LANGUAGE, ENCODER_OPTIONS, MANIM_FLAGS, RenderSettings
from ..screenplay import Cue, Screenplay
from ..subtitles.language import ENGLISH
from ..timing.handover import timeline_to_json
from ..timing.timeline import SceneTimeline
from ..visuals.catalogue import LOCALE_DIR, SOURCE_LANGUAGE, catalogue_path
from .chunks import ChunkBasis
from .cue_code import SceneCode, outside_names, scene_code

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE = __name__.split(".")[0]
SCENE_PACKAGE = "scene"  # the package whose modules run in every scene process (scene/__init__.py)


# --- the parts ---------------------------------------------------------------------------------


def screenplay_part(screenplay: Screenplay, scene_id: str, language: str = DEFAULT_LANGUAGE) -> dict:
    scene = screenplay.scene(scene_id)
    beats = [
        {"cue": b.id, "animation": b.animation} if isinstance(b, Cue)
        else {"line": b.id, "speaker": b.speaker, "text": b.text, "say": b.say}
        for b in scene.beats
    ]
    if language == ENGLISH:
        beats = [dict(beat, en=english_fields(b)) for beat, b in zip(beats, scene.beats)]
    return dict(screenplay_frame_part(screenplay, scene_id, language), beats=beats)


def screenplay_frame_part(screenplay: Screenplay, scene_id: str, language: str = DEFAULT_LANGUAGE) -> dict:
    """What of the screenplay every frame of a scene may show, whatever its lines say: the video's
    title, the characters, the style, the scene's own heading and timing; in English, their
    English too (the Japanese stays: it is shown where there is no English)."""
    scene = screenplay.scene(scene_id)
    part = {
        "video": [screenplay.title, screenplay.subtitle, screenplay.duration_s],
        "characters": [[c.name, c.role, c.color, c.voice] for c in screenplay.characters],
        "style": screenplay.style,
        "scene": [scene.id, scene.number, scene.title, scene.heading, scene.start_s, scene.duration_s],
    }
    if language == ENGLISH:
        part["en"] = {"video": english_fields(screenplay), "scene": english_fields(scene),
                      "characters": [english_fields(c) for c in screenplay.characters]}
    return part


def english_fields(item) -> dict:
    """The English of a screenplay object: its fields named `en` or `en_...` (screenplay/model.py),
    so a new one keys the English render unlisted; YAML line numbers left out."""
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)
            if (f.name == "en" or f.name.startswith("en_")) and not f.name.endswith("source_line")}


# The parts of a scene's inputs that a chunk's frames depend on only as far as the chunk's run used
# them (its lines and cues, the methods of the cues it ran: chunks.py); every other part keys every
# chunk.
READ_PARTS = ("screenplay", "timing", "scene file")


def chunk_shared_digest(inputs: SceneInputs, screenplay: Screenplay) -> str:
    """What every chunk of the scene depends on: the parts but READ_PARTS, what every frame shows
    of the screenplay, and the scene file's module code (all of the file if it was not read as code)."""
    scene_file = inputs.code.module if inputs.code is not None else inputs.parts.get("scene file")
    return keys.digest([{name: value for name, value in inputs.parts.items() if name not in READ_PARTS},
                        screenplay_frame_part(screenplay, inputs.scene_id, inputs.language), scene_file])


def chunk_basis(inputs: SceneInputs, screenplay: Screenplay) -> ChunkBasis:
    return ChunkBasis(chunk_shared_digest(inputs, screenplay), dict(inputs.code.cues) if inputs.code else {},
                      inputs.language)


def timing_part(timeline: SceneTimeline) -> dict:
    """The timeline's frames: all of it but `layout`, which says how it was laid out (afresh, or
    keeping the last render's starts), not where anything is."""
    data = timeline_to_json(timeline)
    data.pop("layout")
    return data


def catalogue_digest(language: str, locale_dir: Path | None = None) -> str:
    """The translations of the on-screen texts into `language` (its .po file in `locale_dir`, the
    package's by default; "none" without one): not part of the package code, so that editing one
    redraws only that language's scenes."""
    path = catalogue_path(language, locale_dir or LOCALE_DIR)
    return keys.digest(path.read_bytes()) if path.is_file() else "none"


def package_code_digest(package_dir: Path = PACKAGE_DIR, scenes_dir: Path = runtime.SCENES_DIR,
                        scene_ids: frozenset[str] = frozenset()) -> str:
    """The code a scene process runs (scene_code_files), and the helper modules in `scenes_dir`
    (the scene files themselves, `scene_ids`, are each their own scene's part)."""
    helpers = [p for p in _python_files(scenes_dir) if p.stem not in scene_ids]
    return keys.digest([keys.files_digest(scene_code_files(package_dir, scenes_dir), package_dir),
                        keys.files_digest(helpers, scenes_dir)])


def scene_code_files(package_dir: Path = PACKAGE_DIR, scenes_dir: Path = runtime.SCENES_DIR) -> list[Path]:
    """The package's files a scene process may run: the modules of the scene package and those the
    scene files import, and every module they import in turn (read from the source, imports
    inside functions included; a package's `__init__` with each of its modules), plus the
    files other than Python beside those modules (data they may read). Found again only when a
    Python file of the package or the scene folder changed (its size or time; the studio asks at
    every edit, and parsing them takes 0.2 s)."""
    modules = _scene_modules(package_dir, scenes_dir, file_stamps(_python_files(package_dir) + _python_files(scenes_dir)))
    folders = {path.parent for path in modules}
    data = [p for folder in folders for p in folder.iterdir()
            if p.is_file() and p.suffix not in (".py", ".pyc") and not p.name.startswith(".")]
    return sorted(set(modules) | set(data))


@functools.lru_cache(maxsize=4)
def _scene_modules(package_dir: Path, scenes_dir: Path, stamps: tuple) -> tuple[Path, ...]:
    """The modules' files of scene_code_files (`stamps`: what they were found from)."""
    roots = [_module_name(p, package_dir) for p in _python_files(package_dir / SCENE_PACKAGE)]
    for path in _python_files(scenes_dir):
        roots += _imports(path, None)
    modules: dict[str, Path] = {}
    while roots:
        parts = roots.pop().split(".")
        for k in range(1, len(parts) + 1):  # importing a.b.c runs a, a.b and a.b.c
            name = ".".join(parts[:k])
            path = None if name in modules else _module_file(name, package_dir)
            if path is not None:
                modules[name] = path
                roots += _imports(path, name)
    return tuple(sorted(modules.values()))


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts) if folder.is_dir() else []


def _module_name(path: Path, package_dir: Path) -> str:
    parts = [PACKAGE, *path.relative_to(package_dir).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_file(name: str, package_dir: Path) -> Path | None:
    """The file of a module of the package (a.b: a/b.py or a/b/__init__.py), None for any other."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = package_dir.joinpath(*parts[1:])
    for path in ([base.with_suffix(".py")] if len(parts) > 1 else []) + [base / "__init__.py"]:
        if path.is_file():
            return path
    return None


def _imports(path: Path, module: str | None) -> list[str]:
    """The modules a file imports, absolute (`from .x import y` in a.b.c: a.b.x, and a.b.x.y in
    case y is a module). `module`: the file's module name (None for a scene file, outside the
    package). A file that does not parse imports nothing here: running it fails anyway."""
    try:
        tree = ast.parse(path.read_bytes(), str(path))
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if module is None:
                    continue
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module
            names += [base] + [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
    return names


def engine_artefacts_digest() -> str:
    """The trained models' numbers, by the digest recorded when each was trained (engine/models.py):
    a damaged file changes nothing here (it is found and trained again before any scene renders),
    and a model trained again to the same numbers keeps its digest."""
    try:
        from ..engine.models import recorded_digest
    except ImportError:
        return "no engine"
    return recorded_digest()


def toolchain_digest(settings: RenderSettings, fonts: list[str]) -> str:
    from ..core.fonts import font_file

    font_files = []
    for family in fonts:
        path, index = font_file(family)
        stat = Path(path).stat()
        font_files.append([family, path, index, stat.st_size])
    versions = {name: _version(name) for name in ("manim", "av", "manimpango", "pycairo")}
    return keys.digest({
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
    code: SceneCode | None = field(default=None, hash=False, compare=False)  # the scene file's parts
    # The scene file's text these inputs were read from: its jobs run exactly this text (jobs.py
    # refuses to keep chunks drawn from a file saved again meanwhile). None: no file.
    source: str | None = field(default=None, hash=False, compare=False, repr=False)
    language: str = DEFAULT_LANGUAGE  # the render's: what of the screenplay its frames show (screenplay_part)

    @property
    def digest(self) -> str:
        return keys.digest(self.parts)

    def changed_since(self, recorded: dict | None) -> list[str]:
        """The names of the parts that differ from a manifest entry (all of them if none)."""
        if not recorded:
            return ["never rendered"]
        old = recorded.get("parts", {})
        return [name for name, value in self.parts.items() if old.get(name) != value] or (
            ["manifest"] if recorded.get("inputs") != self.digest else [])


def scene_inputs(screenplay: Screenplay, timeline: SceneTimeline, scene_file: Path, shared: SharedInputs,
                 language: str = DEFAULT_LANGUAGE) -> SceneInputs:
    scene_id = timeline.scene_id
    try:
        source = scene_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        source = None
    code = scene_file_code(screenplay, scene_id, scene_file, source)
    parts = {
        "screenplay": keys.digest(screenplay_part(screenplay, scene_id, language)),
        "timing": keys.digest(timing_part(timeline)),
        "scene file": code.digest if code is not None else "missing",
        "package code": shared.package_code,
        "engine artefacts": shared.engine_artefacts,
        "toolchain": shared.toolchain,
    }
    if language != SOURCE_LANGUAGE:
        parts["catalogue"] = catalogue_digest(language)
    return SceneInputs(scene_id, parts, code, source, language)


def scene_file_code(screenplay: Screenplay, scene_id: str, scene_file: Path, source: str | None) -> SceneCode | None:
    """The scene file's code in parts (cue_code.py), from `source`, the file's text; None if there
    is no file."""
    if source is None:
        return None
    outside = outside_names(PACKAGE_DIR, scene_file.parent, frozenset(s.id for s in screenplay.scenes))
    return scene_code(source, scene_id, [c.id for c in screenplay.scene(scene_id).cues], outside)


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
