"""Making every synthesised line alike: the same loudness for both voices, and the voice
starting a fixed few milliseconds into the file so a subtitle shown at the clip's start
appears when the voice starts."""

from __future__ import annotations

import numpy as np

from .onsets import FRAME_S, frame_energy_db

CLIP_LUFS = -23.0  # leaves headroom: jm_kumo peaks near full scale at -20 LUFS
CLIP_PEAK_DB = -1.0
VOICE_START_DB = -40.0  # at CLIP_LUFS, the first 5 ms frame this loud is where the voice starts
VOICE_END_DB = -50.0  # the quieter threshold at the end keeps the last syllable's decay
LEAD_IN_S = 0.010  # silence kept before the voice, so its first transient is not cut
TAIL_S = 0.050


def level(samples: np.ndarray, rate: int) -> np.ndarray:
    """Scale to CLIP_LUFS integrated loudness, or less if the sample peak would pass CLIP_PEAK_DB."""
    peak = np.max(np.abs(samples), initial=0.0)
    if peak == 0.0:
        return samples
    # (imported here: SciPy's signal module, which a scene process that only reads its plan never needs)
    from .loudness import integrated_loudness

    # an exclamation ("え？") is shorter than a loudness block: measured padded with silence
    loudness = integrated_loudness(samples, rate, pad_short=True, normal_floor=False)
    gain = min(_db_to_gain(CLIP_LUFS - loudness), _db_to_gain(CLIP_PEAK_DB) / peak)
    return samples * gain


def trim_silence(samples: np.ndarray, rate: int) -> tuple[np.ndarray, float]:
    """(samples from LEAD_IN_S before the voice to TAIL_S after it, the lead-in kept in s)."""
    energy = frame_energy_db(samples, rate)
    loud = np.flatnonzero(energy > VOICE_START_DB)
    if loud.size == 0:
        raise ValueError("the engine returned no audible speech")
    frame = round(FRAME_S * rate)
    voice_start = loud[0] * frame
    voice_end = (np.flatnonzero(energy > VOICE_END_DB)[-1] + 1) * frame
    first = max(0, voice_start - round(LEAD_IN_S * rate))
    last = min(len(samples), voice_end + round(TAIL_S * rate))
    trimmed = samples[first:last].copy()
    _fade(trimmed, first_n=voice_start - first, last_n=last - voice_end)
    return trimmed, float(voice_start - first) / rate


def _fade(samples: np.ndarray, first_n: int, last_n: int) -> None:
    """Ramp the kept lead-in and tail in place so the cut points cannot click."""
    if first_n:
        samples[:first_n] *= np.linspace(0.0, 1.0, first_n, endpoint=False)
    if last_n:
        samples[-last_n:] *= np.linspace(1.0, 0.0, last_n)


def _db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)
