"""A vector of numbers drawn as a block of shaded cells (an embedding, a text vector), when a
single column of diagram.vector_column would be too tall for its length."""

from __future__ import annotations

import numpy as np
from manim import Rectangle, VGroup

from ..core import style


def vector_grid(values, columns: int = 16, cell: float = 0.2, color: str = style.ACCENT,
                negative_color: str = style.NOISE) -> VGroup:
    """Cells in reading order (left to right, then the next row); the colour tells the sign and
    the opacity the size, relative to the largest value."""
    values = np.asarray(values, dtype=float).ravel()
    span = max(1e-9, float(np.abs(values).max()))
    cells = VGroup()
    for i, v in enumerate(values):
        r, c = divmod(i, columns)
        square = Rectangle(width=cell, height=cell, stroke_width=0.8, stroke_color=style.BACKGROUND)
        square.set_fill(color if v >= 0 else negative_color, opacity=0.12 + 0.88 * abs(v) / span)
        square.move_to([c * cell, -r * cell, 0])
        cells.add(square)
    frame = Rectangle(width=cells.width + 0.06, height=cells.height + 0.06, stroke_color=style.MUTED,
                      stroke_width=1.5).move_to(cells)
    return VGroup(cells, frame).move_to([0, 0, 0])
