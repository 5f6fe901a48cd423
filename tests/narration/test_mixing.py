"""The voice track: exact length, -16 LUFS, true peak at most -1 dBTP, read back from the file."""

import wave

import numpy as np
import pytest

from diffusion_explainer.narration import measure_loudness, mix_track, voice_onsets
from diffusion_explainer.narration.audio_files import read_wav
from diffusion_explainer.narration.loudness import integrated_loudness, true_peak_db
from diffusion_explainer.narration.mixing import GAIN_STEP_DB

from .signals import speech_like_clip


def wav_format(path):
    with wave.open(str(path)) as w:
        return w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()


@pytest.mark.parametrize("duration_s", [3.0, 7.123456, 10.0 / 3.0])
def test_track_is_sample_exact_48k_stereo_16_bit(write_clip, tmp_path, duration_s):
    clip = write_clip("a", speech_like_clip(1.5))
    out = mix_track([(0.5, clip)], duration_s, tmp_path / "track.wav")
    assert wav_format(out) == (48000, 2, 2, round(duration_s * 48000))


def test_speech_is_brought_to_minus_16_lufs_under_minus_1_dbtp(write_clip, tmp_path):
    quiet = write_clip("quiet", 0.05 * speech_like_clip(2.0, seed=1))  # about -45 LUFS
    loud = write_clip("loud", 2.5 * speech_like_clip(2.0, seed=2), rate=48000)  # clips in 16 bits
    out = mix_track([(0.3, quiet), (3.0, loud), (6.0, quiet)], 9.0, tmp_path / "track.wav")
    lufs, peak = measure_loudness(out)
    assert lufs == pytest.approx(-16.0, abs=1.0)
    assert peak <= -1.0


def test_peaky_speech_is_limited_not_turned_down(write_clip, tmp_path):
    """Sharp transients would pass -1 dBTP at -16 LUFS: the limiter must catch them while the
    loudness stays on target (plain gain reduction would leave the track several LU too quiet)."""
    samples = speech_like_clip(4.0)
    samples[::4000] = 0.99  # clicks 30 dB above the speech
    clip = write_clip("peaky", samples)
    out = mix_track([(0.0, clip)], 4.0, tmp_path / "track.wav")
    lufs, peak = measure_loudness(out)
    assert lufs == pytest.approx(-16.0, abs=1.0) and peak <= -1.0
    mixed, _ = read_wav(out)
    assert 20 * np.log10(np.max(np.abs(mixed))) < -1.0


def test_true_peak_sees_peaks_between_samples():
    """A sine at a quarter of the sample rate, sampled 45 degrees off its crests, has sample
    peaks 3 dB below its true peak."""
    n = np.arange(48000)
    sine = 0.5 * np.sin(np.pi / 2 * n + np.pi / 4)
    assert 20 * np.log10(np.max(np.abs(sine))) == pytest.approx(20 * np.log10(0.5) - 3.01, abs=0.05)
    assert true_peak_db(np.column_stack([sine, sine])) == pytest.approx(20 * np.log10(0.5), abs=0.2)


def test_clips_land_at_their_start_seconds(write_clip, tmp_path):
    starts = [0.25, 1.7, 3.4567]
    clip = write_clip("a", speech_like_clip(1.0))
    out = mix_track([(s, clip) for s in starts], 5.0, tmp_path / "track.wav")
    assert voice_onsets(out) == pytest.approx(starts, abs=0.006)


def test_silent_track_without_placements(tmp_path):
    out = mix_track([], 12.5, tmp_path / "silent.wav")
    assert wav_format(out) == (48000, 2, 2, 600000)
    samples, _ = read_wav(out)
    assert not samples.any()
    assert measure_loudness(out) == (float("-inf"), float("-inf"))


def test_a_clip_running_past_the_end_is_refused(write_clip, tmp_path):
    clip = write_clip("a", speech_like_clip(2.0))
    with pytest.raises(ValueError, match="after the track's end"):
        mix_track([(2.0, clip)], 3.0, tmp_path / "track.wav")
    assert not list(tmp_path.glob("track.wav*")) and not list(tmp_path.glob(".track.wav*"))


def test_real_speech_mix_onsets_follow_the_subtitle_starts(real_speech, tmp_path):
    """What the render tests check: the voice starts within 0.1 s of each line's start."""
    starts = [0.4, 0.4 + real_speech["jm_kumo"].duration_s + 0.5]
    placements = list(zip(starts, [real_speech["jm_kumo"].path, real_speech["jf_alpha"].path]))
    out = mix_track(placements, starts[1] + real_speech["jf_alpha"].duration_s + 0.5, tmp_path / "dialogue.wav")
    lufs, peak = measure_loudness(out)
    assert lufs == pytest.approx(-16.0, abs=1.0) and peak <= -1.0
    onsets = voice_onsets(out)
    for start in starts:
        assert min(abs(o - start) for o in onsets) < 0.03


def test_block_wise_true_peak_matches_oversampling_the_whole_track():
    from scipy.signal import resample_poly

    from diffusion_explainer.narration.loudness import true_peak_envelope

    rng = np.random.default_rng(5)
    track = np.zeros((48000 * 6, 2))
    track[4000:100_000] = 0.1 * rng.standard_normal((96_000, 2))  # across many block edges
    track[200_000:200_050, 1] = 0.6  # a burst in one channel only
    whole = np.abs(resample_poly(track, 4, 1, axis=0)).reshape(-1, 4, 2).max(axis=(1, 2))
    assert np.allclose(true_peak_envelope(track), np.maximum(whole, np.abs(track).max(axis=1)))
    assert true_peak_db(track) == pytest.approx(20 * np.log10(whole.max()))


def test_loudness_edge_rules_short_clips_and_the_floor_against_subnormals():
    """A clip shorter than one 400 ms block counts as silent unless padded (the speech clips'
    rule); the -240 dB floor moves a measure by far less than the 0.1 dB steps of any gain."""
    from diffusion_explainer.narration.loudness import integrated_loudness

    rate = 24000
    short = speech_like_clip(0.3, rate=rate)
    assert integrated_loudness(short, rate) == float("-inf")
    padded = integrated_loudness(short, rate, pad_short=True)
    assert np.isfinite(padded)
    # the padding is silence the gate lets in partly: the short clip measures quieter than it is
    assert padded < integrated_loudness(np.tile(short, 4), rate)
    assert integrated_loudness(np.zeros(rate), rate, normal_floor=False) == float("-inf")
    clip = speech_like_clip(2.0, rate=rate)
    with_floor, without = integrated_loudness(clip, rate), integrated_loudness(clip, rate, normal_floor=False)
    assert with_floor != without and abs(with_floor - without) < 1e-6


def test_a_line_reworded_late_keeps_the_rest_of_the_track_bit_for_bit(write_clip, tmp_path):
    """The track's gain moves in whole steps (GAIN_STEP_DB): replacing the last of ten lines moves
    the loudness by less than a step, so every sample before it is the same, and what is made
    from them downstream (the mix, the encoded segments) is reused."""
    lines = [write_clip(f"line{i}", speech_like_clip(2.0, seed=i)) for i in range(10)]
    reworded = write_clip("reworded", speech_like_clip(2.3, seed=42))
    places = [(0.2 + 2.5 * i, clip) for i, clip in enumerate(lines)]
    before = read_wav(mix_track(places, 27.0, tmp_path / "before.wav"))[0]
    after = read_wav(mix_track(places[:-1] + [(places[-1][0], reworded)], 27.0, tmp_path / "after.wav"))[0]
    last = round(places[-1][0] * 48000)
    assert np.array_equal(before[: last - 4800], after[: last - 4800])  # (the limiter looks 10 ms ahead)
    assert not np.array_equal(before[last:], after[last:])
    for track in (before, after):
        assert integrated_loudness(track.astype(np.float64), 48000) == pytest.approx(-16.0, abs=GAIN_STEP_DB / 2 + 0.05)
