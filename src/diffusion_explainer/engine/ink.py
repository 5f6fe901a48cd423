"""Ink in water: a real simulation of the diffusion (heat) equation dc/dt = D (d2c/dx2 + d2c/dy2).

A drop of concentrated colour spreads and thins; no ink is created or lost at the walls. This is
the physical process the models are named after: each ink molecule takes a random walk, and
the concentration is the probability density of where a molecule has got to. The forward
process of DDPM does the same to every picture value, with a pull towards 0 added.

Units: the grid spacing is 1 and time is in simulation steps times dt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class InkFrames:
    times: np.ndarray  # (F,) simulated time of each frame
    concentration: np.ndarray  # (F, H, W) ink per cell; the total stays the same


def initial_drop(size: int, centre=(0.5, 0.5), radius: float = 2.5, amount: float = 1.0) -> np.ndarray:
    """A disc of concentrated ink holding `amount` in total."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    disc = ((xx - centre[0] * size) ** 2 + (yy - centre[1] * size) ** 2 <= radius**2).astype(float)
    return disc * (amount / disc.sum())


def diffusion_step(c: np.ndarray, r: float) -> np.ndarray:
    """One explicit step: c + r * Laplacian(c), with r = D dt / dx^2 <= 1/4 for stability.

    Edge cells are mirrored (no-flux walls), so the sum of c is conserved exactly.
    """
    p = np.pad(c, 1, mode="edge")
    lap = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4.0 * c
    return c + r * lap


def simulate_ink(size: int = 64, frames: int = 60, steps_per_frame: int = 20,
                 diffusivity: float = 1.0, dt: float = 0.2, drop: np.ndarray | None = None
                 ) -> InkFrames:
    """Frames of a drop spreading in still water; frame 0 is the drop as it lands."""
    r = diffusivity * dt
    if r > 0.25:
        raise ValueError(f"unstable: diffusivity*dt = {r} must be <= 0.25 (grid spacing 1)")
    c = initial_drop(size) if drop is None else np.asarray(drop, dtype=float)
    out = [c]
    for _ in range(frames - 1):
        for _ in range(steps_per_frame):
            c = diffusion_step(c, r)
        out.append(c)
    times = np.arange(frames) * steps_per_frame * dt
    return InkFrames(times, np.stack(out))


def ink_to_rgb(concentration: np.ndarray, ink=(0.12, 0.2, 0.75), water=(0.92, 0.96, 1.0),
               strength: float | None = None) -> np.ndarray:
    """uint8 RGB of water tinted by ink: light absorbed as exp(-strength * c) (Beer-Lambert).

    strength defaults to ink that still tints the water clearly when spread evenly over a
    quarter of the picture's width all round (a disc of radius size/4): the drop starts as a
    saturated blot and fades as the same ink covers more water.
    """
    c = np.asarray(concentration, dtype=float)
    if strength is None:
        first = c.reshape(-1, *c.shape[-2:])[0]
        strength = np.pi * (first.shape[0] / 4) ** 2 / first.sum()
    alpha = (1.0 - np.exp(-strength * c))[..., None]
    rgb = (1.0 - alpha) * np.asarray(water) + alpha * np.asarray(ink)
    return np.round(rgb * 255).astype(np.uint8)


def random_walkers(n: int, steps: int, step_std: float = 1.0, seed: int = 0) -> np.ndarray:
    """(steps + 1, n, 2) positions of ink molecules, each adding Gaussian noise every step.

    Their spread grows as step_std * sqrt(steps): the same sqrt law as the concentration above.
    """
    rng = np.random.default_rng(seed)
    moves = rng.normal(0.0, step_std, (steps, n, 2))
    return np.concatenate([np.zeros((1, n, 2)), np.cumsum(moves, axis=0)])


def spread(concentration: np.ndarray) -> float:
    """Standard deviation of the ink's position along one axis (the mean over both axes)."""
    c = np.asarray(concentration, dtype=float)
    yy, xx = np.mgrid[0:c.shape[0], 0:c.shape[1]]
    m = c.sum()
    var = 0.0
    for coord in (xx, yy):
        mu = (c * coord).sum() / m
        var += (c * (coord - mu) ** 2).sum() / m
    return float(np.sqrt(var / 2))
