"""A latent (h, w, channels) drawn as its channels stacked like sheets of paper: the "8x8x4"
of latent diffusion made visible. Each channel is a crisp grid coloured by value: negative in
the noise colour, zero dark, positive in the accent colour."""

from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, UP, Group, Polygon, Rectangle, VGroup

from ..core import style
from .pictures import picture
from .text import LABEL_EM, jp

LIMIT = 2.5  # latents have unit scale: +-2.5 covers almost every value


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)


def channel_to_rgb(channel: np.ndarray, limit: float = LIMIT) -> np.ndarray:
    """(h, w) values -> (h, w, 3) uint8 on a diverging scale."""
    v = np.clip(np.asarray(channel, np.float64) / limit, -1, 1)[..., None]
    zero, neg, pos = _rgb(style.PANEL), _rgb(style.NOISE), _rgb(style.ACCENT)
    rgb = np.where(v >= 0, zero + v * (pos - zero), zero - v * (neg - zero))
    return np.clip(np.round(rgb), 0, 255).astype(np.uint8)


def latent_stack(latent: np.ndarray, side: float, offset: float | None = None) -> Group:
    """The channels as sheets, the first in front, each further one up and to the right."""
    offset = side * 0.16 if offset is None else offset
    sheets = Group()
    for k in reversed(range(latent.shape[-1])):
        sheet = picture(channel_to_rgb(latent[..., k]), side, border=style.MUTED)
        sheet.shift((RIGHT + UP) * offset * k)
        sheets.add(sheet)
    return sheets.move_to([0, 0, 0])


def size_box(side: float, color: str = style.MUTED) -> Rectangle:
    """An empty square: the footprint of a picture or latent drawn to scale."""
    return Rectangle(width=side, height=side, stroke_color=color, stroke_width=2)


def coder(caption: str, narrowing: bool = True, width: float = 1.2, height: float = 1.3,
          color: str = style.INK):
    """The encoder (narrowing, picture -> latent) or decoder (widening) as a trapezoid with its name."""
    w, h, n = width / 2, height / 2, height * 0.22
    left, right = (h, n) if narrowing else (n, h)
    shape = Polygon([-w, left, 0], [w, right, 0], [w, -right, 0], [-w, -left, 0], stroke_color=color,
                    stroke_width=3)
    shape.set_fill(style.PANEL, opacity=1)
    name = jp(caption, LABEL_EM, color).next_to(shape, DOWN, buff=0.12)
    return VGroup(shape, name)


__all__ = ["channel_to_rgb", "latent_stack", "size_box", "coder"]
