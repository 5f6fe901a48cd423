"""Read a screenplay YAML file into validated `Screenplay` objects, or refuse it clearly.

The YAML is walked as a node tree (not loaded into plain dicts) so that every message can name
the line of the offending field.

The English version sits beside what it translates, under `en:`, with the same field names:
`en: {title, subtitle}` at the top, `en: {name, voice}` on a character, `en: {title, heading}` on a
scene, and on a line or a cue either the English text itself (`en: So the network learns...`) or
`en: {text, say}` / `en: {animation}`. Every `en:` is optional (a screenplay may be Japanese only);
`check` lists the lines still without English.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..core.runtime import SCREENPLAY_ENV
from .errors import ScreenplayError
from .model import Character, Cue, Line, Scene, Screenplay, Style, format_clock

REPO = Path(__file__).resolve().parents[3]
DEFAULT_PATH = REPO / "script" / "diffusion_explainer.yaml"
DEFAULT_SCENE_DIR = REPO / "scenes"  # where a screenplay without `scene_dir:` has its scene files

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CLOCK = re.compile(r"^(\d+):([0-5]\d)$")
_SCENE_ID = re.compile(r"^s\d\d_[a-z][a-z0-9_]*$")
_CUE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LINE_ID = _CUE_ID
_POSITIONAL_ID = re.compile(r"^line\d+$")  # what unnamed lines are called: a name may not look like one
# What the speech engine silently drops: Latin and Greek letters, sub/superscripts, math signs.
_UNSPEAKABLE = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ\u0370-\u03ff\u2070-\u209f\u00b2\u00b3\u00b9×=|√−—…\u0302]")
# What English speech reads as written: letters, digits and punctuation that only shapes the voice.
# Anything else (x₀, ε, ×, =) needs an English `say:` reading in words.
_EN_UNSPEAKABLE = re.compile(r"[^A-Za-z0-9\s.,!?;:'\"()\-–—…’‘“”]")


def load_screenplay(path: str | Path | None = None) -> Screenplay:
    """Load and validate a screenplay file (the project's own when no path is given)."""
    if path is None:
        path = os.environ.get(SCREENPLAY_ENV) or DEFAULT_PATH
    path = Path(path)
    shown = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ScreenplayError(shown, None, "file", f"cannot read the screenplay: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ScreenplayError(
            shown, line, "file", f"is not UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}); save it as UTF-8"
        ) from None
    return parse_screenplay(text, shown)


def parse_screenplay(text: str, path: str = "<screenplay>") -> Screenplay:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(e, "problem", None) or str(e)
        raise ScreenplayError(path, line, "YAML", f"syntax error: {problem}") from None
    if root is None:
        raise ScreenplayError(path, 1, "file", "is empty")
    return dataclasses.replace(_Reader(path).screenplay(root), source=text)


def _resolve_scene_dir(screenplay_path: str, written: str | None) -> Path:
    """`scene_dir:` is relative to the screenplay file; without it, the project's scenes/."""
    if written is None:
        return DEFAULT_SCENE_DIR
    base = Path(screenplay_path).resolve().parent if not screenplay_path.startswith("<") else Path.cwd()
    return (base / written).resolve()


class _Reader:
    def __init__(self, path: str):
        self.path = path

    def fail(self, node: Node | None, field: str, message: str) -> ScreenplayError:
        line = node.start_mark.line + 1 if node is not None else None
        return ScreenplayError(self.path, line, field, message)

    # --- node helpers -------------------------------------------------------------------------

    def mapping(self, node: Node, where: str, required: set[str], optional: set[str] = frozenset()) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, where, "must be a mapping of keys to values")
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            field = f"{where}.{key}" if where else key
            if key in out:
                raise self.fail(key_node, field, "is given twice")
            if key not in required | optional:
                allowed = ", ".join(sorted(required | optional))
                raise self.fail(key_node, field, f"unknown key '{key}' (allowed: {allowed})")
            out[key] = value_node
        for key in sorted(required - out.keys()):
            raise self.fail(node, f"{where}.{key}" if where else key, "is missing")
        return out

    def string(self, node: Node, field: str, allow_empty: bool = False) -> str:
        if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            raise self.fail(node, field, "must be text")
        if not allow_empty and not node.value.strip():
            raise self.fail(node, field, "is empty")
        return node.value

    def number(self, node: Node, field: str, kind: type) -> int | float:
        try:
            value = kind(self.string(node, field))
        except ValueError:
            raise self.fail(node, field, f"must be a {'whole ' if kind is int else ''}number, not '{node.value}'") from None
        if value <= 0:
            raise self.fail(node, field, f"must be positive, not {value}")
        return value

    def clock(self, node: Node, field: str) -> int:
        """Seconds from 'm:ss' (or a plain number of seconds)."""
        value = self.string(node, field).strip()
        if value.isdigit():
            return int(value)
        m = _CLOCK.match(value)
        if not m:
            raise self.fail(node, field, f"must be a time as m:ss (like 1:15), not '{value}'")
        return int(m.group(1)) * 60 + int(m.group(2))

    def color(self, node: Node, field: str) -> str:
        value = self.string(node, field).strip()
        if not _COLOR.match(value):
            raise self.fail(node, field, f"must be a colour written #rrggbb, not '{value}'")
        return value.lower()

    def sequence(self, node: Node, field: str) -> list[Node]:
        if not isinstance(node, SequenceNode) or not node.value:
            raise self.fail(node, field, "must be a non-empty list")
        return node.value

    # --- the screenplay -------------------------------------------------------------------------

    def screenplay(self, root: Node) -> Screenplay:
        top = self.mapping(
            root, "", {"title", "duration", "characters", "scenes"}, {"subtitle", "format", "style", "scene_dir", "en"}
        )
        en = self.mapping(top["en"], "en", {"title"}, {"subtitle"}) if "en" in top else {}
        characters = tuple(self.character(n, i) for i, n in enumerate(self.sequence(top["characters"], "characters")))
        names = [c.name for c in characters]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail(top["characters"].value[i], f"characters[{i}].name", f"'{name}' is given twice")
        style = self.style(top["style"]) if "style" in top else Style()
        scene_nodes = self.sequence(top["scenes"], "scenes")
        scenes: list[Scene] = []
        for i, n in enumerate(scene_nodes):
            scenes.append(self.scene(n, i, set(names), scenes[-1].end_s if scenes else 0))
        scenes = tuple(scenes)
        self.check_scene_table(scenes, scene_nodes)
        duration = self.clock(top["duration"], "duration")
        total = sum(s.duration_s for s in scenes)
        if total != duration:
            raise self.fail(
                top["duration"], "duration",
                f"the scenes add up to {format_clock(total)} ({total} s), not {format_clock(duration)} ({duration} s)",
            )
        return Screenplay(
            title=self.string(top["title"], "title"),
            subtitle=self.string(top["subtitle"], "subtitle") if "subtitle" in top else "",
            format=self.string(top["format"], "format") if "format" in top else "",
            duration_s=duration,
            characters=characters,
            style=style,
            scenes=scenes,
            path=self.path,
            scene_dir=_resolve_scene_dir(self.path, self.string(top["scene_dir"], "scene_dir").strip()
                                         if "scene_dir" in top else None),
            en_title=self.string(en["title"], "en.title").strip() if en else "",
            en_subtitle=self.string(en["subtitle"], "en.subtitle").strip() if "subtitle" in en else "",
        )

    def character(self, node: Node, i: int) -> Character:
        where = f"characters[{i}]"
        m = self.mapping(node, where, {"name", "color", "voice"}, {"role", "en"})
        en = self.mapping(m["en"], f"{where}.en", {"name", "voice"}) if "en" in m else {}
        return Character(
            name=self.string(m["name"], f"{where}.name").strip(),
            role=self.string(m["role"], f"{where}.role") if "role" in m else "",
            color=self.color(m["color"], f"{where}.color"),
            voice=self.string(m["voice"], f"{where}.voice").strip(),
            source_line=m["voice"].start_mark.line + 1,
            en_name=self.string(en["name"], f"{where}.en.name").strip() if en else "",
            en_voice=self.string(en["voice"], f"{where}.en.voice").strip() if en else "",
            en_source_line=m["en"].start_mark.line + 1 if en else 0,
        )

    def style(self, node: Node) -> Style:
        m = self.mapping(node, "style", set(), {"font", "subtitle_size", "background"})
        defaults = Style()
        size = self.number(m["subtitle_size"], "style.subtitle_size", float) if "subtitle_size" in m else defaults.subtitle_size
        if not 0.02 <= size <= 0.12:
            raise self.fail(m["subtitle_size"], "style.subtitle_size", f"must be between 0.02 and 0.12 of the frame height, not {size}")
        return Style(
            font=self.string(m["font"], "style.font").strip() if "font" in m else defaults.font,
            subtitle_size=size,
            background=self.color(m["background"], "style.background") if "background" in m else defaults.background,
        )

    def scene(self, node: Node, i: int, speakers: set[str], expected_start: int) -> Scene:
        """A scene starts where the one before ends: `duration` is enough, and `start` and `end`, when
        written, must agree with it and with the scenes before."""
        where = f"scenes[{i}]"
        id_node = next((v for k, v in getattr(node, "value", ()) if getattr(k, "value", None) == "id"), None)
        if isinstance(id_node, ScalarNode) and id_node.value:
            where = f"scenes[{i}] ({id_node.value.strip()})"
        m = self.mapping(node, where, {"id", "title", "duration", "beats"}, {"start", "end", "heading", "en"})
        en = self.mapping(m["en"], f"{where}.en", {"title"}, {"heading"}) if "en" in m else {}
        scene_id = self.string(m["id"], f"{where}.id").strip()
        if not _SCENE_ID.match(scene_id):
            raise self.fail(m["id"], f"{where}.id", f"'{scene_id}' must look like s03_forward (sNN_ and lower-case words)")
        duration = int(self.number(m["duration"], f"{where}.duration", int))
        start = self.clock(m["start"], f"{where}.start") if "start" in m else expected_start
        end = self.clock(m["end"], f"{where}.end") if "end" in m else start + duration
        if end - start != duration:
            raise self.fail(
                m["duration"], f"{where}.duration",
                f"is {duration} s but start {format_clock(start)} to end {format_clock(end)} is {end - start} s",
            )
        if start != expected_start:
            kind = "leaves a gap after" if start > expected_start else "overlaps"
            before = f"the previous scene, which ends at {format_clock(expected_start)}" if i > 0 else "0:00"
            written = "start" if "start" in m else "end"
            raise self.fail(m[written], f"{where}.{written}",
                            f"starts at {format_clock(start)}: it {kind} {before} (`start` and `end` may be left out: "
                            f"each scene then starts where the one before ends)")
        beats = []
        cue_ids: set[str] = set()
        line_ids: set[str] = set()
        line_count = 0
        for j, beat_node in enumerate(self.sequence(m["beats"], f"{where}.beats")):
            beat = self.beat(beat_node, f"{where}.beats[{j}]", speakers, line_count)
            if isinstance(beat, Cue):
                if beat.id in cue_ids:
                    raise self.fail(beat_node, f"{where}.beats[{j}].cue", f"cue id '{beat.id}' is used twice in this scene")
                cue_ids.add(beat.id)
            else:
                if beat.id in line_ids:
                    raise self.fail(beat_node, f"{where}.beats[{j}].id", f"line id '{beat.id}' is used twice in this scene")
                line_ids.add(beat.id)
                line_count += 1
            beats.append(beat)
        title = self.string(m["title"], f"{where}.title").strip()
        return Scene(
            id=scene_id,
            number=i + 1,
            title=title,
            heading=self.string(m["heading"], f"{where}.heading").strip() if "heading" in m else title,
            start_s=start,
            duration_s=duration,
            beats=tuple(beats),
            source_line=m["id"].start_mark.line + 1,
            en_title=self.string(en["title"], f"{where}.en.title").strip() if en else "",
            en_heading=(self.string(en["heading"], f"{where}.en.heading").strip() if "heading" in en
                        else self.string(en["title"], f"{where}.en.title").strip() if en else ""),
        )

    def english(self, node: Node, where: str, main: str, optional: set[str] = frozenset()) -> dict[str, str]:
        """A line's or cue's `en:`: the English text itself, or a mapping with `main` and `optional`."""
        if isinstance(node, ScalarNode):
            return {main: self.string(node, where)}
        m = self.mapping(node, where, {main}, optional)
        return {key: self.string(value, f"{where}.{key}") for key, value in m.items()}

    def beat(self, node: Node, where: str, speakers: set[str], line_count: int) -> Line | Cue:
        if isinstance(node, MappingNode) and any(k.value == "cue" for k, _ in node.value):
            m = self.mapping(node, where, {"cue", "animation"}, {"en"})
            en = self.english(m["en"], f"{where}.en", "animation") if "en" in m else {}
            cue_id = self.string(m["cue"], f"{where}.cue").strip()
            if not _CUE_ID.match(cue_id):
                raise self.fail(m["cue"], f"{where}.cue", f"'{cue_id}' must be lower_case_with_underscores (it names a method)")
            return Cue(id=cue_id, animation=self.string(m["animation"], f"{where}.animation"),
                       source_line=node.start_mark.line + 1, en=en.get("animation"))
        m = self.mapping(node, where, {"speaker", "text"}, {"say", "id", "en"})
        line_id = f"line{line_count + 1:02d}"
        if "id" in m:
            line_id = self.string(m["id"], f"{where}.id").strip()
            if not _LINE_ID.match(line_id):
                raise self.fail(m["id"], f"{where}.id", f"'{line_id}' must be lower_case_with_underscores (scene code refers to it)")
            if _POSITIONAL_ID.match(line_id):
                raise self.fail(m["id"], f"{where}.id", f"'{line_id}' looks like a position (unnamed lines are "
                                                        f"called line01, line02, ...): choose a name that says what the line is")
        speaker = self.string(m["speaker"], f"{where}.speaker").strip()
        if speaker not in speakers:
            raise self.fail(m["speaker"], f"{where}.speaker", f"unknown speaker '{speaker}' (characters: {', '.join(sorted(speakers))})")
        text = self.string(m["text"], f"{where}.text")
        say = self.string(m["say"], f"{where}.say") if "say" in m else None
        reading_node, reading_field = (m["say"], f"{where}.say") if say is not None else (m["text"], f"{where}.text")
        unspeakable = sorted(set(_UNSPEAKABLE.findall(say if say is not None else text.replace("**", ""))))
        if unspeakable:
            hint = "rewrite the reading in kana" if say is not None else "add a `say:` reading in kana"
            raise self.fail(
                reading_node, reading_field,
                f"has {' '.join(unspeakable)}, which the speech engine silently drops: {hint}",
            )
        en = self.english(m["en"], f"{where}.en", "text", {"say"}) if "en" in m else {}
        if en:
            self.check_english_reading(m["en"], where, en)
        return Line(id=line_id, speaker=speaker, text=text, say=say, source_line=node.start_mark.line + 1,
                    named="id" in m, en=en.get("text"), en_say=en.get("say"))

    def check_english_reading(self, node: Node, where: str, en: dict[str, str]) -> None:
        """The English reading must be words: symbols espeak spells out or drops need `say:`."""
        say = en.get("say")
        reading = say if say is not None else en["text"].replace("**", "")
        unspeakable = sorted(set(_EN_UNSPEAKABLE.findall(reading)))
        if unspeakable:
            field = f"{where}.en.say" if say is not None else f"{where}.en"
            hint = "rewrite the English reading in words" if say is not None else \
                "write the English as `en: {text: ..., say: ...}` with a reading in words"
            raise self.fail(node, field, f"has {' '.join(unspeakable)}, which English speech cannot read as written: {hint}")

    def check_scene_table(self, scenes: tuple[Scene, ...], nodes: list[Node]) -> None:
        seen: set[str] = set()
        for scene, node in zip(scenes, nodes):
            where = f"scenes[{scene.number - 1}] ({scene.id})"
            if scene.id in seen:
                raise self.fail(node, f"{where}.id", f"scene id '{scene.id}' is used twice")
            seen.add(scene.id)
