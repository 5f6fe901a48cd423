"""Scene 05's numbers and pictures come from one real DDPM run of the trained pixel model."""

import numpy as np
import pytest

from diffusion_explainer.demos import reverse
from diffusion_explainer.engine import metrics, pictures, schedule


@pytest.fixture(scope="module")
def step():
    return reverse.first_step()


def test_first_step_is_the_samplers_step_with_the_papers_coefficients(step):
    assert step.remove_factor == pytest.approx(schedule.betas[1000] / np.sqrt(1 - schedule.alphas_bar[1000]))
    assert step.rescale == pytest.approx(1 / np.sqrt(1 - 0.02))
    assert step.sigma == pytest.approx(np.sqrt(0.02))
    # x_999 = rescale (x_1000 - c eps_hat) + sigma z, and the recovered z is standard normal noise
    rebuilt = step.rescale * (step.x_t - step.remove_factor * step.eps_hat) + step.sigma * step.z
    np.testing.assert_allclose(rebuilt, step.x_prev, atol=1e-5)
    assert 0.6 < step.z.std() < 1.4 and abs(step.z.mean()) < 0.4


def test_one_step_at_t_1000_changes_the_picture_only_a_little(step):
    assert 0.7 < step.noise_rms < 1.3  # x_1000 is pure standard noise
    assert step.change_rms < 0.25 * step.noise_rms


def test_the_trajectory_ends_near_the_training_pictures_and_starts_far():
    m = reverse.model()
    d = reverse.denoising()
    start, end = d.stages[0].x_t, d.final
    near = metrics.nearest_neighbour_rms(np.stack([start, end]), m.images)
    assert near[1] < 0.25 < near[0]
    # x_t gets closer to the finished picture at every stage
    gaps = [np.sqrt(np.mean((s.x_t - end) ** 2)) for s in d.stages]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))
    assert d.steps_between == tuple(a - b for a, b in zip(reverse.STAGES, reverse.STAGES[1:]))


def test_layout_and_colour_settle_before_the_detail():
    for index in (reverse.picks().main, reverse.picks().other):
        errors = {t: (coarse, detail) for t, coarse, detail in reverse.guess_errors(reverse.denoising(index))}
        for t in (300, 140, 60):
            coarse, detail = errors[t]
            assert coarse < detail, (index, t, errors[t])


def test_another_starting_noise_gives_another_kind_of_picture():
    p = reverse.picks()
    assert p.main != p.other and p.kind[p.main] != p.kind[p.other]
    assert p.nearest_rms[p.main] == p.nearest_rms.min()
    rest = reverse.variety()
    assert len(rest) == reverse.RUN_SIZE - 2
    assert metrics.diversity(rest) > 0.2  # the other noises did not all become the same picture


def test_the_subtracted_noise_is_the_network_output_rederived_from_the_clipped_guess(step):
    m = reverse.model()
    # the network's own output, asked exactly as the sampler asked it (the whole batch at t = 1000)
    batch = reverse.run().at(1000)[0]
    np.testing.assert_array_equal(step.eps_raw, m.predict_eps(batch, 1000, None)[reverse.picks().main])
    guess = schedule.predicted_x0(step.x_t, 1000, step.eps_raw)
    outside = np.mean(np.abs(guess) > 1.0)
    assert step.clipped_share == pytest.approx(outside)
    ab = schedule.alphas_bar[1000]
    rederived = (step.x_t - np.sqrt(ab) * np.clip(guess, -1, 1)) / np.sqrt(1 - ab)
    np.testing.assert_allclose(step.eps_hat, rederived, atol=1e-4)
    assert step.raw_difference_rms == pytest.approx(np.sqrt(np.mean((step.eps_hat - step.eps_raw) ** 2)), rel=1e-4)


def test_the_noise_footnote_says_what_the_clipping_did():
    untouched = "".join(reverse.noise_footnote(0.0, 0.0))
    assert "そのもの" in untouched and "切り詰め" not in untouched
    clipped = "".join(reverse.noise_footnote(0.93, 0.0042))
    assert "切り詰め" in clipped and "93%" in clipped and "0.004" in clipped and "DDPM" in clipped
    step = reverse.first_step()
    assert step.noise_footnote == reverse.noise_footnote(step.clipped_share, step.raw_difference_rms)


def test_every_picture_the_scene_shows_is_recognisably_a_training_kind():
    # The pictures are the run's finished samples: the one followed, the other one, the rest.
    m = reverse.model()
    assert m.images.shape[1:] == (16, 16, 3)
    samples = reverse.run().samples
    held_out, held_labels = pictures.make_dataset(16, m.images.shape[1], seed=1234)
    classifier = metrics.NearestCentroidClassifier(m.images, m.labels)
    assert classifier.accuracy(held_out, held_labels) == 1.0  # the yardstick itself works
    kind = classifier.predict(samples)
    # the class mean and the single nearest training picture agree on what each sample shows
    nearest = metrics.pairwise_rms(samples, m.images).argmin(axis=1)
    np.testing.assert_array_equal(m.labels[nearest], kind)
    # none is further from every training picture than the farthest real picture the model never
    # saw, and on average they are as near as real ones
    shown = metrics.nearest_neighbour_rms(samples, m.images)
    real = metrics.nearest_neighbour_rms(held_out, m.images)
    assert shown.max() <= real.max()
    assert shown.mean() <= 1.1 * real.mean()
    noise = metrics.nearest_neighbour_rms(metrics.uniform_noise_like(samples, seed=1), m.images)
    assert shown.max() < 0.5 * noise.min()


def test_the_arrows_caption_counts_the_steps_each_arrow_holds():
    d = reverse.denoising()
    caption = d.repeat_caption
    assert f"{min(d.steps_between)}〜{max(d.steps_between)} 回" in caption
    assert "『ネットワークでノイズを予測して引く』を" in caption
    assert f"全部で {reverse.T} 回" in caption  # the stages run from t = 1000 to 0
    even = reverse.Denoising(d.stages, (250, 250, 250, 250), d.film_steps, d.film, d.final)
    assert "を 250 回" in even.repeat_caption and "〜" not in even.repeat_caption


def test_the_step_is_worded_as_a_little_cleaner_with_most_of_its_change_new_noise(step):
    # the step's change is the subtraction (rescaled) plus the fresh noise sigma z
    together = step.rescale * (step.x_t - step.remove_factor * step.eps_hat) - step.x_t + step.sigma * step.z
    np.testing.assert_allclose(together, step.x_prev - step.x_t, atol=1e-5)
    first, second = step.change_words
    assert f"予測ノイズの {step.remove_factor * 100:.0f}%" in first and "すこしだけきれいになる" in first
    assert step.new_noise_rms > step.subtracted_rms  # at t = 1000: most of the change is new noise
    assert "大半" in second and "新しいノイズ" in second and f"σ = {step.sigma:.3f}" in second
    assert f"{step.change_rms:.2f}" in second


@pytest.mark.parametrize("remove, subtracted, new, clean, mostly", [
    (0.02, 0.01, 0.14, "すこしだけきれいになる", "はこの新しいノイズ"),
    (0.30, 0.25, 0.05, "ノイズがはっきり減る", "は、予測ノイズを引いた分"),
    (0.02, 0.20, 0.14, "すこしだけきれいになる", "は、予測ノイズを引いた分"),
])
def test_the_step_words_follow_the_numbers(remove, subtracted, new, clean, mostly):
    first, second = reverse.change_words(remove, subtracted, new, 0.141, 0.15)
    assert clean in first and mostly in second
    other = {"すこしだけきれいになる", "ノイズがはっきり減る"} - {clean}
    assert not any(w in first for w in other)
