"""Integrated loudness measured as pyloudnorm measures it (its filters, block edges and gates), and
from a track's parts: the same number either way."""

import numpy as np
import pyloudnorm
import pytest

from diffusion_explainer.narration.loudness import combined_loudness, integrated_loudness, loudness_part

from .signals import speech_like_clip


def pyloudnorm_loudness(samples: np.ndarray, rate: int, normal_floor: bool = True) -> float:
    if normal_floor:  # the floor integrated_loudness adds, added the same way
        floor = np.full(len(samples), 1e-12)
        floor[1::2] = -1e-12
        samples = samples + floor.reshape(-1, *([1] * (samples.ndim - 1)))
    return pyloudnorm.Meter(rate).integrated_loudness(np.asarray(samples, dtype=np.float64))


def speech_with_pauses(seconds: float, rate: int, seed: int) -> np.ndarray:
    """Speech-like bursts between stretches of digital silence, as a narration track has."""
    track = np.zeros(round(seconds * rate))
    rng = np.random.default_rng(seed)
    for start in range(0, len(track) - 3 * rate, 4 * rate):
        clip = speech_like_clip(rng.uniform(1.0, 3.0), rate, seed=int(rng.integers(1000)))
        track[start : start + len(clip)] += clip * rng.uniform(0.3, 1.0)
    return track


@pytest.mark.parametrize("rate", [48000, 24000, 44100])
@pytest.mark.parametrize("shape", ["mono", "same stereo", "stereo"])
@pytest.mark.parametrize("normal_floor", [True, False])
def test_loudness_is_pyloudnorms(rate, shape, normal_floor):
    voice = speech_with_pauses(23.7, rate, seed=rate)
    if shape == "mono":
        samples = voice
    elif shape == "same stereo":
        samples = np.stack([voice, voice], axis=1)
    else:
        samples = np.stack([voice, 0.4 * voice[::-1] + 0.01 * np.sin(np.arange(len(voice)) * 0.01)], axis=1)
    ours = integrated_loudness(samples, rate, normal_floor=normal_floor)
    theirs = pyloudnorm_loudness(samples, rate, normal_floor)
    assert np.isfinite(ours)
    assert abs(ours - theirs) < 1e-9, (ours, theirs)


def test_a_track_measured_from_its_parts_is_measured_whole():
    rate = 48000
    # speech with pauses over a quiet bed that never stops (a scene border always cuts through sound)
    bed = 0.02 * speech_like_clip(60.0, rate, seed=3)
    track = np.stack([speech_with_pauses(60.0, rate, seed=1) + bed, speech_with_pauses(60.0, rate, seed=2) + bed],
                     axis=1).astype(np.float32)
    borders = [0, 3200 * 113, 3200 * 401, 3200 * 402, 3200 * 777, len(track)]  # scene starts on frame borders
    parts = [loudness_part(track[a:b], rate, a, track[:a] if a else None) for a, b in zip(borders, borders[1:])]
    whole = integrated_loudness(track, rate)
    assert abs(combined_loudness(parts, len(track), rate) - whole) < 1e-9
    assert abs(whole - pyloudnorm_loudness(track, rate)) < 1e-9
    # a part measured without the samples before it starts its filters from silence: not the same
    cold = [loudness_part(track[a:b], rate, a) for a, b in zip(borders, borders[1:])]
    assert combined_loudness(cold, len(track), rate) != combined_loudness(parts, len(track), rate)


def test_silence_and_tracks_under_the_absolute_gate_are_minus_infinity():
    rate = 48000
    assert integrated_loudness(np.zeros((rate, 2)), rate) == float("-inf")
    assert integrated_loudness(np.full((rate, 2), 1e-6), rate) == float("-inf")  # about -120 LUFS
    assert pyloudnorm_loudness(np.full((rate, 2), 1e-6), rate) == float("-inf")
