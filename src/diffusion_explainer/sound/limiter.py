"""The narration's true-peak limiter (narration.loudness.limit_true_peak), fed in pieces.

The soundtrack is mixed and encoded in time order, a scene at a time; the limiter needs a
little of what comes after a sample (its gain at a sample depends on the signal within
2 x LIMITER_WINDOW_S, and the 4x oversampling on a few samples more), so each piece is held
back by CONTEXT samples until the next one arrives. With that much context on both sides the
pieces come out exactly as the whole signal limited at once would.
"""

from __future__ import annotations

import numpy as np

from ..narration.loudness import LIMITER_WINDOW_S, limit_true_peak


class StreamingLimiter:
    def __init__(self, rate: int, limit: float):
        self.rate, self.limit = rate, limit
        self.context = 4 * round(LIMITER_WINDOW_S * rate) + 64
        self._before = np.zeros((0, 2), np.float32)  # already given out, unlimited: left context
        self._pending = np.zeros((0, 2), np.float32)

    def push(self, block: np.ndarray) -> np.ndarray:
        """The limited samples that are now final (fewer than were pushed, until `flush`)."""
        self._pending = np.concatenate([self._pending, block.astype(np.float32)])
        return self._give(len(self._pending) - self.context)

    def flush(self) -> np.ndarray:
        """The rest: the signal has ended."""
        return self._give(len(self._pending))

    def _give(self, ready: int) -> np.ndarray:
        if ready <= 0:
            return np.zeros((0, 2), np.float32)
        window = np.concatenate([self._before, self._pending])
        limited = limit_true_peak(window, self.rate, self.limit)
        start = len(self._before)
        out = limited[start : start + ready].astype(np.float32)
        self._before = window[max(0, start + ready - self.context) : start + ready]
        self._pending = self._pending[ready:]
        return out
