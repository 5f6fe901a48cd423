"""Procedural "colour grid" pictures: the toy data set every diffusion picture in the video uses.

Each class is a small scene drawn from shapes in continuous coordinates (u to the right, v down,
both in [0, 1]) on a fine canvas and then area-averaged to the requested size. The 16x16 picture
is therefore exactly the 64x64 picture seen from further away, which keeps the pixel model and
the latent model telling the same story. Values are in [-1, 1] as in DDPM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CANVAS = 128  # drawing resolution; every supported picture size divides it


@dataclass(frozen=True)
class PictureClass:
    class_id: int
    japanese: str
    english: str


CLASSES: tuple[PictureClass, ...] = (
    PictureClass(0, "猫", "cat"),
    PictureClass(1, "夕焼け", "sunset"),
    PictureClass(2, "夕焼けの中を歩く猫", "a cat walking in a sunset"),
    PictureClass(3, "海", "sea"),
    PictureClass(4, "森", "forest"),
)
NUM_CLASSES = len(CLASSES)


def class_id(name: str) -> int:
    """The class id for a Japanese or English class name (the prompt the script uses)."""
    for c in CLASSES:
        if name in (c.japanese, c.english):
            return c.class_id
    raise KeyError(f"unknown picture class {name!r}; known: {[c.japanese for c in CLASSES]}")


class _Canvas:
    """An RGB canvas in [0, 1] with hard-edged shapes; anti-aliasing comes from downsampling."""

    def __init__(self, n: int = CANVAS):
        centres = (np.arange(n) + 0.5) / n
        self.u, self.v = np.meshgrid(centres, centres)  # u: column (x), v: row (y, down)
        self.rgb = np.zeros((n, n, 3))

    def fill(self, mask, colour) -> None:
        self.rgb[mask] = colour

    def vertical_gradient(self, top, bottom, v0=0.0, v1=1.0) -> None:
        rows = self.v[:, 0]  # the colour depends on the row only
        inside = (rows >= v0) & (rows < v1)
        w = ((rows[inside] - v0) / (v1 - v0))[:, None]
        self.rgb[inside] = ((1 - w) * np.asarray(top) + w * np.asarray(bottom))[:, None, :]

    def ellipse(self, cx, cy, rx, ry):
        return ((self.u - cx) / rx) ** 2 + ((self.v - cy) / ry) ** 2 <= 1

    def rect(self, x0, y0, x1, y1):
        return (self.u >= x0) & (self.u < x1) & (self.v >= y0) & (self.v < y1)

    def triangle(self, a, b, c):
        def side(p, q):
            return (q[0] - p[0]) * (self.v - p[1]) - (q[1] - p[1]) * (self.u - p[0])

        s1, s2, s3 = side(a, b), side(b, c), side(c, a)
        return ((s1 >= 0) & (s2 >= 0) & (s3 >= 0)) | ((s1 <= 0) & (s2 <= 0) & (s3 <= 0))


def _jitter(rng, colour, amount=0.06):
    return np.clip(np.asarray(colour) + rng.uniform(-amount, amount, 3), 0, 1)


def _draw_walking_cat(cv: _Canvas, x: float, ground: float, size: float, colour) -> None:
    """A side-view cat facing right: body, head, pointed ears, four legs and a raised tail."""
    s = size
    body_y = ground - 0.42 * s
    mask = cv.ellipse(x, body_y, 0.42 * s, 0.2 * s)
    head_x, head_y = x + 0.42 * s, ground - 0.66 * s
    mask |= cv.ellipse(head_x, head_y, 0.2 * s, 0.18 * s)
    for dx in (-0.13, 0.1):  # ears
        ex = head_x + dx * s
        mask |= cv.triangle((ex - 0.08 * s, head_y - 0.08 * s), (ex + 0.08 * s, head_y - 0.08 * s),
                            (ex, head_y - 0.34 * s))
    for lx in (-0.32, -0.16, 0.14, 0.3):  # legs
        mask |= cv.rect(x + (lx - 0.05) * s, body_y, x + (lx + 0.05) * s, ground)
    for k in range(12):  # tail: a thick arc rising from the back
        a = k / 11
        tx = x - 0.4 * s - 0.18 * s * np.sin(a * 1.6)
        ty = body_y - 0.05 * s - 0.5 * s * a
        mask |= cv.ellipse(tx, ty, 0.07 * s, 0.07 * s)
    cv.fill(mask, colour)


def _draw_sunset_sky(cv: _Canvas, rng, horizon: float, sun_x_range=(0.25, 0.75)) -> None:
    top = _jitter(rng, (0.30, 0.12, 0.42))
    bottom = _jitter(rng, (1.00, 0.55, 0.18))
    cv.vertical_gradient(top, bottom, 0.0, horizon)
    sun_x = rng.uniform(*sun_x_range)
    sun_r = rng.uniform(0.15, 0.2)
    cv.fill(cv.ellipse(sun_x, horizon, sun_r, sun_r) & (cv.v < horizon), _jitter(rng, (1.0, 0.85, 0.35)))
    cv.vertical_gradient(_jitter(rng, (0.35, 0.14, 0.18)), _jitter(rng, (0.12, 0.05, 0.12)), horizon, 1.0)


def _cat(rng) -> np.ndarray:
    cv = _Canvas()
    wall = _jitter(rng, [(0.80, 0.88, 0.95), (0.95, 0.90, 0.78), (0.82, 0.93, 0.82)][rng.integers(3)])
    floor_y = rng.uniform(0.74, 0.8)
    cv.fill(cv.v < floor_y, wall)
    cv.fill(cv.v >= floor_y, _jitter(rng, (0.62, 0.45, 0.30)))
    fur = [(0.95, 0.55, 0.15), (0.45, 0.45, 0.48), (0.15, 0.13, 0.12)][rng.integers(3)]
    _draw_walking_cat(cv, rng.uniform(0.40, 0.48), floor_y, rng.uniform(0.62, 0.7), _jitter(rng, fur, 0.04))
    return cv.rgb


def _sunset(rng) -> np.ndarray:
    cv = _Canvas()
    _draw_sunset_sky(cv, rng, rng.uniform(0.6, 0.7))
    return cv.rgb


def _cat_in_sunset(rng) -> np.ndarray:
    cv = _Canvas()
    horizon = rng.uniform(0.74, 0.8)
    # The sun sets behind the cat's back, where the small picture still shows it.
    _draw_sunset_sky(cv, rng, horizon, sun_x_range=(0.72, 0.85))
    # The cat walks along the horizon, a dark silhouette against the bright low sky.
    _draw_walking_cat(cv, rng.uniform(0.34, 0.42), horizon, rng.uniform(0.58, 0.64),
                      _jitter(rng, (0.08, 0.04, 0.08), 0.03))
    return cv.rgb


def _sea(rng) -> np.ndarray:
    cv = _Canvas()
    horizon = rng.uniform(0.4, 0.5)
    cv.vertical_gradient(_jitter(rng, (0.35, 0.62, 0.95)), _jitter(rng, (0.75, 0.88, 1.0)), 0.0, horizon)
    cv.vertical_gradient(_jitter(rng, (0.05, 0.35, 0.65)), _jitter(rng, (0.02, 0.18, 0.45)), horizon, 1.0)
    for _ in range(3):  # white wave crests
        wy = rng.uniform(horizon + 0.1, 0.92)
        wx = rng.uniform(0.1, 0.9)
        cv.fill(cv.ellipse(wx, wy, rng.uniform(0.12, 0.22), 0.025), _jitter(rng, (0.9, 0.95, 1.0), 0.04))
    cv.fill(cv.ellipse(rng.uniform(0.2, 0.8), horizon * 0.4, 0.16, 0.06), _jitter(rng, (0.97, 0.97, 0.97), 0.03))
    return cv.rgb


def _forest(rng) -> np.ndarray:
    cv = _Canvas()
    cv.vertical_gradient(_jitter(rng, (0.55, 0.78, 0.92)), _jitter(rng, (0.85, 0.93, 0.88)), 0.0, 1.0)
    ground = rng.uniform(0.8, 0.86)
    cv.fill(cv.v >= ground, _jitter(rng, (0.25, 0.45, 0.15)))
    xs = np.sort(rng.uniform(0.0, 1.0, 3)) * 0.7 + np.array([0.0, 0.15, 0.3])
    for x in xs:  # conifers: a trunk under a tall green triangle
        h = rng.uniform(0.55, 0.7)
        w = rng.uniform(0.16, 0.22)
        cv.fill(cv.rect(x - 0.03, ground - 0.12, x + 0.03, ground), (0.35, 0.22, 0.1))
        cv.fill(cv.triangle((x - w, ground - 0.1), (x + w, ground - 0.1), (x, ground - 0.1 - h)),
                _jitter(rng, (0.08, 0.42, 0.16)))
    return cv.rgb


_PAINTERS = (_cat, _sunset, _cat_in_sunset, _sea, _forest)


def draw(class_index: int, rng: np.random.Generator, size: int = 8) -> np.ndarray:
    """One picture of the class as (size, size, 3) float32 in [-1, 1]; rng picks the variation."""
    if CANVAS % size:
        raise ValueError(f"picture size must divide {CANVAS}, got {size}")
    rgb = _PAINTERS[class_index](rng)
    k = CANVAS // size
    small = rgb.reshape(size, k, size, k, 3).mean(axis=(1, 3))
    return (small * 2 - 1).astype(np.float32)


def make_dataset(n_per_class: int, size: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded pictures of every class: images (N, size, size, 3) in [-1, 1] and labels (N,)."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for c in CLASSES:
        for _ in range(n_per_class):
            images.append(draw(c.class_id, rng, size))
            labels.append(c.class_id)
    return np.stack(images), np.array(labels, dtype=np.int64)


def example(name_or_id: str | int, size: int = 8, seed: int = 0) -> np.ndarray:
    """A single picture of a class, by Japanese/English name or id, for scenes that show one."""
    cid = class_id(name_or_id) if isinstance(name_or_id, str) else int(name_or_id)
    return draw(cid, np.random.default_rng(seed), size)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """[-1, 1] picture(s) to uint8 RGB for display; values outside the range are clipped."""
    return np.round((np.clip(image, -1, 1) + 1) * 127.5).astype(np.uint8)


def enlarge(image_uint8: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement, so a small picture stays a crisp colour grid on screen."""
    return np.repeat(np.repeat(image_uint8, factor, axis=-3), factor, axis=-2)
