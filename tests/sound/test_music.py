"""The music bed: a chord change at every scene change, the closing scene coming home to the
tonic, exactly the asked length, seeded, at its loudness, and no click or hard edge where the
chords change (read from the samples' spectrum)."""

import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from diffusion_explainer.narration.loudness import integrated_loudness
from diffusion_explainer.sound import music
from diffusion_explainer.sound.score import CLOSING, EXPLAINING, OPENING, TONIC, chords_for

RATE = 48000
SCENES_S = [(0, 12), (12, 20), (32, 14)]  # a title, one explaining scene, a summary


def scenes(rate=RATE):
    return [(start * rate, length * rate) for start, length in SCENES_S]


@pytest.fixture(scope="module")
def bed():
    chords = chords_for(scenes(), RATE)
    return chords, music.render_bed(chords, 46 * RATE, RATE)


def test_every_scene_change_is_a_chord_change_and_the_moods_follow_the_scenes():
    chords = chords_for(scenes(), RATE)
    starts = [c.start for c in chords]
    assert [s for s, _ in scenes()] == [s for s in starts if s in {x for x, _ in scenes()}]
    assert all(a.end == b.start for a, b in zip(chords, chords[1:])) and chords[-1].end == 46 * RATE
    assert [c.mood for c in chords if c.start == 0] == [OPENING]
    assert {c.mood for c in chords if 12 * RATE <= c.start < 32 * RATE} == {EXPLAINING}
    assert chords[-1].mood is CLOSING and chords[-1].chord is TONIC
    assert all(4 <= (c.end - c.start) / RATE <= 12 for c in chords)


def test_the_bed_is_exactly_as_long_as_asked_seeded_and_at_its_loudness(bed):
    chords, samples = bed
    assert samples.shape == (46 * RATE, 2) and samples.dtype == np.float32
    assert np.array_equal(samples, music.render_bed(chords, 46 * RATE, RATE))
    assert not np.array_equal(samples, music.render_bed(chords, 46 * RATE, RATE, seed=15))
    assert integrated_loudness(samples, RATE) == pytest.approx(music.BED_LUFS, abs=0.5)
    assert samples[0].tolist() == [0.0, 0.0] and np.max(np.abs(samples[-10:])) < 1e-4  # faded in and out


def test_no_click_or_hard_edge_at_a_chord_change(bed):
    """A step or a kink in a waveform spreads over every frequency; the pad has nothing above
    7 kHz. So around every chord change the energy above 9 kHz stays 70 dB under the pad's,
    as it does in the middle of a chord."""
    chords, samples = bed
    high = sosfiltfilt(butter(8, 9000, btype="highpass", fs=RATE, output="sos"), samples[:, 0].astype(np.float64))
    for chord in chords[1:]:
        around = slice(chord.start - RATE, chord.start + RATE)
        pad_db = 10 * np.log10(np.mean(samples[around, 0].astype(np.float64) ** 2))
        high_db = 10 * np.log10(np.mean(high[around] ** 2) + 1e-30)
        assert high_db < pad_db - 70, f"{chord.chord.name} at {chord.start / RATE:.1f} s: {high_db - pad_db:.1f} dB"


def test_a_hard_edge_would_be_caught():
    """The check above can fail: the same bed with one chord switched on abruptly does."""
    chords = chords_for(scenes(), RATE)
    samples = music.render_bed(chords, 46 * RATE, RATE).astype(np.float64)
    change = chords[2].start
    samples[change:, 0] *= 0.5  # a 6 dB step at the change
    high = sosfiltfilt(butter(8, 9000, btype="highpass", fs=RATE, output="sos"), samples[:, 0])
    around = slice(change - RATE, change + RATE)
    assert 10 * np.log10(np.mean(high[around] ** 2)) > 10 * np.log10(np.mean(samples[around, 0] ** 2)) - 70


def test_the_rate_must_be_a_multiple_of_the_synthesis_rate():
    with pytest.raises(ValueError, match="multiple"):
        music.render_bed(chords_for([(0, 44100)], 44100), 44100, 44100)
