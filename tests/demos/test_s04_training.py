"""Scene 04's pictures and numbers are the trained model's real behaviour."""

import numpy as np
import pytest

from diffusion_explainer.demos import training
from diffusion_explainer.engine import schedule


@pytest.fixture(scope="module")
def guess():
    return training.noise_guess()


def test_noisy_picture_is_the_closed_form_of_a_training_picture(guess):
    assert guess.t == training.SHOWN_T
    assert any(np.array_equal(guess.x0, img) for img in training.model().images)
    ab = schedule.alphas_bar[guess.t]
    assert np.allclose(guess.x_t, np.sqrt(ab) * guess.x0 + np.sqrt(1 - ab) * guess.eps, atol=1e-6)
    assert guess.sqrt_alpha_bar == pytest.approx(np.sqrt(ab))


def test_trained_prediction_is_close_to_the_true_noise(guess):
    # guessing "no noise" would score about 1 per value; the trained network does far better
    assert guess.mean_squared_error < 0.1
    assert guess.squared_error == pytest.approx(guess.mean_squared_error * guess.eps.size)
    assert np.corrcoef(guess.eps.ravel(), guess.eps_hat.ravel())[0, 1] > 0.95


def test_prediction_depends_on_t(guess):
    # the same x_t told a different step gives a different (worse) guess: t is a real input
    wrong = training.model().predict_eps(guess.x_t, 900, None)
    assert np.mean((wrong - guess.eps) ** 2) > guess.mean_squared_error


def test_random_t_guesses_use_the_named_steps():
    guesses = training.random_t_guesses()
    assert [g.t for g in guesses] == [10, 500, 990]
    # more noise at larger t: x_t drifts further from x_0
    dist = [np.sqrt(np.mean((g.x_t - g.x0) ** 2)) for g in guesses]
    assert dist[0] < dist[1] < dist[2]


def test_the_shown_picture_still_shows_the_training_picture(guess):
    # the game's x_t is noisy, yet nearer its own training picture than any other one
    m = training.model()
    distances = np.sqrt(np.mean((m.images - guess.x_t) ** 2, axis=(1, 2, 3)))
    assert np.array_equal(m.images[distances.argmin()], guess.x0)
    assert guess.sqrt_alpha_bar > 0.9


@pytest.mark.parametrize("rms, words, number", [
    (0.04, "ほぼ 0 = 灰色", "0.04"),
    (0.104, "ほぼ 0 = 灰色", "0.10"),  # the number as shown decides: 0.10 is still a tenth
    (0.106, "小さいが 0 ではない", "0.11"),
    (0.3, "小さいが 0 ではない", "0.30"),
    (0.45, "まだ大きい", "0.45"),
])
def test_the_difference_caption_follows_its_size(rms, words, number):
    caption = training.difference_caption(rms)
    assert words in caption and f"約 {number}" in caption
    others = {"ほぼ 0 = 灰色", "小さいが 0 ではない", "まだ大きい"} - {words}
    assert not any(w in caption for w in others)


def test_the_shown_difference_is_worded_from_its_measurement(guess):
    rms = float(np.sqrt(np.mean((guess.eps - guess.eps_hat) ** 2)))
    assert guess.difference_rms == pytest.approx(rms)
    assert guess.difference_caption == training.difference_caption(rms)
