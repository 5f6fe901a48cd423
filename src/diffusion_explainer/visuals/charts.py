"""Simple plots of the engine's real numbers (loss curves, fidelity/diversity), drawn with lines
and plain-text labels so they need no LaTeX per tick."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, Line, VGroup, VMobject

from ..core import style
from .text import SMALL_EM, label


@dataclass(frozen=True)
class PlotScale:
    """Data (x, y) to a point of the plot, its origin at the bottom-left (a plain object, not a
    closure, so that a scene's state can be saved and restored: chunks.py)."""

    x0: float
    x1: float
    y0: float
    y1: float
    width: float
    height: float
    log_y: bool

    def __call__(self, x, y):
        yy = np.log10(y) if self.log_y else y
        return np.array([(x - self.x0) / (self.x1 - self.x0) * self.width,
                         (yy - self.y0) / (self.y1 - self.y0) * self.height, 0.0])


def line_plot(xs, ys, width: float, height: float, x_label: str = "", y_label: str = "",
              log_y: bool = False, color: str = style.ACCENT, x_ticks=(), y_ticks=()) -> VGroup:
    """Axes with the origin at the bottom-left, the curve, ticks and labels; returns a VGroup whose
    parts are named: .axes, .curve, .labels."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    ty = np.log10(ys) if log_y else ys
    x0, x1 = float(xs.min()), float(xs.max())
    y0, y1 = float(ty.min()), float(ty.max())
    if y1 - y0 < 1e-9:
        y1 = y0 + 1

    to_point = PlotScale(x0, x1, y0, y1, width, height, log_y)

    x_axis = Line([0, 0, 0], [width, 0, 0], color=style.MUTED, stroke_width=2)
    y_axis = Line([0, 0, 0], [0, height, 0], color=style.MUTED, stroke_width=2)
    curve = VMobject(stroke_color=color, stroke_width=3)
    curve.set_points_as_corners([to_point(x, y) for x, y in zip(xs, ys)])
    labels = VGroup()
    if x_label:
        labels.add(label(x_label, SMALL_EM).next_to(x_axis, DOWN, buff=0.42))
    if y_label:
        labels.add(label(y_label, SMALL_EM).rotate(np.pi / 2).next_to(y_axis, LEFT, buff=0.35))
    for x in x_ticks:
        # below the axis, clear of the lowest y tick's label beside the origin (checks/layout.py MIN_GAP)
        labels.add(label(f"{x:g}", SMALL_EM).move_to(to_point(x, ys.min() if not log_y else 10 ** y0) + [0, -0.22, 0]))
    for y in y_ticks:
        labels.add(label(f"{y:g}", SMALL_EM).next_to(to_point(x0, y), LEFT, buff=0.08))
    plot = VGroup(VGroup(x_axis, y_axis), curve, labels)
    plot.axes, plot.curve, plot.labels = plot[0], plot[1], plot[2]
    plot.to_point = to_point
    return plot
