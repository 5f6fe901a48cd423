"""The numbers that say whether the soundtrack is right, measured on sample arrays read back
from the delivered files (the video's decoded audio and the two stems).

- silent_stretches: where the mix stays under -50 dBFS for 2 s or more (the video never falls
  silent, except at its very start and end);
- speaking_spans and music_under_speech: how far under each utterance the music and effects
  sit, in dB of plain (unweighted) power, which counts the pad's low notes fully;
- onset_errors: how far each line's voice starts from its first subtitle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..narration.onsets import frame_energy_db, onsets_in

WINDOW_S = 0.05  # level windows for silence
SILENCE_DB = -50.0
SILENCE_S = 2.0
EDGE_S = 0.5  # at the start and the end, silence is allowed
VOICE_DB = -45.0  # a 10 ms frame of the narration stem louder than this is speech
JOIN_S = 0.5  # voiced frames this close together are one utterance


def levels_db(samples: np.ndarray, rate: int, window_s: float = WINDOW_S) -> np.ndarray:
    """RMS level in dBFS of each window (channels averaged in power)."""
    return frame_energy_db(samples, rate, window_s) - 10 * np.log10(samples.reshape(len(samples), -1).shape[1])


def silent_stretches(samples: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """(start s, end s) of every stretch of SILENCE_S or longer whose windows all stay under
    SILENCE_DB, leaving out the first and last EDGE_S."""
    level = levels_db(samples, rate)
    quiet = level < SILENCE_DB
    skip = round(EDGE_S / WINDOW_S)
    quiet[:skip] = False
    quiet[len(quiet) - skip :] = False
    stretches = []
    for start, end in _runs(quiet):
        if (end - start) * WINDOW_S >= SILENCE_S:
            stretches.append((start * WINDOW_S, end * WINDOW_S))
    return stretches


def speaking_spans(narration: np.ndarray, rate: int) -> list[tuple[int, int]]:
    """[start, end) samples of each utterance in the narration stem."""
    frame = round(0.010 * rate)
    voiced = frame_energy_db(narration, rate, 0.010) > VOICE_DB
    join = round(JOIN_S / 0.010)
    runs: list[tuple[int, int]] = []
    for start, end in _runs(voiced):
        if runs and start - runs[-1][1] < join:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return [(start * frame, end * frame) for start, end in runs]


@dataclass(frozen=True)
class Ducking:
    per_utterance_db: list[float]  # music minus speech, for each utterance (negative: under it)
    overall_db: float  # music minus speech over all speaking time together
    pauses_db: float  # the music's level in the pauses minus its level under speech

    @property
    def worst_db(self) -> float:
        return max(self.per_utterance_db) if self.per_utterance_db else float("-inf")


def music_under_speech(narration: np.ndarray, music: np.ndarray, rate: int) -> Ducking:
    """How far the music sits under the voices while someone speaks, and how much louder it is
    in the pauses than under the voices."""
    spans = speaking_spans(narration, rate)
    differences = [_power_db(music[a:b]) - _power_db(narration[a:b]) for a, b in spans]
    speaking = np.zeros(len(narration), bool)
    for a, b in spans:
        speaking[a:b] = True
    pauses = ~speaking
    pauses[: round(EDGE_S * rate)] = pauses[len(pauses) - round(EDGE_S * rate) :] = False
    overall = _power_db(music[speaking]) - _power_db(narration[speaking])
    return Ducking(differences, overall, _power_db(music[pauses]) - _power_db(music[speaking]))


def onset_errors(narration: np.ndarray, rate: int, subtitle_s: list[float]) -> list[float]:
    """For each line's first subtitle time, the distance (s) to the nearest voice onset."""
    onsets = onsets_in(narration, rate)
    if not onsets:
        return [float("inf")] * len(subtitle_s)
    return [min(abs(o - s) for o in onsets) for s in subtitle_s]


def _power_db(samples: np.ndarray) -> float:
    if samples.size == 0:
        return float("-inf")
    return float(10 * np.log10(np.mean(np.square(samples, dtype=np.float64)) + 1e-20))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))
