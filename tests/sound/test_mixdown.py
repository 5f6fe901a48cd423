"""The mix patched where a scene's narration changed is the mix made fresh, sample for sample."""

import numpy as np
import pytest

from diffusion_explainer.sound import ducking
from diffusion_explainer.sound.mixdown import Mixdown
from diffusion_explainer.timing.sound_marks import SoundEvent

RATE = 48000
FPS = 15
SCENE_S = (4.0, 7.5, 3.2, 9.0, 5.3)


def layout():
    scenes, first = [], 0
    for seconds in SCENE_S:
        scenes.append((first, round(seconds * RATE)))
        first += scenes[-1][1]
    return scenes


def speech(seed: int, samples: int) -> np.ndarray:
    """Bursts of a buzz at speech level with pauses between them, different for every seed."""
    rng = np.random.default_rng(seed)
    out = np.zeros((samples, 2), np.float32)
    at = int(rng.integers(0, RATE // 2))
    while at < samples:
        length = int(rng.integers(RATE // 3, 2 * RATE))
        t = np.arange(min(length, samples - at)) / RATE
        out[at : at + len(t)] = (0.15 * np.sin(2 * np.pi * rng.uniform(120, 220) * t))[:, None]
        at += length + int(rng.integers(RATE // 5, 3 * RATE))
    return out


def mixed(seeds, music=True, previous=None, events=()):
    """The mix whose scene i speaks speech(seeds[i]); every block of it with `events` in scene 1."""
    scenes = layout()
    mix = Mixdown(scenes, lambda i: speech(seeds[i], scenes[i][1]), RATE, music=music,
                  sources=list(seeds), previous=previous)
    if events:
        mix.add_scene_events(1, events, FPS)
    return mix, [mix.block(first, first + length) for first, length in scenes]


def same_blocks(a, b):
    for (voice_a, music_a), (voice_b, music_b) in zip(a, b):
        assert np.array_equal(voice_a, voice_b)
        assert (music_a is None) == (music_b is None)
        if music_a is not None:
            assert np.array_equal(music_a, music_b)


@pytest.mark.parametrize("music", [True, False])
@pytest.mark.parametrize("changed", [[2], [0], [4], [1, 3]])
def test_a_patched_mix_is_the_fresh_mix_of_its_narration(music, changed):
    seeds = [1, 2, 3, 4, 5]
    events = (SoundEvent(30, "reveal"), SoundEvent(80, "reveal"))
    first, _ = mixed(seeds, music)
    edited = [seed + 100 if i in changed else seed for i, seed in enumerate(seeds)]
    patched, patched_blocks = mixed(edited, music, previous=first.ground, events=events)
    fresh, fresh_blocks = mixed(edited, music, events=events)
    assert patched.ground is first.ground  # patched, not made again
    assert patched.gain == fresh.gain
    same_blocks(patched_blocks, fresh_blocks)
    if music:
        assert np.array_equal(patched.ground.effects_duck, fresh.ground.effects_duck)
    for a, b in zip(patched.ground.parts, fresh.ground.parts):
        assert np.array_equal(a.cuts, b.cuts) and np.array_equal(a.sums, b.sums)


def test_the_edit_changes_the_mix_only_near_the_changed_scene():
    seeds = [1, 2, 3, 4, 5]
    first, _ = mixed(seeds)
    music, voice = first.ground.music.copy(), first.ground.narration.copy()  # (the next mix patches them)
    patched, _ = mixed([1, 2, 3, 4, 105], previous=first.ground)
    last, _ = layout()[4]
    reach = round(0.7 * RATE)  # the duck comes down 0.6 s before a voice: the scene before may change at its end
    assert np.array_equal(patched.ground.music[: last - reach], music[: last - reach])
    assert not np.array_equal(patched.ground.music[last:], music[last:])
    assert np.array_equal(patched.ground.narration[:last], voice[:last])
    assert not np.array_equal(patched.ground.narration[last:], voice[last:])


def test_another_layout_is_mixed_fresh():
    first, _ = mixed([1, 2, 3, 4, 5])
    scenes = layout()
    longer = scenes[:-1] + [(scenes[-1][0], scenes[-1][1] + RATE)]
    mix = Mixdown(longer, lambda i: speech(i + 1, longer[i][1]), RATE, sources=[1, 2, 3, 4, 5],
                  previous=first.ground)
    assert mix.ground is not first.ground
    assert mix.total == first.total + RATE


def test_a_mix_without_sources_is_never_patched():
    first, _ = mixed([1, 2, 3, 4, 5])
    scenes = layout()
    mix = Mixdown(scenes, lambda i: speech(i + 11, scenes[i][1]), RATE, previous=first.ground)
    fresh = Mixdown(scenes, lambda i: speech(i + 11, scenes[i][1]), RATE)
    assert np.array_equal(mix.ground.music, fresh.ground.music)


def test_a_line_changed_late_in_a_scene_patches_only_around_it(monkeypatch):
    """A reworded line keeps the rest of its scene's track (narration/mixing.py steps its gain):
    the patch covers the samples that differ and the duck's reach, and equals a fresh mix."""
    scenes = layout()
    first_of_3, length_of_3 = scenes[3]
    tail = length_of_3 - 2 * RATE

    def voice(edited):
        def read(i):
            samples = speech(i + 1, scenes[i][1])
            if edited and i == 3:
                samples[tail:] = speech(99, length_of_3 - tail)
            return samples
        return read

    first = Mixdown(scenes, voice(False), RATE, sources=[1, 2, 3, 4, 5])
    music = first.ground.music.copy()
    heard = []  # the narration the patch listens to again for voice
    voice_frames = ducking.voice_frames
    monkeypatch.setattr(ducking, "voice_frames", lambda narration, rate: heard.append(len(narration)) or
                        voice_frames(narration, rate))
    patched = Mixdown(scenes, voice(True), RATE, sources=[1, 2, 3, "4 edited", 5], previous=first.ground)
    monkeypatch.undo()
    assert heard and sum(heard) <= 2 * RATE + round(ducking.FRAME_S * RATE)  # the changed 2 s, not the 9 s scene
    fresh = Mixdown(scenes, voice(True), RATE, sources=[1, 2, 3, "4 edited", 5])
    assert patched.ground is first.ground
    same_blocks([patched.block(a, a + n) for a, n in scenes], [fresh.block(a, a + n) for a, n in scenes])
    reach = round(0.7 * RATE)
    assert np.array_equal(patched.ground.music[: first_of_3 + tail - reach], music[: first_of_3 + tail - reach])
    assert not np.array_equal(patched.ground.music[first_of_3 + tail :], music[first_of_3 + tail :])


def test_the_same_narration_from_another_source_changes_nothing():
    first, blocks = mixed([1, 2, 3, 4, 5])
    scenes = layout()
    again = Mixdown(scenes, lambda i: speech(i + 1, scenes[i][1]), RATE, sources=["a", "b", "c", "d", "e"],
                    previous=first.ground)
    assert again.ground is first.ground and again.gain == first.gain
    same_blocks([again.block(a, a + n) for a, n in scenes], blocks)
