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
GAP = 0.1  # between text and mathematics
HUG = 0.06  # beside a Latin bracket or mark that holds on to the math ("($s = 3$)", "$x_t$:"): above checks/layout.py MIN_GAP


def mixed(text: str, em: float = LABEL_EM, color: str = style.MUTED, math_color: str | None = None) -> VGroup:
    """A one-line caption where $...$ marks LaTeX: mixed("元の画像 $x_0$")."""
    parts, words = VGroup(), []
    for i, piece in enumerate(re.split(r"\$(.+?)\$", text)):
        if not piece.strip():
            continue
        if i % 2:
            parts.add(formula(piece, color=math_color or color, font_size=font_size_for(em) * MATH_SCALE))
            words.append(None)
        else:
            parts.add(jp(piece.strip(), em, color))
            words.append(piece)
    for k in range(1, len(parts)):
        before, after = words[k - 1], words[k]
        hugs = (before is not None and before.endswith("(")) or (after is not None and after[0] in ")],.:;")
        parts[k].next_to(parts[k - 1], RIGHT, buff=HUG if hugs else GAP)
    parts.center()  # as arrange() leaves it
    for p in parts:  # line up on the text's vertical centre, not the boxes' bottoms
        p.set_y(parts.get_center()[1])
    return parts
