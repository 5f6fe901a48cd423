"""The forward process: the DDPM linear schedule, q(x_t | x_{t-1}) and the closed form q(x_t | x_0)."""

import numpy as np
import pytest
from scipy import stats

from diffusion_explainer.engine import pictures, schedule


def test_schedule_is_the_ddpm_linear_schedule():
    assert schedule.T == 1000
    assert schedule.betas[1] == pytest.approx(1e-4) and schedule.betas[1000] == pytest.approx(0.02)
    assert np.all(np.diff(schedule.betas[1:]) > 0)
    assert schedule.alphas_bar[0] == 1.0
    assert schedule.alphas_bar[1000] == pytest.approx(4.04e-5, rel=0.01)


def _pictures(n_per_class=40):
    return pictures.make_dataset(n_per_class, 8, seed=5)[0]


def test_closed_form_x_1000_is_standard_normal_and_x_100_is_not():
    x0 = _pictures()
    rng = np.random.default_rng(0)
    x1000 = schedule.forward_sample(x0, 1000, rng.standard_normal(x0.shape))
    assert stats.kstest(x1000.ravel(), "norm").pvalue > 0.01
    # The same test does reject a picture that still carries its signal: it has power.
    x100 = schedule.forward_sample(x0, 100, rng.standard_normal(x0.shape))
    assert stats.kstest(x100.ravel(), "norm").pvalue < 1e-6


def test_forward_sample_takes_one_time_step_per_picture():
    x0 = _pictures(2)
    eps = np.random.default_rng(1).standard_normal(x0.shape)
    t = np.arange(len(x0)) * 100 + 1
    together = schedule.forward_sample(x0, t, eps)
    for i in range(len(x0)):
        np.testing.assert_allclose(together[i], schedule.forward_sample(x0[i], int(t[i]), eps[i]),
                                   rtol=1e-6)


@pytest.mark.parametrize("t", [250, 1000])
def test_iterated_one_step_process_matches_the_closed_form(t):
    x0 = _pictures(1)[2].astype(np.float64)  # one picture, many independent noise paths
    paths = np.repeat(x0[None], 300, axis=0)
    rng = np.random.default_rng(2)
    x = paths
    for s in range(1, t + 1):
        x = schedule.q_step(x, s, rng.standard_normal(x.shape))
    ab = schedule.alphas_bar[t]
    assert x.var(axis=0).mean() == pytest.approx(1 - ab, rel=0.02)
    np.testing.assert_allclose(x.mean(axis=0), np.sqrt(ab) * x0, atol=5 * np.sqrt((1 - ab) / 300))


def test_forward_trajectory_shares_noise_between_frames():
    x0 = _pictures(1)[:1]
    frames = schedule.forward_trajectory(x0, [0, 10, 11, 1000], np.random.default_rng(3))
    assert frames.shape == (4,) + x0.shape
    np.testing.assert_array_equal(frames[0], x0)
    # Adjacent steps of one path differ by one small step, unlike two fresh closed-form draws.
    assert np.abs(frames[2] - frames[1]).max() < 0.15


def test_predicted_x0_inverts_the_closed_form():
    x0 = _pictures(1)
    eps = np.random.default_rng(4).standard_normal(x0.shape).astype(np.float32)
    xt = schedule.forward_sample(x0, 300, eps)
    np.testing.assert_allclose(schedule.predicted_x0(xt, 300, eps), x0, atol=1e-4)
