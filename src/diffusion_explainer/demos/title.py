"""The title card's pictures (scene 01, and the thumbnail made from it): one real engine run.

The noise on the card is the very noise the run started from and the picture is what that run
made of it: `generation.born_from_noise` (the call scene 02 animates) with the title's seed. The
run is in the latent model, whose starting noise lives in the 8x8x4 latent space; the card shows
it as the decoder draws it, as scene 02 does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import models
from . import generation
from .memo import on_disk
from .words import Words

PROMPT = generation.PICTURE_CLASS
SEED = 1
GUIDANCE = 3.0  # the scale scenes 06-08 generate with


@dataclass(frozen=True)
class TitleRun:
    prompt: str
    seed: int
    guidance: float
    start_noise: np.ndarray  # (64, 64, 3) the run's x_T, seen through the decoder
    picture: np.ndarray  # (64, 64, 3) in [-1, 1]: the finished picture of that run
    start_caption: Words
    picture_caption: Words


@on_disk
def title_run(seed: int = SEED, guidance: float = GUIDANCE) -> TitleRun:
    run = generation.born_from_noise(seed=seed, guidance=guidance)
    return TitleRun(PROMPT, seed, guidance, run.start_noise, run.picture,
                    Words("出発点のノイズ"), Words("生成された絵「{prompt}」", prompt=PROMPT))


def model() -> models.LatentDiffusionModel:
    return models.load_latent_model()
