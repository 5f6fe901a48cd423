"""The soundtrack's true-peak limiter (narration.loudness.limit_true_peak), applied a piece at a
time.

The soundtrack is encoded in segments (sound/aac_segments.py); the limiter's gain at a sample
depends on the signal within 2 x LIMITER_WINDOW_S of it, and the 4x oversampling on a few samples
more. So a piece limited with `reach` samples of context on both sides comes out as the whole
signal limited at once would, and a piece whose input (context included) did not change need
not be limited again.
"""

from __future__ import annotations

import numpy as np

from ..narration.loudness import LIMITER_WINDOW_S, limit_true_peak


def reach(rate: int) -> int:
    """How far, in samples, the limiter's output at a sample depends on its input."""
    return 4 * round(LIMITER_WINDOW_S * rate) + 64


def limited(window: np.ndarray, rate: int, limit: float) -> np.ndarray:
    """The window limited (float32): right wherever it holds `reach` samples either side, or the
    signal's own start or end."""
    return limit_true_peak(window, rate, limit).astype(np.float32)
