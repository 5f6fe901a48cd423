"""Pictures computed by the engine, shown as crisp pixel grids (nearest-neighbour, no blur)."""

from __future__ import annotations

import numpy as np
from manim import DOWN, Group, ImageMobject, Rectangle
from manim.constants import RESAMPLING_ALGORITHMS

from ..core import style
from .text import LABEL_EM, wrapped


def to_rgb8(image: np.ndarray) -> np.ndarray:
    """(H, W, C) in [-1, 1] (the engine's range) or uint8 -> (H, W, 3) uint8."""
    if image.dtype == np.uint8:
        return image[..., :3]
    return np.clip(np.round((image[..., :3] + 1) * 127.5), 0, 255).astype(np.uint8)


def picture(image: np.ndarray, side: float, border: str | None = style.MUTED) -> Group:
    """A picture `side` units wide, its pixels drawn as sharp squares."""
    rgb = to_rgb8(image)
    h, w = rgb.shape[:2]
    scale = max(1, 256 // max(h, w))  # enlarge before Manim so no renderer smooths the pixels
    big = np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)
    mob = ImageMobject(big)
    mob.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    mob.width = side
    group = Group(mob)
    if border:
        frame = Rectangle(width=mob.width, height=mob.height, stroke_color=border, stroke_width=1.5)
        frame.move_to(mob)
        group.add(frame)
    return group


def picture_card(image: np.ndarray, side: float, caption: str, em: float = LABEL_EM,
                 color: str = style.MUTED) -> Group:
    """A picture with its caption underneath (in centred lines, if it is wider than the picture
    by more than 40%)."""
    pic = picture(image, side)
    text = wrapped(caption, side * 1.4, em, color, centred=True)
    text.next_to(pic, DOWN, buff=0.12)
    return Group(pic, text)


def noise_image(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Standard Gaussian noise shown as a picture (clipped to the displayable range)."""
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
