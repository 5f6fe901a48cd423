"""The layout check: what is on the stage at each settled moment of a scene, and the rules it must keep.

A scene run in layout mode (HandOver.layout; scene/layout_check.py runs one, drawing nothing)
notes what is on its stage where the picture holds (every wait, hold and wait_until: the picture a
viewer reads), at every subtitle page change (also in the middle of an animation, where a skipped
run has already put every mobject where the animation ends), and at each cue's end: a `Snapshot`
of `StageItem`s, the bounding boxes of its texts, formulas and pictures and of the rest of what is
drawn. `layout_problems` is a pure function over that record; the rules, in Manim units (the
frame is 8 high, 14.22 wide at 16:9; 1 unit is 135 px of the 1080p video):

- **no overlaps**: no two texts or formulas come closer than MIN_GAP (overlapping or touching),
  nor a text or formula and a rule (a level or upright line without a tip: a title's underline,
  an axis; its box is widened by its stroke; a slanted line's box is no measure of where it runs) or a picture, unless the text lies wholly inside the picture (a
  caption deliberately ON a picture; one that crosses a picture's edge is an accident). Two pieces
  with the same box do not count (what a Transform leaves: the pieces it moved onto one another
  draw the same thing). Arrows and other shapes may touch texts: labels sit on arrows and in boxes.
- **the safe areas** of EBU R 95: texts and formulas lie inside the graphics-safe area (the frame
  less TEXT_SAFE_MARGIN, 5% of its width and height, on every side), which also keeps them off
  the edges where a phone's player draws its controls; pictures, rules and shapes inside the
  action-safe area (ACTION_SAFE_MARGIN, 3.5%).
- **the subtitle band**: nothing of the stage reaches below the band's top (Layout.band_top): the
  band is the subtitles' alone.
- **readable sizes**: no text or formula is smaller than MIN_TEXT_EM (see there for the reason;
  of pieces with the same box, the largest).

Every problem names the scene, the cue and its frame, the items and their boxes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import RenderError
from ..core.files import write_text
from ..core.style import FRAME_HEIGHT, Layout

FORMAT = 1

# Text height in frame units (the em of the CJK font; a formula's em is its font size over
# mixed_text.MATH_SCALE, the size its letters match CJK text at). 0.2 units is 2.5% of the frame
# height, 27 px of the 1080p video. On a phone held sideways the video is about 6.5 cm high, so
# such a character is 1.6 mm: 17 minutes of arc at 33 cm, above the 16' ISO 9241-303 gives as the
# least character height for reading text on a display. The sweep's method note in s06 was 0.17
# (14', 23 px): below it.
MIN_TEXT_EM = 0.2
TEXT_SAFE_MARGIN = 0.05  # of the frame's width and height, each side (EBU R 95 graphics safe)
ACTION_SAFE_MARGIN = 0.035  # (EBU R 95 action safe)
MIN_GAP = 0.05  # units (7 px at 1080p) between a text and another text, a rule or a picture; captions'
# own lines are 0.07 apart (text.wrapped), labels next to what they name 0.08 or more
SAME_BOX = 0.01  # units: two pieces whose every edge agrees this closely are one drawn thing

TEXT_KINDS = ("text", "formula")


class LayoutRecordError(RenderError):
    """A layout record this code cannot read."""


@dataclass(frozen=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom

    def gap(self, other: Box) -> float:
        """The distance between the two boxes (along x or y, whichever is larger); negative: they
        overlap, by that much along the axis they overlap least."""
        return max(self.left - other.right, other.left - self.right, self.bottom - other.top, other.bottom - self.top)

    def inside(self, other: Box, tolerance: float = 0.0) -> bool:
        return (self.left >= other.left - tolerance and self.right <= other.right + tolerance
                and self.bottom >= other.bottom - tolerance and self.top <= other.top + tolerance)

    def same_as(self, other: Box) -> bool:
        return all(abs(a - b) <= SAME_BOX for a, b in zip(self.edges, other.edges))

    @property
    def edges(self) -> tuple[float, float, float, float]:
        return (self.left, self.bottom, self.right, self.top)

    def __str__(self) -> str:
        return f"[x {self.left:.2f}..{self.right:.2f}, y {self.bottom:.2f}..{self.top:.2f}]"


@dataclass(frozen=True)
class StageItem:
    """One thing on the stage: a text, a formula, a picture, or the shapes of one stage mobject."""

    kind: str  # "text", "formula", "picture", "rule" (a line without a tip) or "shape"
    name: str  # a text's or formula's own text; a picture's or shape's mobject and place on the stage
    box: Box
    em: float | None = None  # texts and formulas: their em height in units

    def __str__(self) -> str:
        return f"{self.kind} 「{_short(self.name)}」 {self.box}"


@dataclass(frozen=True)
class Snapshot:
    """The stage at one moment of the scene."""

    frame: int
    cue: str
    reason: str  # "hold", "page" (a subtitle page changes) or "cue end"
    items: tuple[StageItem, ...]


@dataclass(frozen=True)
class LayoutRecord:
    """What a scene's stage held at each of its settled moments."""

    scene_id: str
    fps: int
    frame_width: float
    subtitle_size: float
    snapshots: tuple[Snapshot, ...]

    @property
    def layout(self) -> Layout:
        return Layout(self.frame_width, self.subtitle_size)

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "scene_id": self.scene_id, "fps": self.fps, "frame_width": self.frame_width,
            "subtitle_size": self.subtitle_size,
            "snapshots": [{"frame": s.frame, "cue": s.cue, "reason": s.reason,
                           "items": [[i.kind, i.name, list(i.box.edges), i.em] for i in s.items]}
                          for s in self.snapshots],
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, where: str = "a layout record") -> LayoutRecord:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise LayoutRecordError(f"{where}: a layout record of format {data.get('format')}, this code reads "
                                    f"format {FORMAT}")
        return cls(data["scene_id"], data["fps"], data["frame_width"], data["subtitle_size"], tuple(
            Snapshot(s["frame"], s["cue"], s["reason"],
                     tuple(StageItem(kind, name, Box(*edges), em) for kind, name, edges, em in s["items"]))
            for s in data["snapshots"]))

    def write(self, path: Path) -> None:
        write_text(Path(path), self.to_json())

    @classmethod
    def read(cls, path: Path) -> LayoutRecord:
        return cls.from_json(Path(path).read_text(encoding="utf-8"), str(path))


@dataclass(frozen=True)
class LayoutProblem:
    scene_id: str
    cue: str
    frame: int
    fps: int
    message: str

    def __str__(self) -> str:
        seconds = self.frame / self.fps
        return f"{self.scene_id} / {self.cue} at {int(seconds // 60)}:{seconds % 60:04.1f} of the scene: {self.message}"


def safe_area(layout: Layout, margin: float) -> Box:
    x = layout.frame_width / 2 * (1 - 2 * margin)
    y = FRAME_HEIGHT / 2 * (1 - 2 * margin)
    return Box(-x, -y, x, y)


def snapshot_problems(items: tuple[StageItem, ...], layout: Layout) -> list[str]:
    """What breaks the rules in one picture of the stage."""
    found = []
    texts = [i for i in items if i.kind in TEXT_KINDS]
    pictures = [i for i in items if i.kind == "picture"]
    rules = [i for i in items if i.kind == "rule"]
    for n, a in enumerate(texts):
        for b in texts[n + 1:] + rules:
            if a.box.gap(b.box) < MIN_GAP and not a.box.same_as(b.box):
                found.append(f"{a} {_closeness(a.box.gap(b.box))} {b}")
        for p in pictures:
            if a.box.gap(p.box) < MIN_GAP and not a.box.inside(p.box):
                found.append(f"{a} {_closeness(a.box.gap(p.box))} {p} (and is not wholly on it, as a caption on a "
                             f"picture is)")
        # pieces with the same box draw one thing, whose size is the one its own piece keeps (the
        # others' font sizes were scaled to it: a Transform onto "x_T" leaves "完全なノイズ" x_T-sized)
        same = [b.em for b in texts if b.em is not None and b.box.same_as(a.box)]
        if a.em is not None and max(same, default=a.em) < MIN_TEXT_EM - 1e-3:
            found.append(f"{a} is {a.em:.3f} units high, under the least readable size {MIN_TEXT_EM}")
    for i in items:
        margin = TEXT_SAFE_MARGIN if i.kind in TEXT_KINDS else ACTION_SAFE_MARGIN
        safe = safe_area(layout, margin)
        if not i.box.inside(safe, 1e-3):
            found.append(f"{i} leaves the safe area {safe} ({margin:.1%} margins)")
        elif i.box.bottom < layout.band_top - 1e-3:
            found.append(f"{i} enters the subtitle band (its top is y {layout.band_top:.2f})")
    return found


def layout_problems(record: LayoutRecord) -> list[LayoutProblem]:
    """Every rule a scene's record breaks, each once (at the first moment it is seen)."""
    layout, seen, out = record.layout, set(), []
    for snapshot in record.snapshots:
        for message in snapshot_problems(snapshot.items, layout):
            if message not in seen:
                seen.add(message)
                out.append(LayoutProblem(record.scene_id, snapshot.cue, snapshot.frame, record.fps, message))
    return out


def _closeness(gap: float) -> str:
    return "overlaps" if gap < 0 else f"is {gap:.2f} units from (under the least gap {MIN_GAP})"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
