"""Adam with a cosine learning-rate schedule, and an exponential moving average of the weights."""

from __future__ import annotations

import math

import numpy as np


def cosine_learning_rate(step: int, total: int, peak: float, warmup: int = 100) -> float:
    """A short linear warm-up, then cosine decay to zero: the usual schedule for small models."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


class Adam:
    """Kingma & Ba's Adam, updating the parameter arrays in place."""

    def __init__(self, params: dict, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self._scratch = {k: np.empty_like(v) for k, v in params.items()}
        self.steps = 0

    def step(self, params: dict, grads: dict, lr: float) -> None:
        self.steps += 1
        c1 = 1.0 - self.beta1 ** self.steps
        c2 = 1.0 - self.beta2 ** self.steps
        for k, g in grads.items():
            m, v, tmp = self.m[k], self.v[k], self._scratch[k]
            # In place with one scratch array: this loop is memory-bound, temporaries doubled it.
            np.multiply(g, 1.0 - self.beta1, out=tmp)
            m *= self.beta1
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - self.beta2
            v *= self.beta2
            v += tmp
            np.multiply(v, 1.0 / c2, out=tmp)
            np.sqrt(tmp, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr / c1
            params[k] -= tmp


class WeightAverage:
    """EMA of the weights; sampling uses the average, which is smoother than the last step.

    The decay ramps up as (1+n)/(10+n) towards its limit so that early snapshots are not
    dominated by the random initial weights.
    """

    def __init__(self, params: dict, decay: float = 0.999):
        self.decay = decay
        self.params = {k: v.copy() for k, v in params.items()}
        self._scratch = {k: np.empty_like(v) for k, v in params.items()}
        self.updates = 0

    def update(self, params: dict) -> None:
        self.updates += 1
        d = min(self.decay, (1.0 + self.updates) / (10.0 + self.updates))
        for k, v in params.items():
            avg, tmp = self.params[k], self._scratch[k]
            np.multiply(v, 1.0 - d, out=tmp)
            avg *= d
            avg += tmp
