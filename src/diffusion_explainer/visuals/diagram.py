"""Boxes, the network, arrows and vectors: one look for every diagram in the video."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Mobject,
    Polygon,
    Rectangle,
    RoundedRectangle,
    VGroup,
)

from ..core import style
from .catalogue import tr
from .text import LABEL_EM, SMALL_EM, jp, label, wrapped


def box(text: str, width: float = 2.2, height: float = 0.9, color: str = style.INK, em: float = LABEL_EM + 0.04) -> VGroup:
    frame = RoundedRectangle(corner_radius=0.12, width=width, height=height, stroke_color=color, stroke_width=2.5)
    frame.set_fill(style.PANEL, opacity=1)
    words = jp(text, em, color)
    if words.width > width * 0.9:  # (shrunk no further than this: a label stays readable)
        words.scale_to_fit_width(width * 0.9)
    return VGroup(frame, words.move_to(frame))


def unet(width: float = 2.0, height: float = 1.5, caption: str = "U-Net") -> VGroup:
    """The denoising network drawn as a U-Net's hourglass: wide, narrow in the middle, wide again."""
    w, h = width / 2, height / 2
    shape = Polygon(
        [-w, h, 0], [-w * 0.25, h * 0.25, 0], [w * 0.25, h * 0.25, 0], [w, h, 0],
        [w, -h, 0], [w * 0.25, -h * 0.25, 0], [-w * 0.25, -h * 0.25, 0], [-w, -h, 0],
        stroke_color=style.NETWORK, stroke_width=3,
    )
    shape.set_fill(style.NETWORK, opacity=0.18)
    name = jp(caption, LABEL_EM, style.NETWORK)
    name.next_to(shape, DOWN, buff=0.12)
    return VGroup(shape, name)


# The video's own experiments run a small fully connected network (engine.network), drawn with
# the U-Net's hourglass of the diagrams it stands in for: said wherever its results are shown.
def toy_network_note(width: float = 20.0, em: float = SMALL_EM) -> VGroup:
    """「（この動画の模型では…全結合ネットワーク）」, in lines no wider than `width`."""
    return wrapped(tr("（この動画の模型では、U-Net ではなく小さな全結合ネットワーク）"), width, em)


def flow_arrow(start: Mobject | np.ndarray, end: Mobject | np.ndarray, color: str = style.MUTED, buff: float = 0.15) -> Arrow:
    """A left-to-right (or any) arrow between two things, with a modest tip."""
    a = start.get_right() if isinstance(start, Mobject) else start
    b = end.get_left() if isinstance(end, Mobject) else end
    return Arrow(a, b, buff=buff, color=color, stroke_width=4, max_tip_length_to_length_ratio=0.18,
                 max_stroke_width_to_length_ratio=8)


def vector_column(values: np.ndarray, height: float = 2.2, width: float = 0.35, color: str = style.ACCENT) -> VGroup:
    """A vector drawn as a column of cells shaded by value (for embeddings)."""
    values = np.asarray(values, dtype=float)
    span = max(1e-9, float(np.abs(values).max()))
    cell_h = height / len(values)
    cells = VGroup()
    for i, v in enumerate(values):
        cell = Rectangle(width=width, height=cell_h, stroke_width=0.8, stroke_color=style.BACKGROUND)
        cell.set_fill(color if v >= 0 else style.NOISE, opacity=0.15 + 0.85 * abs(v) / span)
        cell.move_to([0, height / 2 - (i + 0.5) * cell_h, 0])
        cells.add(cell)
    return cells


def caption_under(mob: Mobject, text: str, color: str = style.MUTED) -> Mobject:
    return label(text, color=color).next_to(mob, DOWN, buff=0.15)


def row(*mobjects: Mobject, buff: float = 0.5) -> VGroup:
    return VGroup(*mobjects).arrange(RIGHT, buff=buff)


__all__ = ["box", "unet", "flow_arrow", "vector_column", "caption_under", "row", "LEFT", "RIGHT", "UP", "DOWN"]
