"""Onset detection on tracks whose onsets are known."""

import numpy as np
import pytest

from diffusion_explainer.narration import voice_onsets

from .signals import speech_like_clip

RATE = 48000


def place(track_s, clips):
    track = np.zeros(round(track_s * RATE))
    for start, clip in clips:
        first = round(start * RATE)
        track[first : first + len(clip)] += clip
    return track


def test_onsets_of_lines_after_pauses(write_clip):
    starts = [0.0, 2.1, 4.0, 7.25]
    track = place(9.0, [(s, speech_like_clip(1.4, RATE, seed=i)) for i, s in enumerate(starts)])
    assert voice_onsets(write_clip("t", track, RATE)) == pytest.approx(starts, abs=0.006)


def test_noise_floor_clicks_and_short_gaps_are_not_onsets(write_clip):
    rng = np.random.default_rng(3)
    line = np.concatenate([speech_like_clip(1.0, RATE), np.zeros(round(0.2 * RATE)), speech_like_clip(1.0, RATE, 1)])
    track = place(8.0, [(1.0, line), (5.0, speech_like_clip(1.0, RATE, 2))])
    track += 10 ** (-65 / 20) * rng.standard_normal(len(track))  # a hiss 40 dB under the voice
    track[round(4.0 * RATE) : round(4.0 * RATE) + 48] += 0.5  # a 1 ms click in the pause
    onsets = voice_onsets(write_clip("t", track, RATE), min_gap_s=0.3)
    assert onsets == pytest.approx([1.0, 5.0], abs=0.006)
    # a gap of 0.2 s is a pause between lines when the caller says so
    assert len(voice_onsets(write_clip("t2", track, RATE), min_gap_s=0.15)) == 3


@pytest.mark.parametrize("level_db", [-40, -12])
def test_onsets_do_not_depend_on_the_tracks_level(write_clip, level_db):
    clip = speech_like_clip(1.0, RATE)
    clip *= 10 ** (level_db / 20) / np.sqrt(np.mean(clip**2))
    track = place(4.0, [(0.7, clip), (2.5, clip)])
    assert voice_onsets(write_clip("t", track, RATE)) == pytest.approx([0.7, 2.5], abs=0.006)


def test_silence_has_no_onsets(write_clip):
    assert voice_onsets(write_clip("t", np.zeros(RATE), RATE)) == []
