"""Generating pictures: ancestral DDPM (1000 small random steps) and DDIM (a few large steps).

Both start from pure noise x_T and return the whole trajectory the video animates: x_t and the
model's current guess of the finished picture, x0_hat, at the recorded steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import schedule
from .blas import one_blas_thread


@dataclass
class Trajectory:
    steps: tuple[int, ...]  # the recorded time steps t, from noisy to clean
    x_t: np.ndarray  # (len(steps), n, *picture) the state at each recorded t
    x0_pred: np.ndarray  # (len(steps), n, *picture) the model's guess of x_0 seen from that t
    samples: np.ndarray  # (n, *picture) the finished pictures, x_0
    class_ids: np.ndarray  # (n,) the prompt of each picture (-1: none)
    guidance: float

    def at(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(x_t, x0_hat) at a recorded step t."""
        i = self.steps.index(t)
        return self.x_t[i], self.x0_pred[i]


def _class_ids(class_id, n: int):
    if class_id is None:
        return None, np.full(n, -1)
    ids = np.broadcast_to(np.asarray(class_id, dtype=np.int64), (n,)).copy()
    return ids, ids


def _guided_x0_and_eps(model, x, t, ids, guidance, clip_denoised):
    eps = model.predict_eps_guided(x, t, ids, guidance)
    x0 = schedule.predicted_x0(x, t, eps)
    if clip_denoised:
        # Clean data lives in value_range ([-1, 1] for pictures); re-deriving eps from the
        # clipped guess keeps the two consistent.
        x0 = np.clip(x0, *model.value_range)
        ab = schedule.alphas_bar[t]
        eps = ((x - np.sqrt(ab) * x0) / np.sqrt(1.0 - ab)).astype(x.dtype)
    return x0, eps


def sample_ddpm(model, n: int, class_id=None, guidance: float = 1.0, seed: int = 0,
                record_steps=None, clip_denoised: bool = True) -> Trajectory:
    """Ancestral sampling, Ho et al. 2020 Algorithm 2, with classifier-free guidance.

    x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) * eps) / sqrt(alpha_t) + sigma_t z,  sigma_t^2 = beta_t,
    with no noise added at the last step. record_steps defaults to every 50th step.
    clip_denoised clips x0_hat to the data's range ([-1, 1] for pictures) before the step, as the authors'
    released code does (the paper's formula is the unclipped case, clip_denoised=False).
    """
    rng = np.random.default_rng(seed)
    record = set(range(schedule.T, 0, -50) if record_steps is None else record_steps)
    ids, shown_ids = _class_ids(class_id, n)
    x = rng.standard_normal((n,) + model.picture_shape).astype(np.float32)
    steps, xs, x0s = [], [], []
    with one_blas_thread():
        for t in range(schedule.T, 0, -1):
            x0, eps = _guided_x0_and_eps(model, x, t, ids, guidance, clip_denoised)
            if t in record:
                steps.append(t)
                xs.append(x.copy())
                x0s.append(x0)
            mean = (x - schedule.betas[t] / np.sqrt(1.0 - schedule.alphas_bar[t]) * eps) \
                / np.sqrt(schedule.alphas[t])
            noise = rng.standard_normal(x.shape).astype(np.float32) if t > 1 else 0.0
            x = (mean + np.sqrt(schedule.betas[t]) * noise).astype(np.float32)
    return _trajectory(steps, xs, x0s, x, record, shown_ids, guidance)


def ddim_timesteps(num_steps: int) -> np.ndarray:
    """num_steps + 1 evenly spaced time steps from T down to 0 (0 is the finished picture)."""
    return np.round(np.linspace(schedule.T, 0, num_steps + 1)).astype(int)


def sample_ddim(model, n: int, class_id=None, guidance: float = 1.0, seed: int = 0,
                num_steps: int = 50, record_steps=None, eta: float = 0.0,
                clip_denoised: bool = True) -> Trajectory:
    """DDIM (Song et al. 2021): jump from t to an earlier s using the guess x0_hat.

    x_s = sqrt(abar_s) x0_hat + sqrt(1 - abar_s - sigma^2) eps + sigma z; eta = 0 (the default)
    makes sampling deterministic given the starting noise. record_steps defaults to every step.
    Large jumps amplify errors of x0_hat far outside the data's range, hence clip_denoised.
    """
    rng = np.random.default_rng(seed)
    ts = ddim_timesteps(num_steps)
    record = set(ts[:-1].tolist() if record_steps is None else record_steps)
    ids, shown_ids = _class_ids(class_id, n)
    x = rng.standard_normal((n,) + model.picture_shape).astype(np.float32)
    steps, xs, x0s = [], [], []
    with one_blas_thread():
        for t, s in zip(ts[:-1], ts[1:]):
            x0, eps = _guided_x0_and_eps(model, x, int(t), ids, guidance, clip_denoised)
            if t in record:
                steps.append(int(t))
                xs.append(x.copy())
                x0s.append(x0)
            ab_t, ab_s = schedule.alphas_bar[t], schedule.alphas_bar[s]
            sigma = eta * np.sqrt((1 - ab_s) / (1 - ab_t) * (1 - ab_t / ab_s))
            x = np.sqrt(ab_s) * x0 + np.sqrt(1 - ab_s - sigma**2) * eps
            if sigma > 0:
                x = x + sigma * rng.standard_normal(x.shape)
            x = x.astype(np.float32)
    return _trajectory(steps, xs, x0s, x, record, shown_ids, guidance)


def _trajectory(steps, xs, x0s, final, record, shown_ids, guidance) -> Trajectory:
    if 0 in record:  # t = 0 is the finished picture itself
        steps.append(0)
        xs.append(final)
        x0s.append(final)
    empty = np.zeros((0,) + final.shape, final.dtype)
    return Trajectory(tuple(steps), np.stack(xs) if xs else empty, np.stack(x0s) if x0s else empty,
                      final, shown_ids, float(guidance))
