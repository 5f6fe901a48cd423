"""The autoencoder of latent diffusion, in its simplest honest form: PCA on 8x8 tiles.

Each 8x8x3 tile of a 64x64 picture (192 values) becomes 4 numbers: its coordinates along the
4 directions in which tiles of the training pictures vary most. A 64x64x3 picture thus becomes
an 8x8x4 latent, 8x smaller per side and 48x fewer values, the same ratio as Stable Diffusion's
512x512x3 -> 64x64x4. Stable Diffusion's autoencoder is a trained convolutional network that
reconstructs far better; this one is linear, which is what lets it train in a second here.

Latent channels are scaled to unit variance (Stable Diffusion multiplies its latents by 0.18215
for the same reason) so that the diffusion's N(0, I) end point fits the data's scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TILE = 8


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


@dataclass
class PatchAutoencoder:
    mean: np.ndarray  # (tile*tile*3,) the average tile
    components: np.ndarray  # (latent_channels, tile*tile*3) orthonormal principal directions
    scale: np.ndarray  # (latent_channels,) std of each latent channel on the training pictures

    @classmethod
    def fit(cls, images: np.ndarray, latent_channels: int = 4) -> "PatchAutoencoder":
        """PCA of all tiles of the training pictures (float64, deterministic)."""
        tiles = to_tiles(np.asarray(images, np.float64)).reshape(-1, TILE * TILE * images.shape[-1])
        mean = tiles.mean(0)
        centred = tiles - mean
        cov = centred.T @ centred / len(centred)
        values, vectors = np.linalg.eigh(cov)
        order = np.argsort(values)[::-1][:latent_channels]
        comps = vectors[:, order].T
        # An eigenvector's sign is arbitrary; fixing it keeps the latents reproducible.
        signs = np.sign(comps[np.arange(latent_channels), np.abs(comps).argmax(1)])
        comps = comps * signs[:, None]
        scale = np.sqrt(values[order])
        return cls(mean.astype(np.float32), comps.astype(np.float32), scale.astype(np.float32))

    @property
    def latent_channels(self) -> int:
        return len(self.components)

    def encode(self, images: np.ndarray) -> np.ndarray:
        """(N, 64, 64, 3) pictures -> (N, 8, 8, latent_channels) latents of unit scale."""
        tiles = to_tiles(np.asarray(images, np.float32))
        return ((tiles - self.mean) @ self.components.T / self.scale).astype(np.float32)

    def decode(self, latents: np.ndarray) -> np.ndarray:
        """(N, 8, 8, latent_channels) latents -> (N, 64, 64, 3) pictures (not clipped)."""
        tiles = (np.asarray(latents, np.float32) * self.scale) @ self.components + self.mean
        return from_tiles(tiles.astype(np.float32))

    def arrays(self) -> dict:
        return {"mean": self.mean, "components": self.components, "scale": self.scale}
