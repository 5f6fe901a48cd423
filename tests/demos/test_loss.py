"""One definition of the loss on screen (scenes 04 and 08): per value, smoothed over whole windows."""

import numpy as np
import pytest

from diffusion_explainer.demos import loss, training
from diffusion_explainer.engine import models


def test_smoothing_averages_whole_windows_only():
    log = np.array([4.0, 2.0, 0.0, 2.0, 1.0])
    ends, means = loss.smoothed(log, window=2)
    np.testing.assert_array_equal(ends, [2, 3, 4, 5])  # the first point needs two iterations
    np.testing.assert_allclose(means, [3.0, 1.0, 1.0, 1.5])
    ends, means = loss.smoothed(log, window=5)
    assert list(ends) == [5] and means[0] == pytest.approx(1.8)


@pytest.mark.parametrize("window", [0, 6])
def test_a_window_the_log_cannot_fill_is_refused(window):
    with pytest.raises(ValueError, match="window"):
        loss.smoothed(np.ones(5), window)


def test_the_shown_curve_is_the_logged_per_value_loss():
    log = models.load_pixel_model().training_log()
    curve = loss.training_loss()
    assert curve.window == loss.WINDOW and curve.total_iterations == len(log)
    assert curve.iterations[0] == loss.WINDOW and curve.iterations[-1] == len(log)
    assert curve.first == pytest.approx(float(np.mean(log[:loss.WINDOW], dtype=np.float64)), rel=1e-9)
    assert curve.last == pytest.approx(float(np.mean(log[-loss.WINDOW:], dtype=np.float64)), rel=1e-9)
    assert curve.last < curve.first / 5
    assert loss.UNIT in curve.caption and str(loss.WINDOW) in curve.caption


def test_fewer_points_keep_the_ends_and_the_same_values():
    full, few = loss.training_loss(), loss.training_loss(points=60)
    assert len(few.iterations) == 60
    assert few.first == full.first and few.last == full.last
    index = np.searchsorted(full.iterations, few.iterations)
    np.testing.assert_array_equal(few.loss, full.loss[index])


def test_a_single_guess_is_scored_as_the_log_scores_a_batch():
    guess = training.noise_guess()
    # the per-value mean, not the sum over the picture's values
    assert guess.loss == pytest.approx(guess.mean_squared_error, rel=1e-6)
    assert guess.loss == pytest.approx(guess.squared_error / guess.eps.size, rel=1e-6)
    assert loss.per_value_loss(np.zeros(4), np.full(4, 2.0)) == 4.0
