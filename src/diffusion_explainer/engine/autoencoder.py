"""The autoencoder of latent diffusion: 64x64x3 pictures <-> 8x8x4 latents.

Encoder: PCA on 8x8 tiles. Each 8x8x3 tile (192 values) becomes 4 numbers, its coordinates
along the 4 directions in which tiles of the training pictures vary most. A 64x64x3 picture thus
becomes an 8x8x4 latent: 8x smaller per side and 48x fewer values, the ratio of Stable
Diffusion's 512x512x3 -> 64x64x4. Latents are multiplied by one number that gives them unit
variance overall (Stable Diffusion multiplies by 0.18215 for the same reason), so N(0, I) noise
fits the data's scale. One number, not one per channel: the components are orthonormal, so a
squared error in the latent is then the same squared error in pixels, and the denoiser spends
its effort where the picture needs it (whitening each channel made the faint channels as loud
as the main one and the samples blocky).

Decoder: the PCA inverse plus a small learned network that looks at each tile's 3x3
neighbourhood of latents and adds back the detail the 4 numbers alone cannot hold (sharp edges
across tile borders). Measured on held-out pictures: PCA alone about 19 dB PSNR, with the learned
correction about 26 dB. Stable Diffusion's autoencoder is a much larger convolutional network
trained end to end; this one is the smallest thing that behaves the same way.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from .blas import one_blas_thread
from .optim import Adam, cosine_learning_rate

TILE = 8


@dataclass(frozen=True)
class AutoencoderConfig:
    latent_channels: int = 4
    decoder_width: int = 256
    decoder_iterations: int = 1500
    decoder_batch: int = 256
    learning_rate: float = 2e-3
    seed: int = 0


def to_tiles(images: np.ndarray, tile: int = TILE) -> np.ndarray:
    """(N, H, W, C) -> (N, H/tile, W/tile, tile*tile*C): each tile flattened."""
    n, h, w, c = images.shape
    t = images.reshape(n, h // tile, tile, w // tile, tile, c).transpose(0, 1, 3, 2, 4, 5)
    return t.reshape(n, h // tile, w // tile, tile * tile * c)


def from_tiles(tiles: np.ndarray, channels: int = 3, tile: int = TILE) -> np.ndarray:
    """Inverse of to_tiles."""
    n, gh, gw, _ = tiles.shape
    t = tiles.reshape(n, gh, gw, tile, tile, channels).transpose(0, 1, 3, 2, 4, 5)
    return t.reshape(n, gh * tile, gw * tile, channels)


def neighbourhoods(latents: np.ndarray) -> np.ndarray:
    """(N, h, w, c) -> (N*h*w, 9*c): each latent position with its 3x3 neighbours (edges repeated)."""
    n, h, w, c = latents.shape
    padded = np.pad(latents, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    views = [padded[:, i:i + h, j:j + w] for i in range(3) for j in range(3)]
    return np.concatenate(views, axis=-1).reshape(n * h * w, 9 * c)


# -- the decoder's correction network: two SiLU layers, forward and backward by hand -----------

def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def init_decoder(inputs: int, width: int, outputs: int, rng, dtype=np.float32) -> dict:
    return {
        "W1": (rng.standard_normal((inputs, width)) / np.sqrt(inputs)).astype(dtype),
        "b1": np.zeros(width, dtype),
        "W2": (rng.standard_normal((width, width)) / np.sqrt(width)).astype(dtype),
        "b2": np.zeros(width, dtype),
        "W3": np.zeros((width, outputs), dtype),  # starts as the plain PCA decoder
        "b3": np.zeros(outputs, dtype),
    }


def decoder_forward(p: dict, x: np.ndarray, keep: bool = False):
    u1 = x @ p["W1"] + p["b1"]
    s1 = _sigmoid(u1)
    a1 = u1 * s1
    u2 = a1 @ p["W2"] + p["b2"]
    s2 = _sigmoid(u2)
    a2 = u2 * s2
    out = a2 @ p["W3"] + p["b3"]
    return (out, (x, u1, s1, a1, u2, s2, a2)) if keep else out


def decoder_backward(p: dict, cache, d_out: np.ndarray) -> dict:
    x, u1, s1, a1, u2, s2, a2 = cache
    g = {"W3": a2.T @ d_out, "b3": d_out.sum(0)}
    du2 = (d_out @ p["W3"].T) * s2 * (1.0 + u2 * (1.0 - s2))
    g["W2"], g["b2"] = a1.T @ du2, du2.sum(0)
    du1 = (du2 @ p["W2"].T) * s1 * (1.0 + u1 * (1.0 - s1))
    g["W1"], g["b1"] = x.T @ du1, du1.sum(0)
    return g


@dataclass
class PatchAutoencoder:
    mean: np.ndarray  # (192,) the average tile
    components: np.ndarray  # (latent_channels, 192) orthonormal principal directions
    scale: np.ndarray  # () the latents' overall std on the training pictures
    decoder: dict = field(default_factory=dict)  # the correction network; empty: PCA only
    losses: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    @classmethod
    def fit_pca(cls, images: np.ndarray, latent_channels: int = 4) -> "PatchAutoencoder":
        """PCA of all tiles of the training pictures (float64, deterministic)."""
        tiles = to_tiles(np.asarray(images, np.float64)).reshape(-1, TILE * TILE * images.shape[-1])
        mean = tiles.mean(0)
        centred = tiles - mean
        values, vectors = np.linalg.eigh(centred.T @ centred / len(centred))
        order = np.argsort(values)[::-1][:latent_channels]
        comps = vectors[:, order].T
        # An eigenvector's sign is arbitrary; fixing it keeps the latents reproducible.
        signs = np.sign(comps[np.arange(latent_channels), np.abs(comps).argmax(1)])
        comps = comps * signs[:, None]
        scale = np.sqrt(values[order].mean())
        return cls(mean.astype(np.float32), comps.astype(np.float32), np.float32(scale).reshape(()))

    @classmethod
    def fit(cls, images: np.ndarray, config: AutoencoderConfig = AutoencoderConfig(),
            progress: bool = False) -> "PatchAutoencoder":
        """PCA encoder, then the decoder's correction trained to minimise the pixel error."""
        ae = cls.fit_pca(images, config.latent_channels)
        rng = np.random.default_rng(config.seed)
        latents = ae.encode(images)
        inputs = neighbourhoods(latents)
        residual = (to_tiles(np.asarray(images, np.float32)) - to_tiles(ae.decode_linear(latents)))
        residual = residual.reshape(len(inputs), -1)
        params = init_decoder(inputs.shape[1], config.decoder_width, residual.shape[1], rng)
        adam = Adam(params)
        losses = np.empty(config.decoder_iterations, np.float32)
        start = time.perf_counter()
        with one_blas_thread():
            for it in range(config.decoder_iterations):
                idx = rng.integers(0, len(inputs), config.decoder_batch)
                out, cache = decoder_forward(params, inputs[idx], keep=True)
                diff = out - residual[idx]
                losses[it] = np.mean(diff * diff)
                grads = decoder_backward(params, cache, diff * (2.0 / diff.size))
                adam.step(params, grads, cosine_learning_rate(it, config.decoder_iterations,
                                                              config.learning_rate))
                if progress and ((it + 1) % 500 == 0 or it + 1 == config.decoder_iterations):
                    print(f"[engine] autoencoder decoder: iteration {it + 1}/"
                          f"{config.decoder_iterations}  loss {losses[it]:.5f}  "
                          f"elapsed {time.perf_counter() - start:.1f}s", file=sys.stderr, flush=True)
        ae.decoder, ae.losses = params, losses
        return ae

    @property
    def latent_channels(self) -> int:
        return len(self.components)

    def encode(self, images: np.ndarray) -> np.ndarray:
        """(N, 64, 64, 3) pictures -> (N, 8, 8, latent_channels) latents of unit scale."""
        tiles = to_tiles(np.asarray(images, np.float32))
        return ((tiles - self.mean) @ self.components.T / self.scale).astype(np.float32)

    def decode_linear(self, latents: np.ndarray) -> np.ndarray:
        """The PCA inverse alone: blurry, blocky tiles (the correction network is skipped)."""
        tiles = (np.asarray(latents, np.float32) * self.scale) @ self.components + self.mean
        return from_tiles(tiles.astype(np.float32))

    def decode(self, latents: np.ndarray) -> np.ndarray:
        """(N, 8, 8, latent_channels) latents -> (N, 64, 64, 3) pictures, not clipped."""
        latents = np.asarray(latents, np.float32)
        single = latents.ndim == 3
        if single:
            latents = latents[None]
        pictures = self.decode_linear(latents)
        if self.decoder:
            with one_blas_thread():
                correction = decoder_forward(self.decoder, neighbourhoods(latents))
            pictures = pictures + from_tiles(correction.reshape(to_tiles(pictures).shape))
        return pictures[0] if single else pictures

    def arrays(self) -> dict:
        return {"mean": self.mean, "components": self.components, "scale": self.scale,
                **{f"decoder_{k}": v for k, v in self.decoder.items()}}

    @classmethod
    def from_arrays(cls, arrays: dict, losses=None) -> "PatchAutoencoder":
        decoder = {k[len("decoder_"):]: v for k, v in arrays.items() if k.startswith("decoder_")}
        return cls(arrays["mean"], arrays["components"], arrays["scale"], decoder,
                   np.zeros(0, np.float32) if losses is None else losses)
