"""Scene 03's numbers and pictures come from the real forward process."""

import numpy as np
import pytest

from diffusion_explainer.demos import forward
from diffusion_explainer.engine import schedule


def test_strip_shows_the_schedules_sqrt_alpha_bar():
    strip = forward.forward_strip()
    assert [p.t for p in strip] == [0, 250, 500, 750, 1000]
    shown = [round(p.sqrt_alpha_bar, 3) for p in strip]
    # abar at 250/500/750 = 0.524 / 0.0786 / 0.0034 (DDPM's linear schedule, T = 1000), abar_1000 = 4.04e-5
    assert shown == pytest.approx([1.0, np.sqrt(0.524), np.sqrt(0.0786), np.sqrt(0.0034), np.sqrt(4.04e-5)], abs=2e-3)


def test_strip_starts_clean_and_ends_as_noise():
    strip = forward.forward_strip()
    x0 = forward.clean_picture()
    assert np.array_equal(strip[0].image, x0)
    distances = [np.sqrt(np.mean((p.image - x0) ** 2)) for p in strip]
    assert all(a < b for a, b in zip(distances, distances[1:])), distances
    end = strip[-1].image
    assert abs(end.mean()) < 0.1 and abs(end.std() - 1) < 0.1  # N(0, I)


def test_beta_schedule_runs_from_1e_4_to_0_02_linearly():
    t, beta = forward.beta_schedule()
    assert t[0] == 1 and t[-1] == 1000
    assert beta[0] == pytest.approx(1e-4) and beta[-1] == pytest.approx(0.02)
    assert np.allclose(np.diff(beta), (0.02 - 1e-4) / 999)


def test_step_factors_keep_less_and_add_more_noise_later():
    early, late = forward.step_factors(1), forward.step_factors(1000)
    assert early.keep == pytest.approx(np.sqrt(1 - 1e-4)) and late.keep == pytest.approx(np.sqrt(0.98))
    assert early.keep ** 2 + early.beta == pytest.approx(1.0)  # variance preserving
    assert late.beta > early.beta


def test_iterated_chain_matches_the_closed_form():
    chain = forward.noising_chain(every=250)
    assert chain.steps == (0, 250, 500, 750, 1000)
    assert np.allclose(chain.sqrt_alpha_bar, np.sqrt(schedule.alphas_bar[[0, 250, 500, 750, 1000]]))
    # the picture's trace fades like sqrt(abar): correlation with x_0 falls, ending near 0
    assert chain.correlation[0] == pytest.approx(1.0)
    assert all(a > b for a, b in zip(chain.correlation, chain.correlation[1:]))
    assert abs(chain.correlation[-1]) < 0.06
    assert abs(chain.final_mean) < 0.1 and abs(chain.final_std - 1) < 0.05
