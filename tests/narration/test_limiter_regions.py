"""The limiter computes its gain only around the frames over the limit: it must give what the
whole-track formula gives (a minimum filter then an average over every frame), to float rounding."""

import numpy as np
import pytest
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from diffusion_explainer.narration.loudness import (
    HALF,
    LIMITER_WINDOW_S,
    limit_true_peak,
    true_peak_envelope,
)

from .signals import speech_like_clip

RATE = 48000
LIMIT = 10.0 ** (-1.2 / 20.0)


def whole_track_limit(samples: np.ndarray, rate: int, limit: float) -> np.ndarray:
    """limit_true_peak as it was: the gain computed on every frame of the track."""
    envelope = true_peak_envelope(samples, skip_below=limit * HALF)
    if envelope.max(initial=0.0) <= limit:
        return samples
    needed = np.minimum(1.0, limit / np.maximum(envelope, 1e-12))
    width = 2 * round(LIMITER_WINDOW_S * rate) + 1
    gain = uniform_filter1d(minimum_filter1d(needed, width, mode="nearest"), width, mode="nearest")
    gain = np.minimum(gain, needed)
    return samples * gain.reshape(-1, *([1] * (samples.ndim - 1)))


def bursty_track(seconds: float, stereo_same: bool) -> np.ndarray:
    """Quiet speech with loud bursts: at the very first and last frames, within 2r of the ends,
    pairs closer together than 2r (and than the regions' padding), and lone ones."""
    r = round(LIMITER_WINDOW_S * RATE)
    voice = 0.3 * speech_like_clip(seconds, RATE, seed=4)
    n = len(voice)
    rng = np.random.default_rng(5)
    for at in [0, 3, r // 2, n - 1, n - r, n - 2 * r - 1, 20_000, 20_000 + r, 20_000 + 2 * r + 1,
               50_000, 50_000 + 4 * r + 2, 50_000 + 4 * r + 4, 90_000, 90_000 + 3 * r]:
        length = int(rng.integers(1, 200))
        voice[at : at + length] *= 6.0  # a burst over the limit
    voice[70_000] = 1.3  # a click
    voice[n // 2 : n // 2 + 2400] = 0.95 * np.sin(np.pi / 2 * np.arange(2400) + np.pi / 4)  # true peak above samples
    if stereo_same:
        return np.column_stack([voice, voice])
    other = 0.8 * np.roll(voice, 37)
    other[110_000:110_050] = -1.4  # a burst in one channel only
    return np.column_stack([voice, other])


@pytest.mark.parametrize("shape", ["mono", "stereo same", "stereo different"])
def test_gain_around_the_bursts_is_the_whole_tracks(shape):
    track = bursty_track(2.6, stereo_same=shape == "stereo same")
    if shape == "mono":
        track = track[:, 0].copy()
    assert track.ndim == (1 if shape == "mono" else 2)
    before = track.copy()
    assert true_peak_envelope(track).max() > LIMIT
    out = limit_true_peak(track, RATE, LIMIT)
    reference = whole_track_limit(track, RATE, LIMIT)
    assert np.array_equal(track, before)  # the caller's samples are not changed
    assert out.shape == track.shape and out.dtype == reference.dtype
    assert np.max(np.abs(out - reference)) <= 1e-12
    # The whole-track formula itself lets the true peak pass the limit by a hair: the gain changes
    # from sample to sample, so the oversampled result is not the oversampled track times the gain
    # (here up to 3e-5 over, 0.00025 dB; normalise keeps 0.2 dB spare). So the result's true peak
    # is held to the reference's, and to the limit within 0.001 dB, not within 1e-9.
    peak, reference_peak = true_peak_envelope(out).max(), true_peak_envelope(reference).max()
    assert peak <= reference_peak + 1e-9
    assert peak <= LIMIT * 10.0 ** (0.001 / 20.0)
    assert not np.array_equal(out, track)


def test_float32_and_a_track_under_the_limit():
    """The soundtrack's limiter passes float32: its gain is float32 too, and so is the result."""
    track = bursty_track(2.6, stereo_same=False).astype(np.float32)
    out = limit_true_peak(track, RATE, LIMIT)
    reference = whole_track_limit(track, RATE, LIMIT)
    assert out.dtype == reference.dtype == np.float32
    assert np.max(np.abs(out.astype(np.float64) - reference)) <= 1e-6  # float32 rounding at most
    quiet = 0.1 * speech_like_clip(1.0, RATE)
    assert limit_true_peak(quiet, RATE, LIMIT) is quiet  # nothing over the limit: the same array
