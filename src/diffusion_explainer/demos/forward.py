"""What scene 03 (the forward process) shows, computed with the engine's DDPM schedule.

- `forward_strip`: one picture noised to several t with the closed form q(x_t | x_0), the same
  noise eps for every t so the strip reads as one picture dissolving.
- `beta_schedule`: the real beta_t, 1e-4 at t = 1 rising linearly to 0.02 at t = 1000.
- `step_factors`: the two numbers of one step of q(x_t | x_{t-1}) at a given t.
- `noising_chain`: the one-step formula applied 1000 times (not the closed form), recorded every
  few steps, with how much of the picture is left (sqrt(abar_t)) and what the end looks like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import pictures, schedule
from .words import Words

PICTURE_CLASS = Words("夕焼けの中を歩く猫")  # the prompt the video keeps coming back to
PICTURE_SIZE = 32  # large enough that the cat stays readable while it dissolves
STRIP_STEPS = (0, 250, 500, 750, 1000)


@dataclass(frozen=True)
class NoisedPicture:
    t: int
    sqrt_alpha_bar: float  # the share of the picture that is left in x_t
    image: np.ndarray  # (size, size, 3), the engine's range ([-1, 1] for the clean picture)


def clean_picture(size: int = PICTURE_SIZE, seed: int = 1) -> np.ndarray:
    return pictures.example(PICTURE_CLASS, size=size, seed=seed)


def forward_strip(steps=STRIP_STEPS, size: int = PICTURE_SIZE, seed: int = 1,
                  noise_seed: int = 0) -> list[NoisedPicture]:
    """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps at each t, with one eps for all."""
    x0 = clean_picture(size, seed)
    eps = np.random.default_rng(noise_seed).standard_normal(x0.shape).astype(np.float32)
    return [NoisedPicture(int(t), float(np.sqrt(schedule.alphas_bar[t])), schedule.forward_sample(x0, int(t), eps))
            for t in steps]


def beta_schedule() -> tuple[np.ndarray, np.ndarray]:
    """(t, beta_t) for t = 1..T."""
    t = np.arange(1, schedule.T + 1)
    return t, schedule.betas[1:].copy()


@dataclass(frozen=True)
class StepFactors:
    t: int
    keep: float  # sqrt(1 - beta_t): how much of x_{t-1} is kept ("薄める")
    beta: float  # beta_t: the variance of the noise added ("ノイズを足す")


def step_factors(t: int) -> StepFactors:
    return StepFactors(int(t), float(np.sqrt(1.0 - schedule.betas[t])), float(schedule.betas[t]))


@dataclass(frozen=True)
class NoisingChain:
    steps: tuple[int, ...]  # the recorded t, from 0 to T
    frames: np.ndarray  # (len(steps), size, size, 3): x_t after t applications of q(x_t | x_{t-1})
    sqrt_alpha_bar: np.ndarray  # (len(steps),) the picture's share left at each recorded t
    correlation: np.ndarray  # (len(steps),) correlation of x_t with x_0 over all pixel values
    final_mean: float  # mean and standard deviation of x_T's values: N(0, 1) noise has 0 and 1
    final_std: float


def noising_chain(every: int = 20, size: int = PICTURE_SIZE, seed: int = 1, noise_seed: int = 0) -> NoisingChain:
    x0 = clean_picture(size, seed)
    steps = tuple(range(0, schedule.T + 1, every)) + (() if schedule.T % every == 0 else (schedule.T,))
    frames = schedule.forward_trajectory(x0, steps, np.random.default_rng(noise_seed))
    flat0 = x0.ravel() - x0.mean()
    corr = np.array([np.corrcoef(flat0, f.ravel())[0, 1] for f in frames])
    last = frames[-1]
    return NoisingChain(steps, frames, np.sqrt(schedule.alphas_bar[list(steps)]), corr,
                        float(last.mean()), float(last.std()))
