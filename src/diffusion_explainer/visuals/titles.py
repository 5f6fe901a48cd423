"""Section titles: large at the centre of the stage, then tucked into the top-left corner."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Line, VGroup

from ..core import style
from ..core.style import FRAME_HEIGHT
from .text import HEADING_EM, TITLE_EM, jp


def section_title(step: str, title: str, width: float) -> VGroup:
    """'Step 1' above '前方過程（Forward Process）', underlined in the accent colour."""
    head = jp(step, HEADING_EM, style.ACCENT) if step else None
    main = jp(title, TITLE_EM, style.INK)
    if main.width > width * 0.9:
        main.scale_to_fit_width(width * 0.9)
    parts = [p for p in (head, main) if p is not None]
    group = VGroup(*parts).arrange(direction=[0, -1, 0], buff=0.25)
    rule = Line(LEFT, [1, 0, 0], color=style.ACCENT, stroke_width=3)
    rule.set_width(main.width)
    rule.next_to(group, [0, -1, 0], buff=0.2)
    group.add(rule)
    return group


# The title in the corner: its step label (HEADING_EM) shrunk to 0.2 units, the least readable size
# (checks/layout.py MIN_TEXT_EM), set on one row with the title (a stacked pair reached down into
# the stage), and inset by CORNER_INSET of the frame's width and height: just inside the 5%
# graphics-safe margin the layout check holds everything to.
CORNER_SCALE = 0.2 / HEADING_EM
CORNER_INSET = 0.052


def corner_position(mob, frame_width: float, stage_top: float):
    """Where a shrunken title sits: the top-left corner of the safe area, the step label before
    the title on one row, the rule under both."""
    small = mob.copy().scale(CORNER_SCALE)
    *words, rule = small.submobjects
    row = VGroup(*words).arrange(RIGHT, buff=0.15, aligned_edge=DOWN)
    rule.stretch_to_fit_width(row.width).next_to(row, DOWN, buff=0.08).align_to(row, LEFT)
    inset = [frame_width * CORNER_INSET, FRAME_HEIGHT * CORNER_INSET, 0]
    return small.move_to([0, 0, 0]).to_corner(UP + LEFT, buff=inset)


__all__ = ["section_title", "corner_position", "FadeIn"]
