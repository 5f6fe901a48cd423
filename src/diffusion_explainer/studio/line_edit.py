"""Rewording one line of the screenplay in place: its `text:` and its reading `say:`, nothing else.

The YAML is edited in ruamel.yaml's round-trip mode, which keeps comments, key order, quoting and
layout (with the widths and indents set here, it writes this project's screenplays back byte for
byte). The result is checked twice before anything is written: every line of the file outside the
edited line's own keys must be unchanged (else the edit is refused: ruamel would have reflowed
something), and the new text must load with the project's loader (screenplay/loader.py) and give
the edited line exactly the new words. Then it replaces the file in one step (core/files.py).

A line is named as the page shows it: its scene and its id (its `id:`, or line03 by position),
with the text the page last showed, so an edit made against an older version of the file is
refused instead of landing on another line.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from ..core.files import write_text
from ..screenplay import Line, Screenplay
from ..screenplay.errors import ScreenplayError
from ..screenplay.loader import parse_screenplay


class EditRefused(Exception):
    """An edit that was not written: the message says why (the file is as it was)."""

    def __init__(self, message: str, stale: bool = False):
        super().__init__(message)
        self.stale = stale  # the page showed an older version of the line


@dataclass(frozen=True)
class LineEdit:
    scene_id: str
    line_id: str
    was: str  # the text the page showed
    text: str
    say: str | None  # None or "": no reading (the voice reads the text)


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 1 << 16  # never fold a long line
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def edited_source(source: str, path: str, edit: LineEdit) -> str:
    """The screenplay's text with the line reworded; EditRefused if it cannot be done cleanly."""
    current = _parse(source, path, "the screenplay on disk")
    line = _find_line(current, edit)
    if line.text != edit.was:
        raise EditRefused(f"{edit.scene_id}/{edit.line_id} now reads 「{line.text}」 in {path}: the file changed "
                          f"since the page showed it; the page is reloaded", stale=True)
    say = edit.say.strip() if edit.say and edit.say.strip() else None
    if not edit.text.strip():
        raise EditRefused("a line's text cannot be empty (delete the line in the file instead)")
    if edit.text == line.text and say == line.say:
        return source

    yaml = _round_trip()
    data = yaml.load(source)
    beat = _beat_at(data, edit.scene_id, line.source_line)
    allowed = _lines_of(yaml.compose(source), line.source_line, ("text", "say"))
    beat["text"] = _like(beat["text"], edit.text)
    if say is None:
        beat.pop("say", None)
    elif "say" in beat:
        beat["say"] = _like(beat["say"], say)
    else:
        beat.insert(list(beat).index("text") + 1, "say", say)
    out = io.StringIO()
    yaml.dump(data, out)
    result = out.getvalue()

    _only_the_line_changed(source, result, allowed, path)
    edited = _parse(result, path, "the edited screenplay")
    now = _find_line(edited, edit)
    if (now.text, now.say) != (edit.text, say):
        raise EditRefused(f"the edited YAML reads back as 「{now.text}」 / {now.say!r}, not as typed; nothing was written")
    return result


def apply_edit(path: Path, edit: LineEdit) -> Screenplay:
    """Write the edit into the screenplay file (atomically) and return the screenplay it now is."""
    source = path.read_text(encoding="utf-8")
    result = edited_source(source, str(path), edit)
    if result != source:
        write_text(path, result)
    return parse_screenplay(result, str(path))


def _parse(source: str, path: str, what: str) -> Screenplay:
    try:
        return parse_screenplay(source, path)
    except ScreenplayError as e:
        raise EditRefused(f"{what} does not load: {e}") from None


def _find_line(screenplay: Screenplay, edit: LineEdit) -> Line:
    try:
        return screenplay.scene(edit.scene_id).line(edit.line_id)
    except KeyError:
        raise EditRefused(f"{screenplay.path} has no line {edit.scene_id}/{edit.line_id} any more: the page is "
                          f"reloaded", stale=True) from None


def _beat_at(data, scene_id: str, source_line: int):
    """The beat mapping that starts on `source_line` (1-based) of scene `scene_id`."""
    for scene in data["scenes"]:
        if str(scene["id"]).strip() == scene_id:
            for beat in scene["beats"]:
                if beat.lc.line + 1 == source_line:
                    return beat
    raise EditRefused(f"line {source_line} of the screenplay is not a beat of {scene_id}")


def _lines_of(root, source_line: int, keys: tuple[str, ...]) -> set[int]:
    """The lines (0-based) that the given keys of the mapping starting on `source_line` and their
    values take up (a block scalar runs over several)."""
    lines: set[int] = set()
    for node in _mappings(root):
        if node.start_mark.line + 1 == source_line:
            for key, value in node.value:
                if key.value in keys:
                    end = value.end_mark.line + (value.end_mark.column > 0)  # past a block scalar's last line
                    lines.update(range(key.start_mark.line, max(end, key.start_mark.line + 1)))
    return lines


def _mappings(node):
    if node.id == "mapping":
        yield node
        for _, value in node.value:
            yield from _mappings(value)
    elif node.id == "sequence":
        for item in node.value:
            yield from _mappings(item)


def _like(old, new: str):
    """`new` in the quoting `old` was written with (plain scalars are quoted only if they must be)."""
    for kind in (DoubleQuotedScalarString, SingleQuotedScalarString, LiteralScalarString, FoldedScalarString):
        if isinstance(old, kind):
            return kind(new)
    return new


def _only_the_line_changed(before: str, after: str, allowed: set[int], path: str) -> None:
    """Refuse a result that differs from `before` anywhere but on the lines in `allowed` (0-based:
    the edited keys' lines) and just after the first of them (a new `say:`)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for op, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        touched = set(range(i1, i2)) if i2 > i1 else {i1 - 1}  # an insertion: the line it follows
        if not touched <= allowed:
            raise EditRefused(f"writing the edit would also change line {min(touched - allowed) + 1} of {path} (the "
                              f"YAML writer would reformat it); nothing was written: edit this line in the file")
