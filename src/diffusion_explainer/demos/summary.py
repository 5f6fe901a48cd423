"""Scene 08 (the summary): one small real illustration per step of the pipeline, and the finale.

The steps recall what the earlier scenes computed, from the same engine calls:
1. forward process: a picture and the closed form q(x_t | x_0) at t = 400;
2. training: the pixel model's real loss curve, as scene 04 shows it (`demos.loss`);
3. reverse process: the latent run of scene 07, from its starting noise to its picture;
4. text conditioning: the prompt and the guided picture of scene 06;
5. latent space: the held-out picture's 8x8x4 latent of scene 07 and what the decoder makes of it.
The finale is one more DDPM run of the latent model (a new starting noise), decoded at every
recorded step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import models, pictures, schedule
from ..engine.sampling import sample_ddpm
from . import guidance, latent
from .loss import TrainingLoss, training_loss
from .memo import on_disk
from .words import Words

PROMPT = Words("夕焼けの中を歩く猫")
FORWARD_T = 400
LOSS_POINTS = 60  # the training card is small: fewer points of the same curve
FINALE_SEED = 8
FINALE_GUIDANCE = 3.0
# Every 50 steps while the picture is still noise, every 10 while it forms.
FINALE_RECORD = tuple(range(1000, 400, -50)) + tuple(range(400, 0, -10)) + (0,)


@dataclass(frozen=True)
class ForwardPair:
    t: int
    clean: np.ndarray
    noisy: np.ndarray
    sqrt_alpha_bar: float


def forward_pair(t: int = FORWARD_T, seed: int = 5, noise_seed: int = 0) -> ForwardPair:
    x0 = pictures.example(PROMPT, size=64, seed=seed)
    eps = np.random.default_rng(noise_seed).standard_normal(x0.shape).astype(np.float32)
    return ForwardPair(t, x0, schedule.forward_sample(x0, t, eps), float(np.sqrt(schedule.alphas_bar[t])))


@dataclass(frozen=True)
class Recap:
    forward: ForwardPair
    loss: TrainingLoss  # the same curve as scene 04, fewer points
    start_noise: np.ndarray  # scene 07's generation: its decoded starting noise ...
    generated: np.ndarray  # ... and its picture
    prompt: str
    prompted: np.ndarray  # scene 06's guided picture of the prompt
    latent: np.ndarray  # scene 07's held-out picture as an 8x8x4 latent ...
    decoded: np.ndarray  # ... and decoded again


def recap() -> Recap:
    generation, enc = latent.latent_generation(), latent.encoding()
    return Recap(forward_pair(), training_loss(points=LOSS_POINTS), generation.decoded[0], generation.decoded[-1],
                 PROMPT, guidance.conditioned_run().final, enc.latent, enc.decoded)


@dataclass(frozen=True)
class Finale:
    steps: tuple[int, ...]
    frames: np.ndarray  # (len(steps), 64, 64, 3) decoded x_t from pure noise to the picture


@on_disk
def finale(seed: int = FINALE_SEED) -> Finale:
    m = models.load_latent_model()
    traj = sample_ddpm(m, 1, pictures.class_id(PROMPT), FINALE_GUIDANCE, seed=seed, record_steps=FINALE_RECORD)
    return Finale(traj.steps, m.to_pictures(traj.x_t[:, 0]))
