"""What moves in the pauses: a highlight walking along what the voice just said, a picture pulsing
as it is named, and a picture travelling along an arrow while it changes.

Both are drawn large enough to be seen as motion. A still picture with nobody speaking for 3 s
is dead air (review/dead_air.py: ffmpeg's freezedetect at -50 dB on a 320-px-wide copy, a mean
change under 0.3 % of full scale); what a viewer sees as thin motion there (an outline moving, a
formula's colour changing, a line being written) stays under it. A highlight is a filled box
behind its term: moved from one term to the next, it changes two boxes' worth of pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import ORIGIN, Animation, Group, Mobject, RoundedRectangle, ScaleInPlace, VMobject, there_and_back

from ..core import style
from .pictures import picture

HIGHLIGHT_OPACITY = 0.3


def highlight_box(target: Mobject, color: str = style.ACCENT, buff: float = 0.1,
                  opacity: float = HIGHLIGHT_OPACITY) -> RoundedRectangle:
    """A translucent box behind `target` (a term of a formula, a picture, a caption): where the
    voice is. `Transform` it onto the next one to walk along an equation."""
    box = RoundedRectangle(corner_radius=0.1, width=target.width + 2 * buff, height=target.height + 2 * buff,
                           stroke_width=0).set_fill(color, opacity=opacity)
    return box.move_to(target).set_z_index(-1)


def pulse(mobject: Mobject, factor: float = 1.1) -> Animation:
    """`mobject` grows by `factor` and settles back, its colours untouched (Manim's `Indicate`
    recolours what it points at: a picture would flash as one flat colour, hiding what it shows)."""
    return ScaleInPlace(mobject, factor, rate_func=there_and_back)


def along(path: VMobject, images: Sequence[np.ndarray], side: float, start: float = 0.0, end: float = 1.0,
          offset=ORIGIN) -> list[Group]:
    """The pages of a picture travelling along `path` while it changes: images[k] drawn `side`
    wide at the path's point a fraction start + (end - start) k / (n - 1) of the way (shifted by
    `offset`), for `flip_book`."""
    n = len(images)
    return [picture(image, side).move_to(path.point_from_proportion(start + (end - start) * k / max(1, n - 1)) + offset)
            for k, image in enumerate(images)]
