"""Captions that mix Japanese with mathematics: 「元の画像 $x_0$」.

The Japanese font has no subscripts (ₜ, ₀) nor combining hats (ε̂), so any symbol goes through
LaTeX; both halves get the same font size so they read as one line.
"""

from __future__ import annotations

import re

from manim import RIGHT, VGroup

from ..core import style
from ..subtitles.band import font_size_for
from .formulas import formula
from .text import LABEL_EM, jp

MATH_SCALE = 1.6  # LaTeX letters are smaller than the CJK font's at the same font size (x-height measured)


def mixed(text: str, em: float = LABEL_EM, color: str = style.MUTED, math_color: str | None = None) -> VGroup:
    """A one-line caption where $...$ marks LaTeX: mixed("元の画像 $x_0$")."""
    parts = VGroup()
    for i, piece in enumerate(re.split(r"\$(.+?)\$", text)):
        if not piece.strip():
            continue
        if i % 2:
            parts.add(formula(piece, color=math_color or color, font_size=font_size_for(em) * MATH_SCALE))
        else:
            parts.add(jp(piece.strip(), em, color))
    parts.arrange(RIGHT, buff=0.1)
    for p in parts:  # line up on the text's vertical centre, not the boxes' bottoms
        p.set_y(parts.get_center()[1])
    return parts
