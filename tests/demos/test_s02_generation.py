"""Scene 02: a real sample emerging from its noise, and ink spreading by the heat equation."""

import numpy as np
import pytest

from diffusion_explainer.demos import generation
from diffusion_explainer.engine import metrics, models, pictures


@pytest.fixture(scope="module")
def emergence():
    return generation.born_from_noise()


def test_sample_path_runs_from_noise_to_a_picture_of_its_class(emergence):
    assert emergence.steps[0] == 1000 and emergence.steps[-1] == 0
    assert list(emergence.steps) == sorted(emergence.steps, reverse=True)
    assert np.array_equal(emergence.picture, emergence.frames[-1])
    model = models.load_latent_model()
    refs = model.images
    # the finished picture is near the training pictures; the starting noise is not
    near = metrics.nearest_neighbour_rms(emergence.picture[None], refs)
    far = metrics.nearest_neighbour_rms(emergence.start_noise[None], refs)
    assert near < 0.5 * far
    # and it is a picture of the class asked for
    classifier = metrics.NearestCentroidClassifier(refs, model.labels)
    assert classifier.accuracy(emergence.picture[None], np.array([pictures.class_id(generation.PICTURE_CLASS)])) == 1.0


def test_path_gets_closer_to_the_picture_as_t_falls(emergence):
    dist = {t: np.sqrt(np.mean((f - emergence.picture) ** 2)) for t, f in zip(emergence.steps, emergence.frames)}
    assert dist[1000] > dist[400] > dist[200] > dist[100] > dist[0] == 0


def test_ink_spreads_thins_and_keeps_its_amount():
    ink = generation.ink_spreading(frames=12)
    totals = ink.concentration.sum(axis=(1, 2))
    assert np.allclose(totals, totals[0])  # no ink created or lost
    assert all(np.diff(ink.spread) > 0)  # it spreads
    assert all(np.diff(ink.peak) < 0)  # and thins
    assert ink.peak[0] > 50 and ink.peak[-1] == pytest.approx(1.0, abs=0.01)  # until even
    assert ink.times[0] == 0 and all(np.diff(ink.times) > 0)
    # the water is tinted darkest where the ink is: the first frame's centre, not its corner
    assert ink.rgb[0][32, 32].sum() < ink.rgb[0][0, 0].sum()


def test_early_spread_follows_the_square_root_law():
    ink = generation.ink_spreading(frames=12)
    early = (ink.times > 10) & (ink.times < 60)  # before the walls (32 cells away) matter
    # variance grows by 2 D t per axis (D = 1): sigma^2 - sigma_0^2 = 2 t
    assert np.allclose(ink.spread[early] ** 2 - ink.spread[0] ** 2, 2 * ink.times[early], rtol=0.05)
