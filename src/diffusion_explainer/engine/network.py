"""The epsilon-prediction denoiser: a residual MLP with FiLM time-and-class conditioning.

Forward and backward passes are written out by hand so the video can say truthfully that the
model is nothing but matrix products and a nonlinearity, trained by gradient descent.

    h_0     = x W_in + b_in
    c       = SiLU(temb(t) W_t + b_t + E[class])          (E has one extra row: the null class)
    g_k,s_k = c W_f + b_f                                 (per block: a scale and a shift)
    h_{k+1} = h_k + SiLU(h_k * (1 + g_k) + s_k) W_k + b_k  for k = 0..L-1
    eps_hat = SiLU(h_L) W_out + b_out  [ + x * (c W_s + b_s)  with input_skip ]

Scale-and-shift (FiLM) conditioning: adding the time embedding instead learned much worse in a
trial on 8x8x3 pictures (same width, same iterations).

The optional input skip passes the noisy picture itself to the output, scaled per value by an
amount the network sets from t (and the prompt). Predicting the noise means passing most of x_t
through: at large t, x_t is nearly all noise. Through the hidden layers alone that needs them at
least as wide as the picture: a 16x16x3 picture (768 values) through 512 hidden values lost the
rest and its loss stalled near 1/3. With the skip the hidden layers only have to model the
picture, which has far fewer degrees of freedom than values; this is what the skip connections of
a U-Net and the c_skip of Karras et al. (2022) do for bigger models.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NetworkShape:
    data_dim: int  # values per picture, e.g. 8*8*3
    num_classes: int  # real classes; id num_classes is the null ("no prompt") class
    width: int = 512
    blocks: int = 3
    time_dim: int = 64  # sinusoidal time embedding
    cond_dim: int = 128
    input_skip: bool = False  # x_t to the output, scaled per value by the time/class vector


def time_embedding(t: np.ndarray, dim: int) -> np.ndarray:
    """Transformer-style sinusoidal features of the time step, as in DDPM."""
    half = dim // 2
    freqs = np.exp(-np.log(10000.0) * np.arange(half) / half)
    angles = np.asarray(t, dtype=np.float64).reshape(-1, 1) * freqs
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # tanh form: no overflow warnings for large |x|


def _silu(x):
    return x * _sigmoid(x)


def _silu_grad(x):
    s = _sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def init_params(shape: NetworkShape, rng: np.random.Generator, dtype=np.float32) -> dict:
    """Fan-in scaled weights; the FiLM and output layers start small so training starts gently."""
    H, C = shape.width, shape.cond_dim

    def dense(fan_in, fan_out, gain=1.0):
        return (rng.standard_normal((fan_in, fan_out)) * gain / np.sqrt(fan_in)).astype(dtype)

    p = {
        "W_in": dense(shape.data_dim, H),
        "b_in": np.zeros(H, dtype),
        "W_t": dense(shape.time_dim, C),
        "b_t": np.zeros(C, dtype),
        "E": (rng.standard_normal((shape.num_classes + 1, C)) * 0.5).astype(dtype),
        "W_f": dense(C, 2 * H * shape.blocks, gain=0.1),
        "b_f": np.zeros(2 * H * shape.blocks, dtype),
        "W_out": dense(H, shape.data_dim, gain=0.1),
        "b_out": np.zeros(shape.data_dim, dtype),
    }
    for k in range(shape.blocks):
        p[f"W_{k}"] = dense(H, H, gain=0.5)
        p[f"b_{k}"] = np.zeros(H, dtype)
    if shape.input_skip:
        p["W_s"] = dense(C, shape.data_dim, gain=0.1)
        p["b_s"] = np.zeros(shape.data_dim, dtype)
    return p


class Denoiser:
    """eps_theta(x_t, t, class): parameters plus the hand-written forward and backward passes."""

    def __init__(self, shape: NetworkShape, params: dict, picture_shape: tuple[int, ...],
                 value_range: tuple[float, float] = (-1.0, 1.0)):
        self.shape = shape
        self.params = params
        self.picture_shape = tuple(picture_shape)
        self.value_range = value_range  # where clean data lives: samplers may clip x0_hat to it
        self.null_class = shape.num_classes

    # -- the maths --------------------------------------------------------------------------
    def forward(self, x: np.ndarray, t: np.ndarray, y: np.ndarray, keep: bool = False):
        """eps_hat for flat inputs x (B, D), integer t (B,) and class ids y (B,).

        With keep=True also returns what backward needs.
        """
        p, H, L = self.params, self.shape.width, self.shape.blocks
        dtype = p["W_in"].dtype
        temb = time_embedding(t, self.shape.time_dim).astype(dtype)
        e = temb @ p["W_t"] + p["b_t"] + p["E"][y]
        c = _silu(e)
        film = c @ p["W_f"] + p["b_f"]
        h = x @ p["W_in"] + p["b_in"]
        hs, us, acts = [h], [], []
        for k in range(L):
            g = film[:, 2 * k * H:(2 * k + 1) * H]
            s = film[:, (2 * k + 1) * H:(2 * k + 2) * H]
            u = h * (1.0 + g) + s
            a = _silu(u)
            h = h + a @ p[f"W_{k}"] + p[f"b_{k}"]
            hs.append(h)
            us.append(u)
            acts.append(a)
        a_out = _silu(h)
        out = a_out @ p["W_out"] + p["b_out"]
        if self.shape.input_skip:
            out = out + x * (c @ p["W_s"] + p["b_s"])
        if not keep:
            return out
        return out, dict(x=x, y=y, temb=temb, e=e, c=c, film=film, hs=hs, us=us, acts=acts,
                         a_out=a_out)

    def backward(self, cache: dict, d_out: np.ndarray) -> dict:
        """Gradients of sum(d_out * eps_hat) with respect to every parameter (the chain rule)."""
        p, H, L = self.params, self.shape.width, self.shape.blocks
        hs, us, film = cache["hs"], cache["us"], cache["film"]
        grads = {}
        grads["W_out"] = cache["a_out"].T @ d_out
        grads["b_out"] = d_out.sum(0)
        dh = (d_out @ p["W_out"].T) * _silu_grad(hs[L])
        d_film = np.empty_like(film)
        for k in reversed(range(L)):
            h_prev, u = hs[k], us[k]
            g = film[:, 2 * k * H:(2 * k + 1) * H]
            grads[f"W_{k}"] = cache["acts"][k].T @ dh
            grads[f"b_{k}"] = dh.sum(0)
            du = (dh @ p[f"W_{k}"].T) * _silu_grad(u)
            d_film[:, 2 * k * H:(2 * k + 1) * H] = du * h_prev
            d_film[:, (2 * k + 1) * H:(2 * k + 2) * H] = du
            dh = dh + du * (1.0 + g)  # the residual path plus the path through the block
        grads["W_in"] = cache["x"].T @ dh
        grads["b_in"] = dh.sum(0)
        grads["W_f"] = cache["c"].T @ d_film
        grads["b_f"] = d_film.sum(0)
        dc = d_film @ p["W_f"].T
        if self.shape.input_skip:
            d_gate = d_out * cache["x"]
            grads["W_s"] = cache["c"].T @ d_gate
            grads["b_s"] = d_gate.sum(0)
            dc += d_gate @ p["W_s"].T
        de = dc * _silu_grad(cache["e"])
        grads["W_t"] = cache["temb"].T @ de
        grads["b_t"] = de.sum(0)
        dE = np.zeros_like(p["E"])
        np.add.at(dE, cache["y"], de)
        grads["E"] = dE
        return grads

    # -- what the scenes call ---------------------------------------------------------------
    def predict_eps(self, x_t: np.ndarray, t, class_id=None) -> np.ndarray:
        """The predicted noise for picture-shaped x_t (n, *picture_shape) or one picture.

        t: an int or one per picture. class_id: an int, None for the null class (no prompt),
        or one per picture.
        """
        single = x_t.shape == self.picture_shape
        x = np.asarray(x_t, dtype=self.params["W_in"].dtype).reshape(1 if single else len(x_t), -1)
        n = len(x)
        t_arr = np.broadcast_to(np.asarray(t, dtype=np.int64), (n,))
        cid = self.null_class if class_id is None else class_id
        y_arr = np.broadcast_to(np.asarray(cid, dtype=np.int64), (n,))
        eps = self.forward(x, t_arr, y_arr).reshape((n,) + self.picture_shape)
        return eps[0] if single else eps

    def predict_eps_guided(self, x_t: np.ndarray, t, class_id, guidance: float) -> np.ndarray:
        """Classifier-free guidance: eps_uncond + s * (eps_cond - eps_uncond), in one batch.

        s = 0 ignores the prompt, s = 1 is the plain conditional model, s > 1 exaggerates it.
        """
        if class_id is None or guidance == 1.0:
            return self.predict_eps(x_t, t, class_id)
        if guidance == 0.0:
            return self.predict_eps(x_t, t, None)
        n = len(x_t)
        both = np.concatenate([x_t, x_t])
        cid = np.broadcast_to(np.asarray(class_id, dtype=np.int64), (n,))
        ids = np.concatenate([cid, np.full(n, self.null_class)])
        t_arr = np.broadcast_to(np.asarray(t, dtype=np.int64), (n,))
        eps = self.predict_eps(both, np.concatenate([t_arr, t_arr]), ids)
        cond, uncond = eps[:n], eps[n:]
        return uncond + guidance * (cond - uncond)

    @property
    def parameter_count(self) -> int:
        return int(sum(v.size for v in self.params.values()))
