"""Scene 08 recalls the earlier scenes' real results and ends on one more real generation."""

import numpy as np

from diffusion_explainer.demos import guidance, latent, loss, summary
from diffusion_explainer.engine import metrics, models, pictures, schedule


def test_the_forward_card_is_the_closed_form():
    pair = summary.forward_pair()
    eps = np.random.default_rng(0).standard_normal(pair.clean.shape)
    ab = schedule.alphas_bar[pair.t]
    np.testing.assert_allclose(pair.noisy, np.sqrt(ab) * pair.clean + np.sqrt(1 - ab) * eps, atol=1e-5)
    assert pair.sqrt_alpha_bar == np.sqrt(ab)


def test_the_training_card_is_scene_04s_curve_with_fewer_points():
    curve, full = summary.recap().loss, loss.training_loss()
    assert len(curve.iterations) == summary.LOSS_POINTS
    assert (curve.first, curve.last, curve.window) == (full.first, full.last, full.window)
    assert curve.iterations[0] == loss.WINDOW and curve.iterations[-1] == len(models.load_pixel_model().training_log())
    assert curve.last < curve.first / 3


def test_the_recap_shows_the_earlier_scenes_results():
    r = summary.recap()
    np.testing.assert_array_equal(r.generated, latent.latent_generation().decoded[-1])
    np.testing.assert_array_equal(r.prompted, guidance.conditioned_run().final)
    np.testing.assert_array_equal(r.latent, latent.encoding().latent)


def test_the_finale_goes_from_noise_to_the_prompts_picture():
    m = models.load_latent_model()
    f = summary.finale()
    assert f.steps[0] == 1000 and f.steps[-1] == 0
    near = metrics.nearest_neighbour_rms(f.frames[[0, -1]], m.images)
    assert near[1] < 0.25 < near[0]
    classifier = metrics.NearestCentroidClassifier(m.images, m.labels)
    assert classifier.predict(f.frames[-1:])[0] == pictures.class_id(summary.PROMPT)
