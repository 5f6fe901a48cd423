"""The last mix's ground kept on disk (sound/kept_mix.py): read back, it is the ground that was kept,
and patched for an edit it gives the track a fresh mix gives; it is found only under the layout,
rate, seed, music and code it was made with, and a damaged one is made again, not patched."""

import logging

import numpy as np
import pytest

from diffusion_explainer.media.join import ScenePiece
from diffusion_explainer.narration.audio_files import read_wav
from diffusion_explainer.sound import kept_mix
from diffusion_explainer.sound import soundtrack as module
from diffusion_explainer.sound.aac_segments import FinishedSegments
from diffusion_explainer.sound.mixdown import SEED
from diffusion_explainer.sound.soundtrack import SceneSounds, mix_ground, mix_layout, soundtrack
from diffusion_explainer.timing.sound_marks import SoundEvent
from tests.sound.test_soundtrack import FPS, RATE, decoded, narration_wav, two_scenes  # noqa: F401 (a fixture)


def kept(pieces, cache, music=True):
    places, music = mix_layout(pieces, FPS, music)
    return kept_mix.kept_ground(places, RATE, SEED, music, cache)


def test_a_kept_ground_is_read_back_as_it_was_and_mapped_not_read(two_scenes, tmp_path):  # noqa: F811
    cache = tmp_path / "cache"
    ground = mix_ground(two_scenes, FPS, cache, music=True)
    kept_mix.keep_ground(ground, cache)
    back = kept(two_scenes, cache)
    assert back is not None and isinstance(back.narration, np.memmap) and isinstance(back.music, np.memmap)
    assert (back.scenes, back.rate, back.seed, back.sources) == (ground.scenes, ground.rate, ground.seed, ground.sources)
    for name in ("narration", "bed", "music", "effects_duck", "voiced"):
        assert np.array_equal(getattr(back, name), getattr(ground, name)), name
    assert all(np.array_equal(a, b) for a, b in zip(back.amounts, ground.amounts, strict=True))
    assert [(p.cuts.tolist(), p.sums.tolist()) for p in back.parts] == \
        [(p.cuts.tolist(), p.sums.tolist()) for p in ground.parts]
    assert back.chords == ground.chords
    back.narration[:10] = 0.5  # patched in memory only (copy-on-write): the kept file is as it was
    assert np.array_equal(kept(two_scenes, cache).narration, ground.narration)


def test_a_kept_ground_patched_for_an_edit_gives_the_track_a_fresh_mix_gives(two_scenes, tmp_path):  # noqa: F811
    cache = tmp_path / "kept"
    events = SceneSounds(lambda scene_id: (SoundEvent(12, "reveal"),) if scene_id == "b" else ())
    memory = module.MixMemory()
    soundtrack(two_scenes, FPS, cache, music=True, sounds=events, memory=memory)
    assert memory.mixed
    kept_mix.keep_ground(memory.take(), cache)

    memory = module.MixMemory()  # a new process: the ground from the disk
    memory.prime(lambda: kept(two_scenes, cache))
    edited = [two_scenes[0], ScenePiece("b", two_scenes[1].video, 40, 60, narration_wav(tmp_path / "b2.wav", 6.0, [(2.0, 4.5)]))]
    patched = soundtrack(edited, FPS, cache, music=True, sounds=events, memory=memory)
    assert isinstance(memory.kept().narration, np.memmap)  # the kept ground was patched, not made again
    fresh = soundtrack(edited, FPS, tmp_path / "fresh", music=True, sounds=events)
    assert patched.key == fresh.key
    assert np.array_equal(decoded(patched.audio), decoded(fresh.audio))
    assert np.array_equal(read_wav(patched.music)[0], read_wav(fresh.music)[0])


@pytest.mark.parametrize("change", ["layout", "rate", "seed", "music", "code"])
def test_a_ground_is_found_only_under_what_it_was_made_with(two_scenes, tmp_path, monkeypatch, change):  # noqa: F811
    cache = tmp_path / "cache"
    kept_mix.keep_ground(mix_ground(two_scenes, FPS, cache, music=True), cache)
    places, music = mix_layout(two_scenes, FPS, True)
    rate, seed = RATE, SEED
    assert kept_mix.kept_ground(places, rate, seed, music, cache) is not None
    if change == "layout":
        places = [(0, places[0][1] + RATE), (places[1][0] + RATE, places[1][1] - RATE)]  # a second moved between scenes
    elif change == "rate":
        rate = 44100
    elif change == "seed":
        seed = SEED + 1
    elif change == "music":
        music = False
    else:
        monkeypatch.setattr(kept_mix, "mixing_code_digest", lambda: "the mixing code changed")
    assert kept_mix.kept_ground(places, rate, seed, music, cache) is None


def test_a_damaged_ground_is_made_again_not_patched(two_scenes, tmp_path, caplog):  # noqa: F811
    cache = tmp_path / "cache"
    entry = kept_mix.keep_ground(mix_ground(two_scenes, FPS, cache, music=True), cache)
    music = entry / "music.npy"
    data = bytearray(music.read_bytes())
    data[-100] ^= 0xFF  # one sample's bits flipped: the size is right, the checksum is not
    music.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="diffusion_explainer.cache"):
        assert kept(two_scenes, cache) is None
    assert any("grounds/" in r.getMessage() and "damaged" in r.getMessage() for r in caplog.records)
    assert not entry.exists()  # removed: the next render keeps a new one


def test_the_studio_recalls_the_kept_ground_for_a_track_found_in_the_cache(two_scenes, tmp_path):  # noqa: F811
    cache = tmp_path / "cache"
    soundtrack(two_scenes, FPS, cache, music=True, stems=False)  # the first preview's track, in the cache
    memory = module.MixMemory(recall=kept_mix.recalled_ground)
    soundtrack(two_scenes, FPS, cache, music=True, stems=False, memory=memory)
    made = memory.take()  # none on disk: mixed from the tracks
    assert made is not None and not isinstance(made.narration, np.memmap)
    assert kept(two_scenes, cache) is None
    kept_mix.keep_ground_unless_recalled(made, cache)  # (the studio stopping)
    entry = kept_mix.Store(cache / kept_mix.GROUNDS_DIR).entry_dir(
        kept_mix.ground_key(*mix_layout(two_scenes, FPS, True)[:1], RATE, SEED, True))
    assert entry is not None
    written = {p.name: p.stat().st_mtime_ns for p in entry.iterdir()}

    edited = [two_scenes[0], ScenePiece("b", two_scenes[1].video, 40, 60, narration_wav(tmp_path / "b2.wav", 6.0, [(2.0, 4.5)]))]
    soundtrack(edited, FPS, cache, music=True, stems=False)
    memory = module.MixMemory(recall=kept_mix.recalled_ground)  # a new studio, its scene b reworded since
    soundtrack(edited, FPS, cache, music=True, stems=False, memory=memory)
    recalled = memory.take()
    assert isinstance(recalled.narration, np.memmap)  # from the disk
    memory.keep(recalled)
    soundtrack(edited, FPS, tmp_path / "next", music=True, stems=False, memory=memory)  # the next edit's mix
    patched = memory.take()
    assert patched is recalled  # patched, not made again
    fresh = mix_ground(edited, FPS, tmp_path / "fresh", music=True)
    assert patched.sources == fresh.sources
    for name in ("narration", "music", "effects_duck", "voiced"):
        assert np.array_equal(getattr(patched, name), getattr(fresh, name)), name
    assert [(p.cuts.tolist(), p.sums.tolist()) for p in patched.parts] == \
        [(p.cuts.tolist(), p.sums.tolist()) for p in fresh.parts]
    kept_mix.keep_ground_unless_recalled(patched, cache)  # (this studio stopping: nothing written)
    assert {p.name: p.stat().st_mtime_ns for p in entry.iterdir()} == written


def test_a_new_studio_takes_over_the_segments_of_the_mix_it_recalls(two_scenes, tmp_path, monkeypatch):  # noqa: F811
    """The studio keeps its last mix's encode with the ground as it stops; the next studio's first
    edit takes the kept segments over where nothing changed, and its track is a fresh mix's."""
    cache = tmp_path / "cache"
    events = SceneSounds(lambda scene_id: (SoundEvent(12, "reveal"),) if scene_id == "b" else ())
    memory = module.MixMemory(recall=kept_mix.recalled_ground)
    soundtrack(two_scenes, FPS, cache, music=True, sounds=events, stems=False, memory=memory)
    assert memory.kept_encode() is not None
    kept_mix.keep_ground_unless_recalled(memory.kept(), cache, memory.kept_encode())  # (the studio stopping)

    memory = module.MixMemory(recall=kept_mix.recalled_ground)  # the next studio: its first preview found
    soundtrack(two_scenes, FPS, cache, music=True, sounds=events, stems=False, memory=memory)
    ground, recalled = memory.take(), memory.take_encode()  # (waiting for the recall)
    assert recalled is not None and isinstance(recalled.encoder, FinishedSegments)
    memory.keep(ground, recalled)
    taken = []
    real_resume = module.SegmentedEncoder.resume

    def resume(self, earlier, sample, until=None):
        first, end = real_resume(self, earlier, sample, until)
        taken.append((type(earlier), self.taken_over))
        return first, end

    monkeypatch.setattr(module.SegmentedEncoder, "resume", resume)
    edited = [two_scenes[0], ScenePiece("b", two_scenes[1].video, 40, 60, narration_wav(tmp_path / "b2.wav", 6.0, [(3.2, 5.2)]))]
    patched = soundtrack(edited, FPS, cache, music=True, sounds=events, stems=False, memory=memory)
    assert taken and taken[0] == (FinishedSegments, taken[0][1]) and taken[0][1] >= 1, taken
    fresh = soundtrack(edited, FPS, tmp_path / "fresh", music=True, sounds=events, stems=False)
    assert patched.key == fresh.key and patched.heard() == fresh.heard()
    assert np.array_equal(decoded(patched.audio), decoded(fresh.audio))


def test_a_render_keeps_the_ground_it_mixed_not_one_it_patched_from_the_disk(two_scenes, tmp_path):  # noqa: F811
    from types import SimpleNamespace

    from diffusion_explainer.render.pipeline import keep_mix

    cache = tmp_path / "cache"
    outputs = SimpleNamespace(sound_cache=cache)
    memory = module.MixMemory(prime_found=False)
    soundtrack(two_scenes, FPS, cache, music=True, memory=memory)  # mixed from the tracks
    keep_mix(memory, outputs)
    entry = kept_mix.Store(cache / kept_mix.GROUNDS_DIR).entry_dir(
        kept_mix.ground_key(mix_layout(two_scenes, FPS, True)[0], RATE, SEED, True))
    assert entry is not None
    written = {p.name: p.stat().st_mtime_ns for p in entry.iterdir()}

    memory = module.MixMemory(prime_found=False)  # the next render: the kept ground, patched for an edit
    memory.prime(lambda: kept(two_scenes, cache))
    edited = [two_scenes[0], ScenePiece("b", two_scenes[1].video, 40, 60, narration_wav(tmp_path / "b2.wav", 6.0, [(3.2, 5.2)]))]
    soundtrack(edited, FPS, cache, music=True, memory=memory)
    assert memory.mixed and isinstance(memory.kept().narration, np.memmap)
    keep_mix(memory, outputs)
    assert {p.name: p.stat().st_mtime_ns for p in entry.iterdir()} == written  # not written again
