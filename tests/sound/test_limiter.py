"""The true-peak limiter applied to pieces with their context gives exactly what it gives on the
whole signal."""

import numpy as np

from diffusion_explainer.narration.loudness import limit_true_peak, true_peak_db
from diffusion_explainer.sound.limiter import limited, reach

RATE = 48000


def test_pieces_with_their_context_come_out_as_the_whole_would():
    rng = np.random.default_rng(3)
    t = np.arange(6 * RATE) / RATE
    signal = (0.5 * np.sin(2 * np.pi * 220 * t) * (1 + 0.9 * np.sin(2 * np.pi * 0.7 * t)))[:, None] * [1.0, 0.8]
    signal[rng.integers(0, len(t), 40)] = 0.98  # clicks over the limit, some near the pieces' borders
    signal = signal.astype(np.float32)
    limit = 10 ** (-1.5 / 20)
    whole = limit_true_peak(signal, RATE, limit)
    context = reach(RATE)
    cuts = [0, 1000, 1001, 50_000, 123_457, 3 * RATE, len(t)]
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        low, high = max(0, a - context), min(len(t), b + context)
        pieces.append(limited(signal[low:high], RATE, limit)[a - low : b - low])
    out = np.concatenate(pieces)
    assert out.shape == signal.shape
    assert np.allclose(out, whole, atol=1e-6)
    assert true_peak_db(out) <= -1.5 + 0.01 and true_peak_db(signal) > -0.5
    # and the context is needed: without it, a piece's edges come out differently
    bare = np.concatenate([limited(signal[a:b], RATE, limit) for a, b in zip(cuts, cuts[1:])])
    assert not np.allclose(bare, whole, atol=1e-6)
