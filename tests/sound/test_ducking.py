"""Ducking: fully down from just before every voice to just after it, through the short pauses
between sentences, up again in real pauses, on smooth ramps."""

import numpy as np
import pytest

from diffusion_explainer.sound import ducking

RATE = 48000


def narration(voices_s, seconds):
    """A buzz at speech level (about -20 dBFS) during each (start, end) second, silence elsewhere."""
    t = np.arange(round(seconds * RATE)) / RATE
    on = np.zeros(len(t), bool)
    for start, end in voices_s:
        on |= (t >= start) & (t < end)
    x = np.where(on, 0.14 * np.sin(2 * np.pi * 180 * t), 0.0)
    return np.column_stack([x, x])


def frame(seconds):
    return round(seconds / ducking.FRAME_S)


def test_fully_down_before_the_voice_starts_and_while_it_speaks():
    amount = ducking.duck_amount(ducking.voice_frames(narration([(3.0, 5.0)], 10), RATE))
    assert amount[frame(3.0 - ducking.LEAD_S) : frame(5.0)].min() == pytest.approx(1.0)
    assert amount[: frame(3.0 - ducking.LEAD_S - ducking.ATTACK_S) - 1].max() == 0.0  # untouched well before


def test_short_pauses_stay_down_and_long_ones_come_back_up():
    # 0.35 s between sentences (the engine's pause), then 4 s until the next line
    amount = ducking.duck_amount(ducking.voice_frames(narration([(1.0, 2.0), (2.35, 3.0), (7.0, 8.0)], 10), RATE))
    assert amount[frame(1.0) : frame(3.0)].min() == pytest.approx(1.0)
    release_end = 3.0 + ducking.HOLD_S + ducking.RELEASE_S
    assert amount[frame(release_end) + 1 : frame(7.0 - ducking.LEAD_S - ducking.ATTACK_S) - 1].max() == 0.0


def test_the_ramps_are_smooth_and_take_their_time():
    amount = ducking.duck_amount(ducking.voice_frames(narration([(3.0, 4.0)], 10), RATE))
    gain_db = -ducking.DEPTH_DB * amount
    steps = np.abs(np.diff(gain_db))
    # a raised cosine over RELEASE_S: the steepest step per 10 ms frame is pi/2 * depth / frames
    assert steps.max() <= np.pi / 2 * ducking.DEPTH_DB / (ducking.ATTACK_S / ducking.FRAME_S) + 1e-9
    release = gain_db[frame(4.0 + ducking.HOLD_S) : frame(4.0 + ducking.HOLD_S + ducking.RELEASE_S)]
    assert np.all(np.diff(release) >= 0) and release[0] == pytest.approx(-ducking.DEPTH_DB, abs=0.1)


def test_gains_per_sample_follow_the_depth():
    amount = ducking.duck_amount(ducking.voice_frames(narration([(1.0, 2.0)], 4), RATE))
    gain = ducking.gains(amount, 4 * RATE, RATE)
    assert gain.shape == (4 * RATE,) and gain.dtype == np.float32
    assert 20 * np.log10(gain[round(1.5 * RATE)]) == pytest.approx(-ducking.DEPTH_DB, abs=0.01)
    assert gain[: round(0.2 * RATE)].min() == pytest.approx(1.0)
