"""The latent autoencoder: 8x smaller per side, good enough reconstructions, correct gradients."""

import numpy as np

from diffusion_explainer.engine import pictures
from diffusion_explainer.engine.autoencoder import (
    decoder_backward,
    decoder_forward,
    from_tiles,
    init_decoder,
    neighbourhoods,
    to_tiles,
)
from diffusion_explainer.engine.metrics import psnr


def test_decoder_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    params = init_decoder(5, 4, 3, rng, dtype=np.float64)
    params = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    x, target = rng.standard_normal((6, 5)), rng.standard_normal((6, 3))

    def loss():
        return float(np.mean((decoder_forward(params, x) - target) ** 2))

    out, cache = decoder_forward(params, x, keep=True)
    grads = decoder_backward(params, cache, 2 * (out - target) / out.size)
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + 1e-6
            up = loss()
            value[idx] = old - 1e-6
            down = loss()
            value[idx] = old
            numeric[idx] = (up - down) / 2e-6
        assert np.abs(grads[name] - numeric).max() < 1e-6 * (np.abs(numeric).max() + 1e-12), name


def test_tiles_round_trip_and_neighbourhoods():
    images = np.random.default_rng(1).standard_normal((2, 16, 24, 3))
    np.testing.assert_array_equal(from_tiles(to_tiles(images)), images)
    latents = np.arange(2 * 2 * 3 * 1, dtype=float).reshape(2, 2, 3, 1)
    nb = neighbourhoods(latents).reshape(2, 2, 3, 9)
    np.testing.assert_array_equal(nb[..., 4], latents[..., 0])  # the centre is the tile itself
    assert nb[0, 0, 1].tolist() == [0, 1, 2, 0, 1, 2, 3, 4, 5]  # the row above repeats the edge


def test_latent_is_8x_smaller_per_side_with_4_channels(latent_model):
    picture = pictures.example("夕焼けの中を歩く猫", size=64, seed=7)
    latent = latent_model.encode(picture[None])
    assert latent.shape == (1, 8, 8, 4)
    assert latent_model.decode(latent).shape == (1, 64, 64, 3)
    assert abs(latent_model.encode(latent_model.images).std() - 1.0) < 0.01


def test_held_out_pictures_reconstruct_at_18_db_or_better(latent_model):
    held_out, _ = pictures.make_dataset(12, 64, seed=1234)
    ae = latent_model.autoencoder
    full = psnr(held_out, np.clip(ae.decode(ae.encode(held_out)), -1, 1))
    linear = psnr(held_out, np.clip(ae.decode_linear(ae.encode(held_out)), -1, 1))
    assert full >= 18.0
    assert full > linear + 1.0  # the learned part of the decoder earns its place
