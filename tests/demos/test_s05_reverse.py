"""Scene 05's numbers and pictures come from one real DDPM run of the trained pixel model."""

import numpy as np
import pytest

from diffusion_explainer.demos import reverse
from diffusion_explainer.engine import metrics, schedule


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
