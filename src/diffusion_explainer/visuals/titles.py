"""Section titles: large at the centre of the stage, then tucked into the top-left corner."""

from __future__ import annotations

from manim import LEFT, UP, FadeIn, Line, VGroup

from ..core import style
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


def corner_position(mob, frame_width: float, stage_top: float):
    """Where a shrunken title sits: the stage's top-left corner."""
    return mob.copy().scale(0.45).move_to([0, 0, 0]).to_corner(UP + LEFT, buff=0.3)


__all__ = ["section_title", "corner_position", "FadeIn"]
