"""What scene 04 (learning to predict the noise) shows, computed with the trained pixel model.

The network is asked exactly what training asks it: given x_t and t (no prompt: the null
class), predict the noise eps that made x_t from a training picture x_0. Everything returned
is the engine's real output for one real training picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import models, pictures, schedule
from . import loss
from .words import Words

PICTURE_CLASS = Words("夕焼けの中を歩く猫")
# Noisy enough to be a guessing game, clean enough that the 16x16 picture still shows through
# (at t = 250, sqrt(abar_t) = 0.72, the cat is barely visible; at t = 100, 0.95, it reads).
SHOWN_T = 100
RANDOM_TS = (10, 500, 990)  # the values the narration names


@dataclass(frozen=True)
class NoiseGuess:
    t: int
    sqrt_alpha_bar: float
    x0: np.ndarray  # the training picture
    eps: np.ndarray  # the noise actually added (the answer)
    x_t: np.ndarray  # sqrt(abar_t) x0 + sqrt(1 - abar_t) eps
    eps_hat: np.ndarray  # the trained network's prediction from (x_t, t)

    @property
    def squared_error(self) -> float:
        """||eps - eps_hat||^2 summed over every value of the picture."""
        return float(np.sum((self.eps - self.eps_hat) ** 2))

    @property
    def mean_squared_error(self) -> float:
        """The same per value: what the training log records as the loss."""
        return float(np.mean((self.eps - self.eps_hat) ** 2))

    @property
    def loss(self) -> float:
        """The loss as every scene shows it (`demos.loss`): the mean squared error per value."""
        return loss.per_value_loss(self.eps, self.eps_hat)

    @property
    def difference_rms(self) -> float:
        """How far eps_hat is from eps, per value (root mean square of eps - eps_hat)."""
        return float(np.sqrt(self.mean_squared_error))

    @property
    def difference_caption(self) -> Words:
        return difference_caption(self.difference_rms)


# The difference eps - eps_hat is shown as a picture whose grey is 0 (a value v is drawn at
# 127.5 (1 + v) of 255). A noise value itself is about 1 in size; a tenth of that is a faint
# speckle on the grey, more is visibly off it.
NEAR_ZERO_RMS = 0.10
SMALL_RMS = 0.30


def difference_caption(rms: float) -> Words:
    """The caption under the difference picture, worded from its measured size per value (the
    number as shown, two decimals, decides the words, so they never disagree)."""
    shown = round(rms, 2)
    if shown <= NEAR_ZERO_RMS:
        words = Words("ほぼ 0 = 灰色")
    elif shown <= SMALL_RMS:
        words = Words("小さいが 0 ではない")
    else:
        words = Words("まだ大きい")
    return Words("差（{words}：ずれは値1個あたり約 {shown:.2f}）", words=words, shown=shown)


def model():
    return models.load_pixel_model()


def training_picture(index: int = 0) -> np.ndarray:
    m = model()
    return m.images[m.labels == pictures.class_id(PICTURE_CLASS)][index]


def noise_guess(t: int = SHOWN_T, picture_index: int = 0, noise_seed: int = 0) -> NoiseGuess:
    """One round of the game: add noise at step t, let the trained network guess it."""
    x0 = training_picture(picture_index)
    eps = np.random.default_rng(noise_seed).standard_normal(x0.shape).astype(np.float32)
    x_t = schedule.forward_sample(x0, t, eps)
    eps_hat = model().predict_eps(x_t, t, None)
    return NoiseGuess(int(t), float(np.sqrt(schedule.alphas_bar[t])), x0, eps, x_t, eps_hat)


def random_t_guesses(ts=RANDOM_TS, picture_index: int = 0, noise_seed: int = 0) -> list[NoiseGuess]:
    """The same picture and noise at the narration's time steps (as training draws them at random)."""
    return [noise_guess(t, picture_index, noise_seed) for t in ts]
