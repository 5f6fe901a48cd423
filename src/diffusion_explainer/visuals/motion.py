"""What moves in the pauses: a highlight walking along what the voice just said, a picture pulsing
as it is named, and a picture travelling along an arrow while it changes.

A pause's length depends on the render's language (English speech is shorter than Japanese, so
its pauses are longer): `walk` takes the seconds the pause really has and fills them, stepping
over its targets again while time is left, rather than a duration tuned on one language.

Both are drawn large enough to be seen as motion. A still picture with nobody speaking for 3 s
is dead air (review/dead_air.py: ffmpeg's freezedetect at -50 dB on a 320-px-wide copy, a mean
change under 0.3 % of full scale); what a viewer sees as thin motion there (an outline moving, a
formula's colour changing, a line being written) stays under it. A highlight is a filled box
behind its term: moved from one term to the next, it changes two boxes' worth of pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    ORIGIN,
    Animation,
    FadeIn,
    FadeOut,
    Group,
    Mobject,
    RoundedRectangle,
    ScaleInPlace,
    Transform,
    VMobject,
    there_and_back,
)

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


WALK_STEP_S = 1.5  # one step of a walk: the move to the next target, then a dwell on it


def walk(scene, targets: Sequence[Mobject], seconds: float, color: str = style.ACCENT, buff: float = 0.2) -> None:
    """A highlight stepping over `targets` in order, from the first again while time is left, for
    `seconds` (the time the pause has in this render), then fading: it appears on the first, moves
    on every `WALK_STEP_S` or so, and fades on the last. A pause too short for two steps gets no
    walk. A box drawn behind an opaque target (a picture, a panel) shows as its rim: `buff` is
    that rim's width, wide enough for the move to count as motion (see the module's docstring)."""
    steps = round(seconds / WALK_STEP_S)
    if steps < 2:
        return
    end = scene.now + seconds
    slot = seconds / steps
    box = highlight_box(targets[0], color, buff)
    scene.play(FadeIn(box), run_time=slot / 2)
    for k in range(1, steps):
        scene.wait(slot / 2)
        scene.play(Transform(box, highlight_box(targets[k % len(targets)], color, buff)), run_time=slot / 2)
    scene.play(FadeOut(box), run_time=max(1 / scene.fps, end - scene.now))
