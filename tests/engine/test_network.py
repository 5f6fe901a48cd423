"""The hand-written backpropagation against finite differences, in float64 on a tiny network."""

import numpy as np
import pytest

from diffusion_explainer.engine.network import Denoiser, NetworkShape, init_params


def _tiny_denoiser(rng, input_skip=False):
    shape = NetworkShape(data_dim=6, num_classes=2, width=5, blocks=2, time_dim=4, cond_dim=3,
                         input_skip=input_skip)
    params = init_params(shape, rng, dtype=np.float64)
    # Random values everywhere (biases too, and big FiLM weights) so no gradient path is zero.
    params = {k: rng.standard_normal(v.shape) * 0.7 for k, v in params.items()}
    return Denoiser(shape, params, picture_shape=(6,))


@pytest.mark.parametrize("input_skip", [False, True])
def test_backward_matches_finite_differences(input_skip):
    rng = np.random.default_rng(0)
    net = _tiny_denoiser(rng, input_skip)
    x = rng.standard_normal((4, 6))
    t = np.array([1, 17, 500, 1000])
    y = np.array([0, 1, 2, 1])  # 2 is the null class
    target = rng.standard_normal((4, 6))

    def loss():
        return float(np.mean((net.forward(x, t, y) - target) ** 2))

    out, cache = net.forward(x, t, y, keep=True)
    grads = net.backward(cache, 2 * (out - target) / out.size)

    assert set(grads) == set(net.params)
    h = 1e-6
    for name, value in net.params.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + h
            up = loss()
            value[idx] = old - h
            down = loss()
            value[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        scale = np.abs(numeric).max() + 1e-12
        assert np.abs(grads[name] - numeric).max() / scale < 1e-6, name
        if name != "E":  # E's rows for absent classes rightly get no gradient
            assert np.abs(numeric).max() > 1e-6, f"{name} has no gradient: the check would be empty"


def test_predict_eps_accepts_pictures_scalars_and_null_class():
    rng = np.random.default_rng(1)
    net = _tiny_denoiser(rng)
    x = rng.standard_normal((3, 6))
    batch = net.predict_eps(x, 10, 1)
    one = net.predict_eps(x[0], 10, 1)
    assert batch.shape == (3, 6) and one.shape == (6,)
    np.testing.assert_allclose(batch[0], one, rtol=1e-12)
    null = net.predict_eps(x, 10, None)
    assert not np.allclose(null, batch)


@pytest.mark.parametrize("scale", [0.0, 1.0, 3.0])
def test_guided_prediction_is_the_cfg_formula(scale):
    rng = np.random.default_rng(2)
    net = _tiny_denoiser(rng)
    x = rng.standard_normal((3, 6))
    cond = net.predict_eps(x, 50, 0)
    uncond = net.predict_eps(x, 50, None)
    np.testing.assert_allclose(net.predict_eps_guided(x, 50, 0, scale),
                               uncond + scale * (cond - uncond), rtol=1e-10, atol=1e-12)


def test_the_input_skip_passes_the_noisy_picture_to_the_output():
    rng = np.random.default_rng(3)
    net = _tiny_denoiser(rng, input_skip=True)
    assert {"W_s", "b_s"} <= set(net.params)
    x = rng.standard_normal((2, 6))
    t, y = np.array([5, 900]), np.array([0, 2])
    with_skip = net.forward(x, t, y)
    gate = net.params["b_s"].copy()
    net.params["b_s"] = gate + 1.0  # one more x at the output, and nothing else changes
    np.testing.assert_allclose(net.forward(x, t, y) - with_skip, x, rtol=1e-10, atol=1e-12)
