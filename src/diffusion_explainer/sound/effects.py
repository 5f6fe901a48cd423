"""Sound effects, synthesised: a soft swell into every scene change, a bell for a reveal, a
rolled bell chord over a shimmer for the finale. All in the bed's key (F major) and seeded.

Each effect has a moment (the frame it marks) and may start before it (`pre_roll`): the swell of
a scene change rises into the cut, so the cut lands on its peak. Attacks are a few milliseconds
of raised cosine, never a step, and every tail decays to silence.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, fftconvolve, sosfilt

from ..core import runtime
from ..core.keys import code_digest, digest
from ..core.store import Store
from ..timing.sound_marks import EFFECT_NAMES  # noqa: F401  (the names, kept with the events that mark them)
from .music import midi_hz, raised_cosine

REVEAL_SCALE = (77, 79, 81, 84, 86, 89, 91, 93)  # F5 G5 A5 C6 D6 F6 G6 A6: each reveal of a scene one step up
SEED = 14


@dataclass(frozen=True)
class Effect:
    name: str
    samples: np.ndarray  # float32 (n, 2)
    pre_roll: int  # samples before the moment it marks


KEEP_EFFECTS = 64


@functools.lru_cache(maxsize=64)
def effect(name: str, rate: int, *, root: int = 53, index: int = 0) -> Effect:
    """The effect `name` at `rate`, its peak at 1. root: the MIDI note of the chord it lands on
    (a scene change); index: which reveal of its scene this is (0 for the first). Made once (0.1-0.2
    CPU-s each, a dozen in a video: every render's mix needs them) and kept in the cache's
    effects/ store under its arguments and this code; its samples are read-only."""
    store = Store(runtime.cache_dir("effects"), keep=KEEP_EFFECTS)
    key = digest([_code(), name, rate, root, index])
    kept = store.get_object(key)
    if not (isinstance(kept, Effect) and kept.name == name and isinstance(kept.samples, np.ndarray)):
        kept = _made(name, rate, root, index)
        store.put_object(key, kept)
        store.prune()
    kept.samples.setflags(write=False)
    return kept


@functools.cache
def _code() -> str:
    return code_digest(effect)


def _made(name: str, rate: int, root: int, index: int) -> Effect:
    if name == "transition":
        made = _transition(rate, root)
    elif name == "reveal":
        made = _reveal(rate, REVEAL_SCALE[min(index, len(REVEAL_SCALE) - 1)])
    elif name == "finale":
        made = _finale(rate)
    else:
        raise ValueError(f"unknown sound effect {name!r}; known: {', '.join(EFFECT_NAMES)}")
    peak = float(np.max(np.abs(made.samples)))
    return Effect(made.name, made.samples / np.float32(peak), made.pre_roll)


def _transition(rate: int, root: int) -> Effect:
    """Air rising into the cut (band-passed noise, 0.9 s), then a soft low bell on the new
    scene's root, an octave and a fifth above it."""
    rng = np.random.default_rng([SEED, 1])
    rise, fall = round(0.9 * rate), round(0.5 * rate)
    noise = sosfilt(butter(2, [500, 5000], btype="bandpass", fs=rate, output="sos"), rng.standard_normal((rise + fall, 2)), axis=0)
    shape = np.concatenate([raised_cosine(np.arange(rise) / rise) ** 2, np.exp(-np.arange(fall) / (0.08 * rate))])
    air = 0.12 * noise * shape[:, None]
    bell = _bell(rate, [root + 12, root + 19], [1.0, 0.5], decay_s=1.6)
    out = np.zeros((rise + len(bell), 2))
    out[: len(air)] += air
    out[rise:] += 0.5 * bell
    return Effect("transition", _reverb(out, rate), rise)


def _reveal(rate: int, note: int) -> Effect:
    return Effect("reveal", _reverb(0.6 * _bell(rate, [note], [1.0], decay_s=1.1), rate), 0)


def _finale(rate: int) -> Effect:
    """The tonic chord rolled upwards as bells (90 ms apart, each a little softer), over a soft
    high shimmer that swells in behind it: for the last transformation of noise into a picture."""
    notes = (65, 69, 72, 77, 81)  # F4 A4 C5 F5 A5
    out = np.zeros((round(3.5 * rate), 2))
    for k, note in enumerate(notes):
        start = round(0.09 * k * rate)
        bell = _bell(rate, [note], [1.0], decay_s=2.0)[: len(out) - start]
        out[start : start + len(bell)] += 0.5 * 0.85**k * bell * [1.0 - 0.1 * k, 0.6 + 0.1 * k]
    t = np.arange(len(out)) / rate
    swell = raised_cosine(t / 1.0) * np.exp(-np.maximum(0.0, t - 1.0) / 0.8)
    shimmer = sum(np.sin(2 * np.pi * midi_hz(n) * t + k) for k, n in enumerate((89, 93, 96, 101)))
    out += 0.03 * (shimmer * swell)[:, None] * np.array([[0.8, 1.0]])
    return Effect("finale", _reverb(out, rate), 0)


def _bell(rate: int, notes: list[int], levels: list[float], decay_s: float) -> np.ndarray:
    """A soft mallet on a glassy bar: near-harmonic partials that die away the faster the higher
    they are, a 6 ms raised-cosine attack. Stereo (n, 2), peak about 1."""
    n = round(decay_s * 4 * rate)
    t = np.arange(n) / rate
    attack = raised_cosine(t / 0.006)
    tone = np.zeros(n)
    for note, level in zip(notes, levels):
        f = midi_hz(note)
        for ratio, amp, decay in ((1.0, 1.0, 1.0), (2.0, 0.3, 0.45), (3.01, 0.12, 0.25), (4.2, 0.05, 0.12)):
            if f * ratio < 0.45 * rate:
                tone += level * amp * np.exp(-t / (decay * decay_s)) * np.sin(2 * np.pi * f * ratio * t)
    tone *= attack
    tone /= max(1e-9, float(np.max(np.abs(tone))))
    return np.column_stack([tone, tone])


def _reverb(dry: np.ndarray, rate: int, wet: float = 0.3, decay_s: float = 0.9) -> np.ndarray:
    """A small room: the dry sound plus its convolution with decaying noise, different on each
    side. float32 (n + tail, 2), the tail ending in silence."""
    rng = np.random.default_rng([SEED, 2])
    length = round(decay_s * 3 * rate)
    envelope = np.exp(-np.arange(length) / (decay_s / 6.9 * rate))  # -60 dB at decay_s
    response = rng.standard_normal((length, 2)) * envelope[:, None]
    response /= np.sqrt((response**2).sum(axis=0))
    out = np.zeros((len(dry) + length - 1, 2))
    out[: len(dry)] += dry
    for side in (0, 1):
        out[:, side] += wet * fftconvolve(dry[:, side], response[:, side])
    return out.astype(np.float32)
