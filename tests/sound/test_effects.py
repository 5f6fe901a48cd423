"""The effects: each starts and ends in silence (no click), peaks at 1, lands its attack on its
moment, and is the same every time; a scene's recorded events merge and refuse typos."""

import json

import numpy as np
import pytest

from diffusion_explainer.sound.effects import EFFECT_NAMES, effect
from diffusion_explainer.timing.sound_marks import SoundEvent, events_path, merged, read_events, write_events

RATE = 48000


@pytest.mark.parametrize("name", EFFECT_NAMES)
def test_every_effect_fades_in_and_out_of_silence(name):
    sound = effect(name, RATE)
    assert sound.samples.dtype == np.float32 and sound.samples.shape[1] == 2
    assert np.max(np.abs(sound.samples)) == pytest.approx(1.0)
    assert np.max(np.abs(sound.samples[0])) < 1e-3 and np.max(np.abs(sound.samples[-RATE // 100 :])) < 1e-3
    assert np.array_equal(sound.samples, effect(name, RATE).samples)


@pytest.mark.parametrize("name", EFFECT_NAMES)
def test_the_attack_lands_on_the_moment(name):
    """Before its moment an effect at most swells softly; within 30 ms after it, it is at least
    half as loud as it ever gets."""
    sound = effect(name, RATE)
    x = sound.samples.astype(np.float64).mean(axis=1)
    window = RATE // 200  # 5 ms
    level = np.sqrt(np.convolve(x**2, np.ones(window) / window)[window - 1 :])  # the 5 ms from each sample on
    before = level[: max(1, sound.pre_roll - window)].max()
    assert before < 0.5 * level.max()
    assert level[sound.pre_roll : sound.pre_roll + RATE * 30 // 1000].max() >= 0.5 * level.max()
    assert level[: sound.pre_roll].max(initial=0) < 0.5 * level.max()


def test_reveals_climb_a_scale():
    pitches = [_pitch(effect("reveal", RATE, index=i).samples[:, 0]) for i in range(5)]
    assert all(b > a for a, b in zip(pitches, pitches[1:])), pitches


def _pitch(x):
    spectrum = np.abs(np.fft.rfft(x[: RATE // 2] * np.hanning(RATE // 2)))
    return np.argmax(spectrum) * 2.0


def test_an_unknown_effect_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="reveal"):
        SoundEvent(10, "revael")
    with pytest.raises(ValueError, match="frame"):
        SoundEvent(-1, "reveal")


def test_events_of_a_scene_rendered_in_pieces_merge(tmp_path):
    """Two processes rendering frames [0, 100) and [100, 200) of a scene both ran the scene from
    its start, so the second recorded the first's events too: merged, each is kept once."""
    first = [SoundEvent(40, "reveal")]
    second = [SoundEvent(40, "reveal"), SoundEvent(150, "reveal"), SoundEvent(190, "finale")]
    assert merged(second, first) == (SoundEvent(40, "reveal"), SoundEvent(150, "reveal"), SoundEvent(190, "finale"))
    video = tmp_path / "s08_summary.mp4"
    write_events(events_path(video), second)
    assert json.loads(events_path(video).read_text()) == [[40, "reveal"], [150, "reveal"], [190, "finale"]]
    assert read_events(events_path(video)) == merged(second)
    assert read_events(tmp_path / "none.sounds.json") == ()


def test_an_effect_is_made_once_and_kept_by_its_arguments_and_code(tmp_path, monkeypatch):
    """A render is a new process: its dozen effects (0.1-0.2 CPU-s each) come from the cache's
    effects/ store, under a key of every argument and of the code that makes them."""
    from diffusion_explainer.sound import effects

    monkeypatch.setenv("DIFFUSION_EXPLAINER_CACHE", str(tmp_path))
    made = []
    real = effects._made
    monkeypatch.setattr(effects, "_made", lambda *a: made.append(a) or real(*a))

    def fresh(*args, **kwargs):  # as a new process asks for it
        effects.effect.cache_clear()
        return effects.effect(*args, **kwargs)

    first = fresh("transition", RATE, root=53)
    again = fresh("transition", RATE, root=53)
    assert len(made) == 1 and np.array_equal(first.samples, again.samples) and not again.samples.flags.writeable
    for args, kwargs in ((("transition", RATE), {"root": 55}), (("transition", 44100), {"root": 53}),
                         (("reveal", RATE), {"index": 0}), (("reveal", RATE), {"index": 1})):
        fresh(*args, **kwargs)
    assert len(made) == 5  # each argument keys its own entry
    monkeypatch.setattr(effects, "_code", lambda: "the effects' code edited")
    fresh("transition", RATE, root=53)
    assert len(made) == 6
    effects.effect.cache_clear()
