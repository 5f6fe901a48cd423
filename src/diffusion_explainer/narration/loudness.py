"""Loudness (ITU-R BS.1770 via pyloudnorm) and true peak, and bringing a track to a target
integrated loudness without its true peak passing a ceiling.

True peak is the peak of the signal between samples too: measured on a 4x oversampled copy
(BS.1770 Annex 2), computed in chunks so a 10-minute track does not need gigabytes.
"""

from __future__ import annotations

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

OVERSAMPLING = 4
_CHUNK = 1 << 18  # frames per oversampling chunk
_EDGE = 64  # frames of context each side of a chunk, more than the resampling filter's reach
LIMITER_WINDOW_S = 0.010  # the gain reaches its floor over 10 ms and recovers over 10 ms


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """LUFS, or -inf for silence or a track shorter than one 400 ms block."""
    if len(samples) < round(0.4 * rate) or not np.any(samples):
        return float("-inf")
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def true_peak_db(samples: np.ndarray) -> float:
    peak = float(np.max(true_peak_envelope(samples), initial=0.0))
    return 20.0 * np.log10(peak) if peak > 0 else float("-inf")


def true_peak_envelope(samples: np.ndarray) -> np.ndarray:
    """For each frame, the largest absolute value of any channel within it and up to the next
    frame on the 4x oversampled signal."""
    samples = samples.reshape(len(samples), -1)
    envelope = np.zeros(len(samples))
    for start in range(0, len(samples), _CHUNK):
        lo, hi = max(0, start - _EDGE), min(len(samples), start + _CHUNK + _EDGE)
        fine = np.abs(resample_poly(samples[lo:hi], OVERSAMPLING, 1, axis=0)).max(axis=1)
        fine = fine.reshape(-1, OVERSAMPLING).max(axis=1)
        end = min(start + _CHUNK, len(samples))
        envelope[start:end] = np.maximum(np.abs(samples[start:end]).max(axis=1), fine[start - lo : end - lo])
    return envelope


def normalise(samples: np.ndarray, rate: int, target_lufs: float, ceiling_db: float) -> np.ndarray:
    """Gain to `target_lufs`, then a look-ahead limiter holds the true peak under `ceiling_db`;
    repeated because limiting lowers the loudness a little."""
    limit = 10.0 ** ((ceiling_db - 0.2) / 20.0)  # 0.2 dB spare for the 16-bit rounding
    for _ in range(6):
        loudness = integrated_loudness(samples, rate)
        if not np.isfinite(loudness):
            return samples
        samples = samples * 10.0 ** ((target_lufs - loudness) / 20.0)
        samples = limit_true_peak(samples, rate, limit)
        if abs(integrated_loudness(samples, rate) - target_lufs) < 0.2:
            break
    return samples


def limit_true_peak(samples: np.ndarray, rate: int, limit: float) -> np.ndarray:
    """Lower the gain smoothly around every place where the true peak passes `limit`.

    The needed gain is spread by a minimum filter of radius r and then averaged over radius r:
    every frame averaged into the gain at t saw t in its minimum, so the smooth gain is never
    above what t needs, and it has no steps that would distort.
    """
    envelope = true_peak_envelope(samples)
    if envelope.max(initial=0.0) <= limit:
        return samples
    needed = np.minimum(1.0, limit / np.maximum(envelope, 1e-12))
    width = 2 * round(LIMITER_WINDOW_S * rate) + 1
    gain = uniform_filter1d(minimum_filter1d(needed, width, mode="nearest"), width, mode="nearest")
    gain = np.minimum(gain, needed)  # the average's float rounding must not creep above
    return samples * gain.reshape(-1, *([1] * (samples.ndim - 1)))
