"""The DDPM forward (noising) process: the linear beta schedule and its two ways to add noise.

Arrays are indexed by the paper's time step t = 0..T directly: index 0 is the clean picture
(beta_0 = 0, alpha_bar_0 = 1), so `alphas_bar[1000]` is alpha_bar_1000 as written on screen.
"""

from __future__ import annotations

import numpy as np

T = 1000
BETA_START = 1e-4
BETA_END = 0.02

# Ho et al. 2020: beta_t rises linearly from 1e-4 to 0.02 over t = 1..1000.
betas = np.concatenate([[0.0], np.linspace(BETA_START, BETA_END, T)])
alphas = 1.0 - betas
alphas_bar = np.cumprod(alphas)


def q_step(x_prev: np.ndarray, t: int, eps: np.ndarray) -> np.ndarray:
    """One step of q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I), for a given noise eps."""
    return np.sqrt(alphas[t]) * x_prev + np.sqrt(betas[t]) * eps


def forward_sample(x0: np.ndarray, t, eps: np.ndarray) -> np.ndarray:
    """The closed form q(x_t | x_0): x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps.

    t may be an int or one time step per picture (an array as long as x0's first axis).
    """
    ab = _per_item(alphas_bar[t], x0)
    return (np.sqrt(ab) * x0 + np.sqrt(1.0 - ab) * eps).astype(x0.dtype, copy=False)


def forward_trajectory(x0: np.ndarray, steps, rng: np.random.Generator) -> np.ndarray:
    """x_t at each of the given steps along one path of the one-step chain, starting at x0.

    Unlike forward_sample with fresh noise per frame, consecutive frames share their past noise,
    so an animation of them shows one picture dissolving rather than flickering.
    """
    wanted = set(int(s) for s in steps)
    frames = {0: x0.copy()} if 0 in wanted else {}
    x = x0.astype(np.float64)
    for t in range(1, max(wanted) + 1):
        x = q_step(x, t, rng.standard_normal(x.shape))
        if t in wanted:
            frames[t] = x.astype(x0.dtype)
    return np.stack([frames[int(s)] for s in steps])


def predicted_x0(x_t: np.ndarray, t, eps_hat: np.ndarray) -> np.ndarray:
    """Invert the closed form with a predicted noise: x0_hat = (x_t - sqrt(1-abar) eps_hat)/sqrt(abar)."""
    ab = _per_item(alphas_bar[t], x_t)
    return ((x_t - np.sqrt(1.0 - ab) * eps_hat) / np.sqrt(ab)).astype(x_t.dtype, copy=False)


def _per_item(values, like: np.ndarray):
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 0:
        return values
    return values.reshape((-1,) + (1,) * (like.ndim - 1))
