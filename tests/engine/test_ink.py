"""Ink in water: the simulated diffusion equation behaves like diffusion."""

import numpy as np
import pytest

from diffusion_explainer.engine import ink


def test_ink_spreads_thins_and_is_conserved():
    sim = ink.simulate_ink(size=64, frames=30, steps_per_frame=20)
    totals = sim.concentration.sum(axis=(1, 2))
    np.testing.assert_allclose(totals, totals[0], rtol=1e-10)
    peaks = sim.concentration.max(axis=(1, 2))
    assert np.all(np.diff(peaks) < 0) and peaks[-1] < peaks[0] / 20
    assert sim.concentration.min() >= 0


def test_spread_grows_as_the_square_root_of_time():
    # Away from the walls the variance along each axis grows by 2 D t: the law of a random walk.
    sim = ink.simulate_ink(size=128, frames=6, steps_per_frame=100, diffusivity=1.0, dt=0.2)
    var = np.array([ink.spread(c) ** 2 for c in sim.concentration])
    np.testing.assert_allclose(var - var[0], 2 * 1.0 * sim.times, rtol=0.02)


def test_walls_reflect_instead_of_leaking():
    drop = ink.initial_drop(32, centre=(0.05, 0.05))
    sim = ink.simulate_ink(size=32, frames=10, steps_per_frame=50, drop=drop)
    assert sim.concentration[-1].sum() == pytest.approx(drop.sum(), rel=1e-10)


def test_unstable_time_step_is_refused():
    with pytest.raises(ValueError, match="unstable"):
        ink.simulate_ink(diffusivity=1.0, dt=0.5)


def test_rgb_and_random_walkers():
    sim = ink.simulate_ink(size=32, frames=5)
    rgb = ink.ink_to_rgb(sim.concentration)
    assert rgb.shape == (5, 32, 32, 3) and rgb.dtype == np.uint8
    # The centre gets lighter as the same ink spreads over more water.
    assert rgb[-1, 16, 16].sum() > rgb[0, 16, 16].sum()
    walkers = ink.random_walkers(4000, 100, seed=1)
    assert walkers[-1].std() == pytest.approx(10.0, rel=0.05)
