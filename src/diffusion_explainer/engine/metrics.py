"""How good are the samples? Distances in pixel space, simple enough to show and explain.

- fidelity: RMS distance of each sample to its nearest training picture (smaller is closer to
  the data; uniform noise is far, a held-out real picture is near).
- diversity: mean RMS distance between pairs of samples of the same prompt (smaller: samples
  look more alike).
- accuracy: share of samples that a nearest-centroid classifier assigns to their prompt's class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _flat(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).reshape(len(x), -1)


def pairwise_rms(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) RMS distances between flattened pictures."""
    a, b = _flat(a), _flat(b)
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0) / a.shape[1])


def nearest_neighbour_rms(samples: np.ndarray, references: np.ndarray) -> np.ndarray:
    """For each sample, the RMS distance to its nearest reference picture."""
    return pairwise_rms(samples, references).min(axis=1)


def diversity(samples: np.ndarray) -> float:
    """Mean RMS distance over all pairs of distinct samples."""
    d = pairwise_rms(samples, samples)
    n = len(samples)
    return float(d[~np.eye(n, dtype=bool)].mean()) if n > 1 else 0.0


class NearestCentroidClassifier:
    """Assigns a picture to the class whose mean training picture is closest."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.classes = np.unique(labels)
        self.centroids = np.stack([_flat(images[labels == c]).mean(0) for c in self.classes])

    def predict(self, images: np.ndarray) -> np.ndarray:
        return self.classes[pairwise_rms(images, self.centroids).argmin(axis=1)]

    def accuracy(self, images: np.ndarray, labels: np.ndarray) -> float:
        return float(np.mean(self.predict(images) == labels))


def psnr(reference: np.ndarray, reconstruction: np.ndarray, data_range: float = 2.0) -> float:
    """Peak signal-to-noise ratio in dB, for pictures in [-1, 1] (a range of 2)."""
    mse = np.mean((np.asarray(reference, np.float64) - np.asarray(reconstruction, np.float64)) ** 2)
    return float(10.0 * np.log10(data_range**2 / mse))


def uniform_noise_like(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """Pictures of uniform noise in [-1, 1]: the yardstick for "not a picture at all"."""
    return np.random.default_rng(seed).uniform(-1, 1, images.shape).astype(np.float32)


@dataclass(frozen=True)
class GuidancePoint:
    scale: float
    fidelity: float  # mean nearest-training-picture RMS (lower = closer to the data)
    diversity: float  # mean within-prompt pairwise RMS (lower = samples more alike)
    accuracy: float  # share of samples recognised as their prompt's class


def guidance_sweep(model, scales=(0.0, 1.0, 3.0, 7.0), n_per_class: int = 16, seed: int = 0,
                   sampler: str = "ddim", num_steps: int = 50) -> list[GuidancePoint]:
    """Fidelity, diversity and class accuracy of samples at each guidance scale.

    model is a trained diffusion model (pixel or latent): it supplies the denoiser, the training
    pictures the metrics compare against, and `decode` for latent models. Every scale uses the
    same starting noise, so only the guidance differs.
    """
    from .sampling import sample_ddim, sample_ddpm

    classes = np.unique(model.labels)
    ids = np.repeat(classes, n_per_class)
    classifier = NearestCentroidClassifier(model.images, model.labels)
    points = []
    for s in scales:
        if sampler == "ddpm":
            traj = sample_ddpm(model, len(ids), ids, s, seed, record_steps=())
        else:
            traj = sample_ddim(model, len(ids), ids, s, seed, num_steps, record_steps=())
        pictures = model.to_pictures(traj.samples)
        div = np.mean([diversity(pictures[ids == c]) for c in classes])
        points.append(GuidancePoint(
            scale=float(s),
            fidelity=float(nearest_neighbour_rms(pictures, model.images).mean()),
            diversity=float(div),
            accuracy=classifier.accuracy(pictures, ids),
        ))
    return points
