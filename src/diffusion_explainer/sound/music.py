"""The music bed: the score's chords played on a soft, slowly breathing pad, made with NumPy.

Each pad note is two oscillators detuned a few cents apart and panned to either side (the slow
beating between them is what makes a pad sound wide and alive), each a band-limited wave whose
harmonics fall off steeply (the mood's `rolloff`), with a slow tremolo of its own. Under them a
soft bass note. Every oscillator's phase and tremolo are functions of absolute time and of the
note alone, never of the chord: so a tone two neighbouring chords share continues unbroken
through the change, and the chords cross-fade into each other over CROSSFADE_S with
complementary raised-cosine gains (they sum to one), which leaves no edge to hear.

It is synthesised at SYNTH_RATE (nothing in a soft pad reaches above 7 kHz) and resampled to
the output rate; `seed` fixes the detuning, phases and tremolos, so the same score always gives
the same samples.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.signal import resample_poly

from ..narration.loudness import integrated_loudness
from .score import ScoredChord

SYNTH_RATE = 16000
HIGHEST_HARMONIC_HZ = 7000.0
TABLE_BITS = 16
TABLE_SIZE = 1 << TABLE_BITS
CONTROL = 32  # gains and tremolos are computed every CONTROL samples (2 ms) and held
CROSSFADE_S = 3.0  # a chord change takes this long, centred on the change
DETUNE_CENTS = 3.5  # the two oscillators of a pad note, this far either side: a slow beat (0.2-1 Hz)
TREMOLO_HZ = (0.05, 0.13)  # each oscillator's own slow swell, chosen in this range
TREMOLO_DEPTH = 0.25
PAN_SPREAD = 0.55  # radians either side of the centre: each side hears mostly one oscillator
BASS_LEVEL = 0.7  # relative to one pad note
BED_LUFS = -25.0  # the bed's integrated loudness before ducking: where it sits in the pauses
FADE_IN_S = 0.4  # at the very start of the video
FADE_OUT_S = 1.5  # at the very end


def midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12)


def raised_cosine(x: np.ndarray) -> np.ndarray:
    """0 for x <= 0, 1 for x >= 1, a smooth S between (zero slope at both ends)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))


@lru_cache(maxsize=64)
def _wave_table(harmonics: int, rolloff: float) -> np.ndarray:
    """One cycle of a wave with `harmonics` harmonics of amplitude n ** -rolloff, peak 1, in
    TABLE_SIZE float32 steps (read without interpolation: at 65536 steps the error of the
    nearest step is under -70 dB of the tone)."""
    phase = np.arange(TABLE_SIZE) / TABLE_SIZE
    wave = np.zeros(TABLE_SIZE)
    for n in range(1, harmonics + 1):
        wave += np.sin(2 * np.pi * n * phase) * n ** -float(rolloff)
    return (wave / np.max(np.abs(wave))).astype(np.float32)


def _oscillator(hz: float, phase0: float, rolloff: float, first: int, count: int) -> np.ndarray:
    """`count` samples of the tone from absolute sample `first` at SYNTH_RATE. The phase is
    counted in 32-bit fixed point from sample 0 of the video, so a tone is the same wherever
    it is cut."""
    harmonics = max(1, min(12, int(HIGHEST_HARMONIC_HZ // hz)))
    table = _wave_table(harmonics, round(rolloff, 3))
    step = round(hz / SYNTH_RATE * 2**32)
    phase = np.arange(first, first + count, dtype=np.int64) * step + round(phase0 * 2**32)
    return table[(phase & 0xFFFFFFFF) >> (32 - TABLE_BITS)]


@lru_cache(maxsize=512)
def _voice(seed: int, note: int, which: int) -> tuple[float, float, float, float, float, float]:
    """The fixed character of one oscillator of a note: (Hz, phase, tremolo Hz, tremolo phase,
    left gain, right gain). Oscillator 0 leans left and sits flat, 1 leans right and sharp."""
    rng = np.random.default_rng([seed, note, which])
    side = -1.0 if which == 0 else 1.0
    hz = midi_hz(note + side * DETUNE_CENTS * rng.uniform(0.7, 1.0) / 100.0)
    pan = np.pi / 4 + side * PAN_SPREAD * rng.uniform(0.6, 1.0)
    return hz, rng.uniform(), rng.uniform(*TREMOLO_HZ), rng.uniform(0, 2 * np.pi), np.cos(pan), np.sin(pan)


def _chord_gain(scored: ScoredChord, t: np.ndarray, first: bool, last: bool, rate: int) -> np.ndarray:
    """1 while the chord plays, raised-cosine ramps centred on its start and end (none at the
    video's start and end, which the master fades take care of)."""
    half = CROSSFADE_S / 2
    gain = np.full(len(t), 10.0 ** (scored.mood.level_db / 20.0))
    if not first:
        gain *= raised_cosine((t - (scored.start / rate - half)) / CROSSFADE_S)
    if not last:
        gain *= 1.0 - raised_cosine((t - (scored.end / rate - half)) / CROSSFADE_S)
    return gain


def render_bed(chords: list[ScoredChord], total: int, rate: int, seed: int = 14) -> np.ndarray:
    """The bed as float32 (total, 2) at `rate` (a multiple of SYNTH_RATE), at BED_LUFS, with a
    short fade-in at the start and a fade-out to silence at the end. `chords` are in samples of
    `rate` and cover [0, total)."""
    if rate % SYNTH_RATE:
        raise ValueError(f"the output rate {rate} must be a multiple of {SYNTH_RATE}")
    factor = rate // SYNTH_RATE
    length = -(-total // (factor * CONTROL)) * CONTROL
    left, right = np.zeros(length, np.float32), np.zeros(length, np.float32)
    reach = round(CROSSFADE_S / 2 * SYNTH_RATE)
    for i, scored in enumerate(chords):
        first, last = i == 0, i == len(chords) - 1
        # the chord's samples at SYNTH_RATE, on whole control steps
        a = max(0, scored.start // factor - (0 if first else reach)) // CONTROL * CONTROL
        b = min(length, -(-(-(-scored.end // factor) + (0 if last else reach)) // CONTROL) * CONTROL)
        t = np.arange(a, b, CONTROL) / SYNTH_RATE  # the control steps' times
        gain = _chord_gain(scored, t, first, last, rate)
        for note in scored.chord.pad:
            for which in (0, 1):
                hz, phase0, tremolo_hz, tremolo_phase, to_left, to_right = _voice(seed, note, which)
                envelope = gain * (1.0 + TREMOLO_DEPTH * np.sin(2 * np.pi * tremolo_hz * t + tremolo_phase))
                tone = _oscillator(hz, phase0, scored.mood.rolloff, a, b - a)
                tone *= np.repeat(envelope.astype(np.float32), CONTROL)
                left[a:b] += to_left * tone
                right[a:b] += to_right * tone
        bass = _oscillator(midi_hz(scored.chord.bass), _voice(seed, scored.chord.bass, 2)[1], 3.0, a, b - a)
        bass *= np.repeat((BASS_LEVEL * np.sqrt(0.5) * gain).astype(np.float32), CONTROL)
        left[a:b] += bass
        right[a:b] += bass
    bed = _to_loudness(np.column_stack([left, right]), SYNTH_RATE, BED_LUFS)
    out = resample_poly(bed, factor, 1, axis=0)[:total].astype(np.float32)
    for edge in (np.arange(min(total, round(FADE_IN_S * rate))), np.arange(max(0, total - round(FADE_OUT_S * rate)), total)):
        out[edge] *= master_gain(edge, total, rate)[:, None].astype(np.float32)
    return out


def master_gain(positions: np.ndarray, total: int, rate: int) -> np.ndarray:
    """The fade-in over FADE_IN_S from sample 0 and the fade-out over FADE_OUT_S to the last
    sample, at these sample positions of a soundtrack `total` samples long."""
    fade_in = raised_cosine(positions / (FADE_IN_S * rate))
    fade_out = raised_cosine((total - 1 - positions) / (FADE_OUT_S * rate))
    return fade_in * fade_out


def _to_loudness(samples: np.ndarray, rate: int, lufs: float) -> np.ndarray:
    measured = integrated_loudness(samples, rate, normal_floor=False)
    if not np.isfinite(measured):
        return samples
    return samples.astype(np.float64) * 10.0 ** ((lufs - measured) / 20.0)  # in float64: the bed's bytes depend on it
