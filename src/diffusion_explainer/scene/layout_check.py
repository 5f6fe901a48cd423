"""The layout check's two halves inside and around a Manim process (the rules: checks/layout.py).

- `StageNotes`: what an ExplainerScene in layout mode (HandOver.layout set) notes at each settled
  moment: the bounding boxes of its texts, formulas, pictures and other shapes, read from the
  mobjects (no pixels).
- `record_layout`: runs a scene's whole story in a process of its own in layout mode without
  drawing a frame (the plan's draw range is empty: every call is run through as a chunk's job
  runs the calls before its frames, scene/skipping.py), and returns the record it wrote. A scene
  takes 2-5 s, most of it Manim's start-up; its formulas are compiled once into cache/layout/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..checks.layout import Box, LayoutRecord, Snapshot, StageItem
from ..core import runtime
from ..core.errors import RenderError
from ..core.settings import DEFAULT_LANGUAGE
from ..subtitles.band import UNITS_PER_EM_AT_100
from ..timing.handover import FrameRange, HandOver
from ..timing.scene_plan import plan_for
from ..visuals.mixed_text import MATH_SCALE

STROKE_UNITS = 0.01  # Manim's Cairo camera draws a stroke_width of 1 this many units wide
LAYOUT_SIZE = ("256,144", 10)  # the frame's aspect is all that matters (boxes are in units); fps: fewer calls


class StageNotes:
    """The snapshots of one scene's stage, consecutive equal ones kept once."""

    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []

    def note(self, mobjects, frame: int, cue: str, reason: str) -> None:
        items = tuple(item for index, mob in enumerate(mobjects) for item in stage_items(mob, index))
        last = self.snapshots[-1] if self.snapshots else None
        if last is not None and last.items == items:
            return
        self.snapshots.append(Snapshot(frame, cue, reason, items))

    def record(self, scene_id: str, fps: int, frame_width: float, subtitle_size: float) -> LayoutRecord:
        return LayoutRecord(scene_id, fps, frame_width, subtitle_size, tuple(self.snapshots))


def stage_items(mob, index: int) -> list[StageItem]:
    """The texts, formulas and pictures in a stage mobject, each with its box, and the union of
    the other shapes drawn in it as one item."""
    from manim import ImageMobject, Line, MarkupText, Paragraph, SingleStringMathTex, Text

    items: list[StageItem] = []
    shapes: list[Box] = []

    def walk(m) -> None:
        if isinstance(m, ImageMobject):
            if getattr(m, "fill_opacity", 1) > 0:
                items.append(StageItem("picture", f"picture {m.width:.2f} wide (stage item {index})", _box(m)))
            return
        if not _visible(m):
            return
        if isinstance(m, (Text, MarkupText)):
            items.append(StageItem("text", m.original_text, _box(m), m.font_size * UNITS_PER_EM_AT_100 / 100))
        elif isinstance(m, Paragraph):
            text = m.lines_text
            items.append(StageItem("text", text.original_text, _box(m), text.font_size * UNITS_PER_EM_AT_100 / 100))
        elif isinstance(m, SingleStringMathTex):
            em = m.font_size / MATH_SCALE * UNITS_PER_EM_AT_100 / 100
            items.append(StageItem("formula", m.get_tex_string(), _box(m), em))
        elif isinstance(m, Line) and not m.has_tip() and min(m.width, m.height) < 1e-3:
            items.append(StageItem("rule", f"{type(m).__name__} (stage item {index})",
                                   _box(m, m.get_stroke_width() * STROKE_UNITS / 2)))
        elif m.submobjects:
            for sub in m.submobjects:
                walk(sub)
        elif m.has_points():
            shapes.append(_box(m))

    walk(mob)
    if shapes:
        union = Box(min(b.left for b in shapes), min(b.bottom for b in shapes),
                    max(b.right for b in shapes), max(b.top for b in shapes))
        items.append(StageItem("shape", f"{type(mob).__name__} (stage item {index})", union))
    return items


def _visible(m) -> bool:
    """Any part of it drawn with some opacity (a stroke counts only if it has a width)."""
    for part in m.family_members_with_points():
        fills = getattr(part, "fill_rgbas", None)
        strokes = getattr(part, "stroke_rgbas", None)
        if fills is not None and len(fills) and fills[:, 3].max() > 0:
            return True
        if strokes is not None and len(strokes) and strokes[:, 3].max() > 0 and getattr(part, "stroke_width", 0) > 0:
            return True
    return False


def _box(m, widen: float = 0.0) -> Box:
    (left, bottom, _), (right, top, _) = m.get_corner([-1, -1, 0]), m.get_corner([1, 1, 0])
    return Box(*(round(float(v), 4) for v in (left - widen, bottom - widen, right + widen, top + widen)))


# --- running a scene in layout mode ---------------------------------------------------------------


def record_layout(scene_file: Path, scene_id: str, class_name: str, folder: Path, screenplay=None,
                  media: Path | None = None, language: str = DEFAULT_LANGUAGE) -> LayoutRecord:
    """Run the scene's story without drawing and return its layout record (`folder` holds the
    plan, the record and Manim's log; `media`, Manim's media folder, keeps the compiled formulas).
    `language`: the video's whose texts are laid out (its timeline, its on-screen texts)."""
    width, fps = LAYOUT_SIZE
    w, h = (int(v) for v in width.split(","))
    plan = plan_for(scene_id, fps, frame_width=8.0 * w / h, screenplay=screenplay, silent=True, language=language)
    folder.mkdir(parents=True, exist_ok=True)
    record_path, log_path = folder / f"{scene_id}.layout.json", folder / f"{scene_id}.log"
    record_path.unlink(missing_ok=True)
    total = plan.timeline.total_frames
    handed = HandOver(plan, w, h, draw=FrameRange(total, total), report=folder / f"{scene_id}.report.json",
                      layout=record_path)
    plan_path = handed.write(folder / f"{scene_id}.plan.json")
    media = media or runtime.cache_dir("layout") / scene_id
    command = [sys.executable, "-m", "diffusion_explainer.scene.launcher", "render", "-r", width, "--fps", str(fps),
               "--disable_caching", "--progress_bar", "none", "--media_dir", str(media), "-o", scene_id,
               str(scene_file), class_name]
    env = dict(os.environ, **{runtime.PLAN_ENV: str(plan_path), runtime.SILENT_ENV: "1", "COLUMNS": "200"})
    with open(log_path, "w", encoding="utf-8") as log:
        status = subprocess.run(command, cwd=runtime.REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, check=False).returncode
    if status != 0 or not record_path.is_file():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RenderError(f"{scene_id}: the layout run failed (exit {status}); the end of {log_path}:\n{tail}")
    return LayoutRecord.read(record_path)
