"""Ducking: the music steps aside while someone speaks and comes back in the pauses.

A side-chain from the narration: every 10 ms frame louder than SPEECH_DB counts as voice. The
narration track is there in full before anything is mixed, so the gain can look ahead: it
starts going down ATTACK_S before a voice starts and is fully down LEAD_S before the first
syllable; after the voice it holds for HOLD_S (the engine pauses 0.35 s between sentences, and
the music should not pump in every breath), then comes back over RELEASE_S. Both ramps are
raised-cosine curves in dB, so the gain has no corner to hear.
"""

from __future__ import annotations

import numpy as np

from ..narration.onsets import frame_energy_db
from .music import raised_cosine

FRAME_S = 0.010
SPEECH_DB = -45.0  # a frame of narration (at -16 LUFS) louder than this is voice
LEAD_S = 0.15
ATTACK_S = 0.45
HOLD_S = 0.6
RELEASE_S = 1.8
DEPTH_DB = 18.0  # the bed sits at BED_LUFS in pauses, this much lower under a voice; effects too
# An effect is short and marks a moment: it is ducked only where a voice actually sounds, so one
# right after a line (the finale after the last) is not swallowed by the bed's hold and release.
EFFECTS_HOLD_S = 0.1
EFFECTS_RELEASE_S = 0.3
_PIECE = 1 << 20  # samples interpolated at a time (a ten-minute track at once allocates gigabytes)
# How far a frame's duck reaches, in frames (with a few to spare): a voice in a frame ducks the
# frames from REACH_BEFORE before it (the look-ahead and attack) to REACH_AFTER after it (the
# hold and release). A mix patched where its narration changed (mixdown.py) recomputes that far.
REACH_BEFORE = round((LEAD_S + ATTACK_S) / FRAME_S) + 4
REACH_AFTER = round((HOLD_S + RELEASE_S) / FRAME_S) + 4


def voice_frames(narration: np.ndarray, rate: int) -> np.ndarray:
    """For every FRAME_S frame of the narration (samples, channels): whether a voice is in it."""
    return frame_energy_db(narration, rate, FRAME_S) > SPEECH_DB


def duck_amount(voiced: np.ndarray, hold_s: float = HOLD_S, release_s: float = RELEASE_S) -> np.ndarray:
    """Per frame, how far the music is ducked: 0 (not at all) to 1 (fully), with the look-ahead,
    hold and ramps above applied."""
    lead, hold = round(LEAD_S / FRAME_S), round(hold_s / FRAME_S)
    # a frame is held down if a voice sounds from hold_s before it to LEAD_S after it
    count = np.concatenate(([0], np.cumsum(voiced, dtype=np.int64)))
    index = np.arange(len(voiced))
    held = (count[np.minimum(len(voiced), index + lead + 1)] - count[np.maximum(0, index - hold)] > 0).astype(np.float64)
    amount = held.copy()
    release = 1.0 / round(release_s / FRAME_S)
    for i in range(1, len(amount)):  # after the held voice the duck lets go over release_s
        amount[i] = max(amount[i], amount[i - 1] - release)
    attack = 1.0 / round(ATTACK_S / FRAME_S)
    for i in range(len(amount) - 2, -1, -1):  # before it: the same, backwards in time
        amount[i] = max(amount[i], amount[i + 1] - attack)
    return raised_cosine(amount)


def gains(amount: np.ndarray, samples: int, rate: int, depth_db: float = DEPTH_DB,
          span: tuple[int, int] | None = None) -> np.ndarray:
    """Linear gain per sample (float32) for a duck of `depth_db` at full amount, interpolated
    between the frames' centres; of samples [first, end) only with `span` (each sample's gain is
    the same either way)."""
    first, end = span or (0, samples)
    if not len(amount):
        return np.ones(end - first, np.float32)
    frame = FRAME_S * rate
    centres = (np.arange(len(amount)) + 0.5) * frame
    gain = 10.0 ** (-depth_db * amount / 20.0)
    out = np.empty(end - first, np.float32)
    for start in range(first, end, _PIECE):  # in pieces: the same numbers, 8x faster than all at once
        stop = min(end, start + _PIECE)
        out[start - first : stop - first] = np.interp(np.arange(start, stop, dtype=np.float64), centres, gain)
    return out
