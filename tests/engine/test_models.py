"""The trained models, measured: closer to the data than noise, guidance works, trajectories."""

import numpy as np
import pytest

from diffusion_explainer.engine import metrics, pictures, schedule
from diffusion_explainer.engine.sampling import sample_ddim, sample_ddpm

IDS = np.repeat(np.arange(pictures.NUM_CLASSES), 8)


def _noise_distance(model):
    noise = metrics.uniform_noise_like(model.images[:len(IDS)], seed=1)
    return metrics.nearest_neighbour_rms(noise, model.images).mean()


@pytest.mark.parametrize("sampler", ["ddpm", "ddim"])
def test_pixel_samples_are_3x_closer_to_the_data_than_noise(pixel_model, sampler):
    if sampler == "ddpm":
        traj = sample_ddpm(pixel_model, len(IDS), IDS, guidance=1.0, seed=11, record_steps=())
    else:
        traj = sample_ddim(pixel_model, len(IDS), IDS, guidance=1.0, seed=11, record_steps=())
    fidelity = metrics.nearest_neighbour_rms(pixel_model.to_pictures(traj.samples),
                                             pixel_model.images).mean()
    assert 3 * fidelity <= _noise_distance(pixel_model)


def test_guidance_raises_class_accuracy(pixel_model):
    points = {p.scale: p for p in metrics.guidance_sweep(pixel_model, (0.0, 1.0, 3.0, 7.0), seed=2)}
    assert points[3.0].accuracy >= 0.9
    assert points[0.0].accuracy <= points[3.0].accuracy - 0.3
    for p in points.values():
        assert 0 < p.fidelity < _noise_distance(pixel_model) and p.diversity > 0


def test_undertrained_snapshot_shows_the_textbook_tradeoff(pixel_model):
    # Part-way through training, guidance visibly trades diversity for accuracy.
    early = type(pixel_model)(pixel_model.snapshots[1000], pixel_model.images,
                              pixel_model.labels, pixel_model.losses)
    points = metrics.guidance_sweep(early, (1.0, 7.0), seed=2)
    assert points[1].accuracy >= points[0].accuracy
    assert points[1].diversity < points[0].diversity


def test_training_log_falls(pixel_model, latent_model):
    for model in (pixel_model, latent_model):
        log = model.training_log()
        assert len(log) == model.meta["config"]["training"]["iterations"]
        tenth = len(log) // 10
        assert log[-tenth:].mean() < log[:tenth].mean() / 3


def test_trajectories_record_x_t_and_the_guess_of_x0(pixel_model):
    steps = (1000, 500, 100, 1, 0)
    traj = sample_ddpm(pixel_model, 3, pictures.class_id("猫"), guidance=3.0, seed=4,
                       record_steps=steps)
    assert traj.steps == steps and traj.x_t.shape == (5, 3, 16, 16, 3) == traj.x0_pred.shape
    x_1000, _ = traj.at(1000)
    assert abs(x_1000.std() - 1) < 0.15  # starts from pure noise
    np.testing.assert_allclose(traj.at(0)[0], traj.samples)
    # Seen from t = 1, the model's guess of x_0 is nearly the finished picture.
    assert np.sqrt(np.mean((traj.at(1)[1] - traj.samples) ** 2)) < 0.05
    ddim = sample_ddim(pixel_model, 3, 0, guidance=3.0, seed=4, num_steps=20)
    assert ddim.steps[0] == 1000 and len(ddim.steps) == 20 and ddim.steps[-1] == 50


def test_predict_eps_recovers_the_added_noise_better_than_guessing(pixel_model):
    rng = np.random.default_rng(8)
    x0 = pixel_model.images[::37]
    eps = rng.standard_normal(x0.shape).astype(np.float32)
    for t in (50, 500):
        x_t = schedule.forward_sample(x0, t, eps)
        err = np.mean((pixel_model.predict_eps(x_t, t, pixel_model.labels[::37]) - eps) ** 2)
        assert err < 0.5  # predicting zero would score 1.0


def test_latent_model_draws_the_prompted_class(latent_model):
    ids = np.repeat(np.arange(pictures.NUM_CLASSES), 6)
    traj = sample_ddim(latent_model, len(ids), ids, guidance=3.0, seed=3, record_steps=())
    images = latent_model.to_pictures(traj.samples)
    assert images.shape == (len(ids), 64, 64, 3)
    clf = metrics.NearestCentroidClassifier(latent_model.images, latent_model.labels)
    assert clf.accuracy(images, ids) >= 0.9
    fidelity = metrics.nearest_neighbour_rms(images, latent_model.images).mean()
    assert 2 * fidelity <= _noise_distance(latent_model)
