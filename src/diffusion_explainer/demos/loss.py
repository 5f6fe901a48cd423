"""The training loss as the video shows it, in one definition for every scene that shows it.

The loss is the mean squared error per value (「値1個あたり」): (eps - eps_hat)^2 averaged over
every value of every picture of the batch, which is what the engine logs at each training
iteration. A single picture's squared error summed over all its values is the same thing times
the number of values; showing that sum beside a curve of means made two numbers disagree.

The log jumps from one iteration to the next (each batch draws new pictures, steps t and noises),
so it is shown as a moving average over WINDOW iterations. Only whole windows are averaged: the
first point is the mean of the first WINDOW iterations, in every scene.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import models
from .words import Words

WINDOW = 100  # iterations per moving-average window
UNIT = Words("値1個あたり")
Y_LABEL = Words("損失（{unit}）", unit=UNIT)


@dataclass(frozen=True)
class TrainingLoss:
    iterations: np.ndarray  # the last iteration (1-based) of each averaged window
    loss: np.ndarray  # mean squared error per value, averaged over the window ending there
    window: int  # iterations per window
    total_iterations: int  # how long training ran

    @property
    def first(self) -> float:
        """The mean over the first window: where training started."""
        return float(self.loss[0])

    @property
    def last(self) -> float:
        """The mean over the last window: where training ended."""
        return float(self.loss[-1])

    @property
    def caption(self) -> Words:
        """What the curve is, in words for the screen."""
        return Words("{unit}の二乗誤差（{window} 回ごとの平均）", unit=UNIT, window=self.window)


def per_value_loss(eps: np.ndarray, eps_hat: np.ndarray) -> float:
    """One prediction's loss, defined as the training log defines it: the mean over its values."""
    diff = np.asarray(eps, np.float64) - np.asarray(eps_hat, np.float64)
    return float(np.mean(diff * diff))


def smoothed(log: np.ndarray, window: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """(iteration at each window's end, mean over the window) for every whole window."""
    log = np.asarray(log, dtype=np.float64)
    if not 1 <= window <= len(log):
        raise ValueError(f"window must be 1..{len(log)} iterations, got {window}")
    total = np.concatenate([[0.0], np.cumsum(log)])
    ends = np.arange(window, len(log) + 1)
    return ends, (total[ends] - total[ends - window]) / window


def training_loss(points: int | None = None, window: int = WINDOW) -> TrainingLoss:
    """The pixel model's logged loss, smoothed; `points` evenly spaced windows (all if None),
    always including the first and the last."""
    log = models.load_pixel_model().training_log()
    ends, means = smoothed(log, window)
    if points is not None and points < len(ends):
        keep = np.unique(np.linspace(0, len(ends) - 1, points).round().astype(int))
        ends, means = ends[keep], means[keep]
    return TrainingLoss(ends, means, window, len(log))
