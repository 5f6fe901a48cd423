"""Loudness (ITU-R BS.1770 via pyloudnorm) and true peak, and bringing a track to a target
integrated loudness without its true peak passing a ceiling.

True peak is the peak of the signal between samples too: measured on a 4x oversampled copy
(BS.1770 Annex 2), block by block so a 10-minute track does not need gigabytes.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, upfirdn

OVERSAMPLING = 4
# The interpolation filter scipy's resample_poly designs for 4x, made once: designing it for
# every block took a tenth of a 10-minute mix.
_FILTER = OVERSAMPLING * firwin(2 * 10 * OVERSAMPLING + 1, 1.0 / OVERSAMPLING, window=("kaiser", 5.0))
_DELAY = (len(_FILTER) - 1) // 2  # in oversampled samples
_EDGE = 16  # frames of context each side of a run of blocks: more than the filter's reach
_BLOCK = 4096  # frames
_RUN = 64  # blocks oversampled in one call at most
HALF = 10.0 ** (-6.0 / 20.0)
LIMITER_WINDOW_S = 0.010  # the gain reaches its floor over 10 ms and recovers over 10 ms


def integrated_loudness(samples: np.ndarray, rate: int, *, pad_short: bool = False,
                        normal_floor: bool = True) -> float:
    """LUFS, or -inf for silence.

    BS.1770 needs one 400 ms block: a shorter track counts as silent, or with `pad_short` is
    measured padded with silence to one block (the gate ignores the padding only partly, so a
    very short clip brought to a target comes out slightly louder than it).
    `normal_floor` adds a -240 dB alternating floor before measuring: after each clip the
    K-weighting filters ring down into subnormal floats, which the CPU handles about 12x slower
    (minutes for a 10-minute track of mostly silence); the floor keeps them normal and changes
    no gated block's loudness beyond the last few of its 16 digits. The speech clips and the
    music bed are measured without it: their gains come from these digits, and their samples
    stay what they were when their caches were made.
    """
    block = round(0.4 * rate)
    if len(samples) < block and pad_short:
        samples = np.concatenate([samples, np.zeros((block - len(samples),) + samples.shape[1:])])
    if len(samples) < block or not np.any(samples):
        return float("-inf")
    if normal_floor:
        floor = np.full(len(samples), 1e-12)
        floor[1::2] = -1e-12  # (np.resize would do the same, 100x slower on a 10-minute track)
        samples = samples + floor.reshape(-1, *([1] * (samples.ndim - 1)))
    import pyloudnorm  # SciPy's signal module: a second to import, needed only here
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def true_peak_db(samples: np.ndarray) -> float:
    sample_peak = float(np.max(np.abs(samples), initial=0.0))
    if sample_peak == 0.0:
        return float("-inf")
    return 20.0 * np.log10(np.max(true_peak_envelope(samples, skip_below=sample_peak * HALF)))


def true_peak_envelope(samples: np.ndarray, skip_below: float = 0.0) -> np.ndarray:
    """For each frame, the largest absolute value of any channel on the 4x oversampled signal
    from that frame up to the next.

    Oversampling a whole 10-minute track is slow, so blocks whose sample peak is at most
    `skip_below` keep their sample peaks: between its samples, sound rises at most about 3 dB
    above them (a sine at a quarter of the rate, caught 45 degrees off its crests), so with
    `skip_below` half of a level no block skipped can reach that level.
    """
    samples = samples.reshape(len(samples), -1)
    envelope = np.abs(samples).max(axis=1)
    blocks = -(-len(envelope) // _BLOCK)
    block_peaks = np.pad(envelope, (0, blocks * _BLOCK - len(envelope))).reshape(blocks, _BLOCK).max(axis=1)
    for first_block, end_block in _runs(np.flatnonzero(block_peaks > skip_below)):
        start, end = first_block * _BLOCK, min(end_block * _BLOCK, len(envelope))
        lo, hi = max(0, start - _EDGE), min(len(envelope), end + _EDGE)
        for channel in samples[lo:hi].T:
            fine = upfirdn(_FILTER, channel, OVERSAMPLING)[_DELAY : _DELAY + (hi - lo) * OVERSAMPLING]
            peaks = np.abs(fine).reshape(-1, OVERSAMPLING).max(axis=1)
            np.maximum(envelope[start:end], peaks[start - lo : end - lo], out=envelope[start:end])
    return envelope


def _runs(block_indices: np.ndarray) -> list[tuple[int, int]]:
    """[first, end) runs of consecutive block indices, at most _RUN blocks long."""
    runs: list[tuple[int, int]] = []
    for index in block_indices:
        if runs and runs[-1][1] == index and index - runs[-1][0] < _RUN:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


def normalise(samples: np.ndarray, rate: int, target_lufs: float, ceiling_db: float) -> np.ndarray:
    """Gain to `target_lufs`, then a look-ahead limiter holds the true peak under `ceiling_db`;
    repeated because limiting lowers the loudness a little."""
    limit = 10.0 ** ((ceiling_db - 0.2) / 20.0)  # 0.2 dB spare for the 16-bit rounding
    loudness = integrated_loudness(samples, rate)
    for _ in range(6):
        if not np.isfinite(loudness) or abs(loudness - target_lufs) < 0.2:
            break
        samples = limit_true_peak(samples * 10.0 ** ((target_lufs - loudness) / 20.0), rate, limit)
        loudness = integrated_loudness(samples, rate)
    return samples


def limit_true_peak(samples: np.ndarray, rate: int, limit: float) -> np.ndarray:
    """Lower the gain smoothly around every place where the true peak passes `limit`.

    The needed gain is spread by a minimum filter of radius r and then averaged over radius r:
    every frame averaged into the gain at t saw t in its minimum, so the smooth gain is never
    above what t needs, and it has no steps that would distort.
    """
    envelope = true_peak_envelope(samples, skip_below=limit * HALF)
    if envelope.max(initial=0.0) <= limit:
        return samples
    needed = np.minimum(1.0, limit / np.maximum(envelope, 1e-12))
    width = 2 * round(LIMITER_WINDOW_S * rate) + 1
    gain = uniform_filter1d(minimum_filter1d(needed, width, mode="nearest"), width, mode="nearest")
    gain = np.minimum(gain, needed)  # the average's float rounding must not creep above
    return samples * gain.reshape(-1, *([1] * (samples.ndim - 1)))
