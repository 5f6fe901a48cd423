"""Loudness (ITU-R BS.1770, pyloudnorm's filters and gating) and true peak, and bringing a track to a target
integrated loudness without its true peak passing a ceiling.

True peak is the peak of the signal between samples too: measured on a 4x oversampled copy
(BS.1770 Annex 2), block by block so a 10-minute track does not need gigabytes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, sosfilt, upfirdn

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
    block = round(_BLOCK_S * rate)
    if len(samples) < block and pad_short:
        samples = np.concatenate([samples, np.zeros((block - len(samples),) + samples.shape[1:])])
    if len(samples) < block or not np.any(samples):
        return float("-inf")
    return combined_loudness([loudness_part(samples, rate, normal_floor=normal_floor)], len(samples), rate)


# BS.1770's gating as pyloudnorm measures it (its Meter's defaults: 400 ms blocks overlapping by
# 75 %, K-weighting, absolute gate -70 LUFS, relative gate -10 LU), with the blocks' energies
# summed by NumPy instead of pyloudnorm's Python loop over them, its two filters run in one pass, and
# a stereo track whose channels are the same (every narration track) filtered once: a ten-minute
# stereo mix measures in about 0.5 s instead of 4.6 s. The same filters and the same block edges:
# the result agrees with pyloudnorm's to about 1e-9 LU (tests/narration/test_loudness.py).
_BLOCK_S, _STEP = 0.4, 0.25
_CHANNEL_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)
_ABSOLUTE_GATE = -70.0
_SETTLE_S = 0.5  # samples before a part that settle the K-weighting filters (they forget in ~10 ms)
_PIECE_CUTS = 256  # about 25 s of samples filtered at a time


@dataclass(frozen=True)
class LoudnessPart:
    """What integrated loudness needs of samples [first, end) of a longer track: the K-weighted
    sums of squares between every two block edges inside it (cuts: first, the edges, end). The
    parts of a track, in order, give its loudness (combined_loudness), so a track whose parts are
    kept measures again only the parts that changed."""

    cuts: np.ndarray  # int64 sample positions in the track
    sums: np.ndarray  # (channels, len(cuts) - 1)


def loudness_part(samples: np.ndarray, rate: int, first: int = 0, before: np.ndarray | None = None, *,
                  normal_floor: bool = True) -> LoudnessPart:
    """The part of a track that `samples` are, starting at sample `first` of it; `before`: the
    track's samples just before them (up to _SETTLE_S of them are used to settle the filters)."""
    samples = samples.reshape(len(samples), -1)
    same = samples.shape[1] == 2 and np.array_equal(samples[:, 0], samples[:, 1])
    if same:
        samples = samples[:, :1]
    end = first + len(samples)
    lower, upper = _block_edges(rate, _blocks_before(end, rate))
    cuts = np.unique(np.concatenate([[first, end], lower, upper]))
    cuts = cuts[(cuts >= first) & (cuts <= end)]
    sos = _k_weighting(rate)
    state = np.zeros((len(sos), samples.shape[1], 2))  # the filters' state, carried from piece to piece
    if before is not None and first > 0:
        before = before.reshape(len(before), -1)[-min(first, round(_SETTLE_S * rate)):, : samples.shape[1]]
        _, state = _filtered(before, first - len(before), sos, state, normal_floor)
    # in pieces of many blocks: the whole part at once would be copied to float64 three times
    # (hundreds of MB for a scene), and first touches of fresh memory cost more than the filter
    sums = []
    for at in range(0, len(cuts) - 1, _PIECE_CUTS):
        piece_cuts = cuts[at : at + _PIECE_CUTS + 1]
        weighted, state = _filtered(samples[piece_cuts[0] - first : piece_cuts[-1] - first], piece_cuts[0], sos, state,
                                    normal_floor)
        sums.append(np.add.reduceat(np.square(weighted, out=weighted), piece_cuts[:-1] - piece_cuts[0], axis=1))
    sums = np.concatenate(sums, axis=1) if sums else np.zeros((samples.shape[1], 0))
    return LoudnessPart(cuts, np.repeat(sums, 2, axis=0) if same else sums)


def _filtered(samples: np.ndarray, first: int, sos: np.ndarray, state: np.ndarray,
              normal_floor: bool) -> tuple[np.ndarray, np.ndarray]:
    """K-weighted (channels, samples) float64 of `samples`, which start at the track's sample
    `first`, from the filters' `state`; and their state after."""
    piece = np.array(samples.T, dtype=np.float64)
    if normal_floor:  # by the track's sample parity, as if the floor were added to it whole
        piece[:, first % 2 :: 2] += 1e-12
        piece[:, (first + 1) % 2 :: 2] -= 1e-12
    return sosfilt(sos, piece, axis=1, zi=state)


def combined_loudness(parts: list[LoudnessPart], total: int, rate: int) -> float:
    """The integrated loudness (LUFS, -inf for silence) of a track of `total` samples from its
    parts, in order, covering it."""
    cuts = np.concatenate([p.cuts[:-1] for p in parts] + [[total]])
    sums = np.concatenate([p.sums for p in parts], axis=1)
    count = int(np.round((total / rate - _BLOCK_S) / (_BLOCK_S * _STEP))) + 1  # pyloudnorm's block count
    if count < 1 or total < round(_BLOCK_S * rate):
        return float("-inf")
    lower, upper = _block_edges(rate, count)
    lo, hi = np.searchsorted(cuts, lower), np.searchsorted(cuts, np.minimum(upper, total))
    span = int((hi - lo).max())
    index = lo[:, None] + np.arange(span)  # the pieces of each block
    inside = index < hi[:, None]
    z = (sums[:, np.minimum(index, sums.shape[1] - 1)] * inside).sum(axis=2) / (_BLOCK_S * rate)
    return _gated(z)


def _gated(z: np.ndarray) -> float:
    """BS.1770's two gates over blocks' mean squares z (channels, blocks), as pyloudnorm does."""
    gains = np.array(_CHANNEL_GAINS[: len(z)])[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        block = -0.691 + 10.0 * np.log10((gains * z).sum(axis=0))
        kept = block >= _ABSOLUTE_GATE
        if not kept.any():
            return float("-inf")
        relative = -0.691 + 10.0 * np.log10((gains[:, 0] * z[:, kept].mean(axis=1)).sum()) - 10.0
        kept = (block > relative) & (block > _ABSOLUTE_GATE)
        mean = np.nan_to_num(z[:, kept].mean(axis=1)) if kept.any() else np.zeros(len(z))
        return float(-0.691 + 10.0 * np.log10((gains[:, 0] * mean).sum()))


@functools.cache
def _k_weighting(rate: int) -> np.ndarray:
    """pyloudnorm's K-weighting stages at `rate`, in its order, as second-order sections (its
    passband gains in the numerators): SciPy's sosfilt runs both in one pass, 7x faster than
    lfilter stage by stage, equal to about 1e-12."""
    import pyloudnorm

    stages = pyloudnorm.Meter(rate)._filters.values()
    return np.vstack([np.concatenate([stage.b * stage.passband_gain, stage.a]) for stage in stages])


def _block_edges(rate: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """[lower, upper) of the first `count` blocks, computed as pyloudnorm does (truncated floats)."""
    j = np.arange(count)
    return (_BLOCK_S * (j * _STEP) * rate).astype(np.int64), (_BLOCK_S * (j * _STEP + 1) * rate).astype(np.int64)


def _blocks_before(end: int, rate: int) -> int:
    """How many blocks start before sample `end` (their edges are the cuts a part needs)."""
    return int(end / (_BLOCK_S * _STEP * rate)) + 2


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
    if samples.shape[1] == 2 and np.array_equal(samples[:, 0], samples[:, 1]):
        samples = samples[:, :1]  # a narration track: both channels are the voice
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


def normalise(samples: np.ndarray, rate: int, target_lufs: float, ceiling_db: float,
              step_db: float = 0.0) -> np.ndarray:
    """Gain to `target_lufs`, then a look-ahead limiter holds the true peak under `ceiling_db`;
    repeated because limiting lowers the loudness a little.

    With `step_db`, the gain moves in whole steps and the track ends within half a step of the
    target: an edit of one line, which moves a track's loudness by a few hundredths of a dB,
    then usually keeps its gain, so the rest of the track stays the same bit for bit (the
    limiter only acts near a peak) and what is made from it downstream is reused."""
    limit = 10.0 ** ((ceiling_db - 0.2) / 20.0)  # 0.2 dB spare for the 16-bit rounding
    tolerance = max(0.2, step_db / 2)
    loudness = integrated_loudness(samples, rate)
    for _ in range(6):
        if not np.isfinite(loudness) or abs(loudness - target_lufs) < tolerance:
            break
        gain_db = target_lufs - loudness
        if step_db:
            gain_db = round(gain_db / step_db) * step_db
        samples = limit_true_peak(samples * 10.0 ** (gain_db / 20.0), rate, limit)
        loudness = integrated_loudness(samples, rate)
    return samples


def limit_true_peak(samples: np.ndarray, rate: int, limit: float) -> np.ndarray:
    """Lower the gain smoothly around every place where the true peak passes `limit`.

    The needed gain is spread by a minimum filter of radius r and then averaged over radius r:
    every frame averaged into the gain at t saw t in its minimum, so the smooth gain is never
    above what t needs, and it has no steps that would distort.
    The gain is below 1 only within 2r of a frame over the limit, so it is computed only on
    regions around those frames, widened by more than 2r so that at their edges the filters see
    what they would on the whole track, and left 1 elsewhere (most of a track is far from them).
    """
    envelope = true_peak_envelope(samples, skip_below=limit * HALF)
    if envelope.max(initial=0.0) <= limit:
        return samples
    radius = round(LIMITER_WINDOW_S * rate)
    width = 2 * radius + 1
    gains = []
    for start, end in _regions(np.flatnonzero(envelope > limit), 2 * radius + 2, len(envelope)):
        needed = np.minimum(1.0, limit / np.maximum(envelope[start:end], 1e-12))
        gain = uniform_filter1d(minimum_filter1d(needed, width, mode="nearest"), width, mode="nearest")
        gain = np.minimum(gain, needed)  # the average's float rounding must not creep above
        gains.append((start, end, gain.reshape(-1, *([1] * (samples.ndim - 1)))))
    # a copy, of the type samples * gain has (float32 stays float32): the caller's samples stay
    out = samples.astype(np.result_type(samples, *(gain for _, _, gain in gains)))
    for start, end, gain in gains:
        out[start:end] *= gain
    return out


def _regions(over: np.ndarray, pad: int, length: int) -> list[tuple[int, int]]:
    """[start, end) regions around the frame indices `over` (sorted): runs of them widened by
    `pad` frames each side, merged when they touch, clipped to [0, length)."""
    if len(over) == 0:
        return []
    breaks = np.flatnonzero(np.diff(over) > 2 * pad + 1)
    firsts = over[np.concatenate([[0], breaks + 1])]
    lasts = over[np.concatenate([breaks, [len(over) - 1]])]
    return [(max(0, int(first) - pad), min(length, int(last) + 1 + pad)) for first, last in zip(firsts, lasts)]
