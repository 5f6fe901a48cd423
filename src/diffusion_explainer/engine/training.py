"""Training an epsilon-prediction denoiser: the loss ||eps - eps_theta(x_t, t, c)||^2 of DDPM.

Each step draws pictures x_0, time steps t uniform in 1..T and noise eps, forms x_t with the
closed form q(x_t | x_0), and moves the weights to predict eps. A fraction of the class labels
is replaced by the null class so the same network also learns the unconditional model that
classifier-free guidance needs.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from . import schedule
from .blas import one_blas_thread
from .network import Denoiser, NetworkShape, init_params
from .optim import Adam, WeightAverage, cosine_learning_rate


@dataclass(frozen=True)
class TrainingConfig:
    iterations: int = 6000
    batch_size: int = 128
    learning_rate: float = 2e-3
    warmup: int = 100
    ema_decay: float = 0.999
    null_class_probability: float = 0.15  # Ho & Salimans drop 10-20% of labels
    seed: int = 0
    snapshot_iterations: tuple[int, ...] = ()  # keep the averaged weights at these steps too


@dataclass
class TrainingResult:
    params: dict  # the weight average (EMA), which sampling uses
    losses: np.ndarray  # loss per iteration
    snapshots: dict = field(default_factory=dict)  # iteration -> weight average at that step
    seconds: float = 0.0


def train_denoiser(data: np.ndarray, labels: np.ndarray, shape: NetworkShape,
                   config: TrainingConfig, name: str = "denoiser", progress: bool = False,
                   ) -> TrainingResult:
    """Train on flat float32 data (N, D) with labels (N,); deterministic for a given seed."""
    rng = np.random.default_rng(config.seed)
    params = init_params(shape, rng)
    net = Denoiser(shape, params, picture_shape=(shape.data_dim,))
    adam = Adam(params)
    average = WeightAverage(params, config.ema_decay)
    sqrt_ab = np.sqrt(schedule.alphas_bar).astype(np.float32)
    sqrt_1mab = np.sqrt(1.0 - schedule.alphas_bar).astype(np.float32)
    losses = np.empty(config.iterations, dtype=np.float32)
    snapshots = {}
    B = config.batch_size
    start = time.perf_counter()
    with one_blas_thread():
        for it in range(config.iterations):
            idx = rng.integers(0, len(data), B)
            x0, y = data[idx], labels[idx].copy()
            y[rng.random(B) < config.null_class_probability] = shape.num_classes
            t = rng.integers(1, schedule.T + 1, B)
            eps = rng.standard_normal(x0.shape, dtype=np.float32)
            x_t = sqrt_ab[t, None] * x0 + sqrt_1mab[t, None] * eps
            out, cache = net.forward(x_t, t, y, keep=True)
            diff = out - eps
            losses[it] = np.mean(diff * diff)
            grads = net.backward(cache, diff * (2.0 / diff.size))
            adam.step(params, grads, cosine_learning_rate(it, config.iterations,
                                                          config.learning_rate, config.warmup))
            average.update(params)
            if it + 1 in config.snapshot_iterations:
                snapshots[it + 1] = {k: v.copy() for k, v in average.params.items()}
            if progress and ((it + 1) % 500 == 0 or it + 1 == config.iterations):
                recent = losses[max(0, it - 99):it + 1].mean()
                print(f"[engine] {name}: iteration {it + 1}/{config.iterations}  "
                      f"loss {recent:.4f}  elapsed {time.perf_counter() - start:.1f}s",
                      file=sys.stderr, flush=True)
    return TrainingResult(average.params, losses, snapshots, time.perf_counter() - start)
