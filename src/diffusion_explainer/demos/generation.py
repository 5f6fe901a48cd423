"""What scene 02 (what is image generation) shows, computed with the engine.

- `born_from_noise`: a real sample of the trained latent model ("夕焼けの中を歩く猫"), with the
  path it took from its starting noise: every recorded x_t seen through the decoder.
- `ink_spreading`: ink in still water, a simulation of the diffusion (heat) equation with the
  engine's explicit, stable scheme; frames at times spaced geometrically, because a spreading
  drop changes fast at first and slowly later (its width grows like sqrt(time)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import ink, models, pictures, sampling, schedule
from .memo import on_disk
from .words import Words

PICTURE_CLASS = Words("夕焼けの中を歩く猫")


@dataclass(frozen=True)
class Emergence:
    steps: tuple[int, ...]  # recorded t, from T down to 0
    frames: np.ndarray  # (len(steps), 64, 64, 3) the decoded x_t at each recorded t, in [-1, 1]
    picture: np.ndarray  # the finished sample (the last frame)
    start_noise: np.ndarray  # the decoded x_T: where the picture began
    class_name: str


@on_disk
def born_from_noise(seed: int = 0, guidance: float = 1.0) -> Emergence:
    """The picture takes shape late (below t = 400), so the record is denser there."""
    model = models.load_latent_model()
    record = list(range(schedule.T, 400, -50)) + list(range(400, 0, -10)) + [0]
    trajectory = sampling.sample_ddpm(model, 1, class_id=pictures.class_id(PICTURE_CLASS), guidance=guidance,
                                      seed=seed, record_steps=record)
    frames = model.to_pictures(trajectory.x_t[:, 0])
    return Emergence(trajectory.steps, frames, frames[-1], frames[0], PICTURE_CLASS)


@dataclass(frozen=True)
class InkSpreading:
    times: np.ndarray  # (F,) simulated time of each frame (grid spacing 1, diffusivity 1)
    rgb: np.ndarray  # (F, size, size, 3) uint8: water tinted by the ink
    concentration: np.ndarray  # (F, size, size): the ink per cell; its total never changes
    peak: np.ndarray  # (F,) the highest concentration, relative to the even spread at the end
    spread: np.ndarray  # (F,) the ink's standard deviation along an axis, in cells


def ink_spreading(frames: int = 40, size: int = 64, end_time: float = 1200.0, first_time: float = 2.0,
                  dt: float = 0.25, seed_radius: float = 4.0) -> InkSpreading:
    """Frames of a drop spreading until the water is evenly tinted (no-flux walls keep the ink)."""
    r = dt  # diffusivity 1: r = D dt / dx^2 must stay <= 1/4
    times = np.concatenate([[0.0], np.geomspace(first_time, end_time, frames - 1)])
    wanted = np.round(times / dt).astype(int)
    c = ink.initial_drop(size, radius=seed_radius)
    out, step = [], 0
    for target in wanted:
        while step < target:
            c = ink.diffusion_step(c, r)
            step += 1
        out.append(c.copy())
    conc = np.stack(out)
    even = conc[0].sum() / conc[0].size
    return InkSpreading(wanted * dt, ink.ink_to_rgb(conc), conc, conc.max(axis=(1, 2)) / even,
                        np.array([ink.spread(f) for f in conc]))
