"""The soundtrack with music, on synthetic narration (no Manim): the effects a scene marks land on
their frames, a scene change's swell peaks at the cut, the stems are written and add up to the
mix, the music's inputs key the cache, and an encode waits for a scene still rendering."""

import threading
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from diffusion_explainer.core.files import PARTIAL_MARK
from diffusion_explainer.media.join import ScenePiece
from diffusion_explainer.narration.audio_files import read_wav, write_wav
from diffusion_explainer.sound import soundtrack as module
from diffusion_explainer.sound.soundtrack import SceneSounds, soundtrack
from diffusion_explainer.timing.sound_marks import SoundEvent
from tests.narration.signals import speech_like_clip

RATE = 48000
FPS = 10


def narration_wav(path, seconds, voices_s):
    """A 48 kHz stereo track of `seconds` with a speech-like buzz during each (start, end)."""
    track = np.zeros(round(seconds * RATE))
    for start, end in voices_s:
        clip = speech_like_clip(end - start, rate=RATE, seed=int(start * 10))
        track[round(start * RATE) : round(start * RATE) + len(clip)] = clip
    return write_wav(path, np.column_stack([track, track]), RATE)


@pytest.fixture
def two_scenes(tmp_path):
    a = narration_wav(tmp_path / "a.wav", 4.0, [(0.5, 2.5)])
    b = narration_wav(tmp_path / "b.wav", 6.0, [(3.0, 5.0)])
    return [ScenePiece("a", tmp_path / "a.mp4", 0, 40, a), ScenePiece("b", tmp_path / "b.mp4", 40, 60, b)]


def decoded(path):
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1).T


def onset(effects, from_s, to_s):
    """When a sound that is alone in (from_s, to_s) first reaches a tenth of its peak."""
    part = np.abs(effects[round(from_s * RATE) : round(to_s * RATE)]).max(axis=1)
    return from_s + np.flatnonzero(part > part.max() / 10)[0] / RATE


def level_db(samples, from_s, to_s):
    part = samples[round(from_s * RATE) : round(to_s * RATE)]
    return 10 * np.log10(np.mean(part**2))


def test_effects_land_on_their_frames_and_the_stems_add_up_to_the_mix(two_scenes, tmp_path):
    # scene b marks a reveal at its frame 12 (1.2 s into it, in a pause) and the finale at frame 52
    sounds = SceneSounds(lambda scene_id: (SoundEvent(12, "reveal"), SoundEvent(52, "finale")) if scene_id == "b" else ())
    made = soundtrack(two_scenes, FPS, tmp_path / "cache", music=True, sounds=sounds)
    music, rate = read_wav(made.music)
    voice, _ = read_wav(made.narration)
    assert rate == RATE and music.shape == (10 * RATE, 2) and voice.shape == (10 * RATE, 1)
    # the same soundtrack without the scene's events: the difference is the two effects alone
    plain, _ = read_wav(soundtrack(two_scenes, FPS, tmp_path / "cache", music=True).music)
    effects = music - plain
    assert onset(effects, 4.5, 8.9) == pytest.approx(5.2, abs=0.005)  # the reveal
    assert onset(effects, 8.9, 10.0) == pytest.approx(9.2, abs=0.005)  # the finale
    assert np.max(np.abs(effects[: 5 * RATE])) == 0  # nothing before the reveal
    # the swell into the scene change at 4.0 s rises into the cut, and a bell starts on it
    assert level_db(music, 3.35, 3.4) + 6 < level_db(music, 3.9, 3.95) < level_db(music, 4.0, 4.05) - 6
    # the narration stem is the speech alone: silent where no one speaks, however loud the music
    assert np.max(np.abs(voice[round(5.1 * RATE) : round(6.9 * RATE)])) == 0
    # the stems add up to the mix: the same level in every 100 ms (AAC keeps levels, not waveforms:
    # it may code a noisy band as noise)
    mix, both = decoded(made.audio)[: 10 * RATE], voice + music
    for start in np.arange(0.0, 10.0, 0.1):
        assert level_db(mix, start, start + 0.1) == pytest.approx(level_db(both, start, start + 0.1), abs=1.0), start


def test_no_music_leaves_music_and_effects_out(two_scenes, tmp_path):
    sounds = SceneSounds(lambda scene_id: (SoundEvent(12, "reveal"),))
    with_music = soundtrack(two_scenes, FPS, tmp_path / "cache", music=True, sounds=sounds)
    without = soundtrack(two_scenes, FPS, tmp_path / "cache", music=False, sounds=sounds)
    assert without.key != with_music.key and without.music is None and without.narration is not None
    mix = decoded(without.audio)
    quiet = mix[round(5.1 * RATE) : round(6.9 * RATE)]  # a pause in scene b: no music, no bell
    assert np.max(np.abs(quiet)) < 1e-3


def test_a_silent_render_has_no_stems(tmp_path):
    pieces = [ScenePiece("a", tmp_path / "a.mp4", 0, 20, None)]
    made = soundtrack(pieces, FPS, tmp_path / "cache", music=True)
    assert made.narration is None and made.music is None
    assert np.max(np.abs(decoded(made.audio)), initial=0) == 0


def test_a_damaged_soundtrack_and_bed_are_reported_and_made_again_the_same(two_scenes, tmp_path, caplog):
    cache = tmp_path / "audio"
    first = soundtrack(two_scenes, FPS, cache, music=True)
    audio, music = first.audio.read_bytes(), first.music.read_bytes()
    (bed,) = (cache / module.BEDS_DIR).glob(f"*/{module.BED_NAME}")
    for path in (first.narration, bed):
        with open(path, "r+b") as f:
            f.truncate(1000)
    with caplog.at_level("WARNING", logger="diffusion_explainer.cache"):
        again = soundtrack(two_scenes, FPS, cache, music=True)
    assert sorted(r.getMessage().split(" (")[0] for r in caplog.records) == [
        f"cache: audio/{first.key} was damaged", f"cache: beds/{bed.parent.name} was damaged"]
    assert again == first and first.audio.read_bytes() == audio and first.music.read_bytes() == music
    assert bed.exists() and first.narration.stat().st_size > 1000


def test_the_mixing_code_keys_the_cache(two_scenes, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = soundtrack(two_scenes, FPS, cache)
    assert soundtrack(two_scenes, FPS, cache) == first
    monkeypatch.setattr(module, "mixing_code_digest", lambda: "another bed")
    assert soundtrack(two_scenes, FPS, cache) != first


def test_the_encode_waits_for_a_scene_still_rendering_and_takes_its_new_events(two_scenes, tmp_path):
    recorded = {"a": (), "b": (SoundEvent(30, "reveal"),)}  # what b's previous render marked
    sounds = SceneSounds(lambda scene_id: recorded[scene_id], rendering=["b"])
    result = {}
    worker = threading.Thread(target=lambda: result.update(made=soundtrack(two_scenes, FPS, tmp_path / "c", sounds=sounds)))
    worker.start()
    worker.join(timeout=3)
    assert worker.is_alive(), "the encode finished without waiting for scene b"
    recorded["b"] = (SoundEvent(12, "reveal"),)  # b's new render marks another frame
    sounds.settle("b")
    worker.join(timeout=60)
    music, _ = read_wav(result["made"].music)
    plain, _ = read_wav(soundtrack(two_scenes, FPS, tmp_path / "c", music=True).music)
    effects = music - plain
    assert onset(effects, 4.5, 10.0) == pytest.approx(5.2, abs=0.005)  # the new frame 12, not the old 30


def test_a_cached_soundtrack_is_kept_when_the_rerendered_scene_marks_the_same_events(two_scenes, tmp_path):
    events = {"a": (), "b": (SoundEvent(12, "reveal"),)}
    cache = tmp_path / "cache"
    first = soundtrack(two_scenes, FPS, cache, sounds=SceneSounds(lambda s: events[s]))
    stamp = first.audio.stat().st_mtime_ns
    rendering = SceneSounds(lambda s: events[s], rendering=["b"])
    threading.Timer(0.5, rendering.settle, ["b"]).start()
    assert soundtrack(two_scenes, FPS, cache, sounds=rendering) == first
    assert first.audio.stat().st_mtime_ns == stamp


def test_stopping_while_waiting_for_a_scene_leaves_no_soundtrack(two_scenes, tmp_path):
    sounds = SceneSounds(lambda scene_id: (), rendering=["b"])
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    with pytest.raises(module.Stopped):
        soundtrack(two_scenes, FPS, tmp_path / "cache", stop, sounds=sounds)
    cache = tmp_path / "cache"
    # the music bed and scene a's encoded segment are finished cache entries; nothing else is left
    assert [p.name for p in cache.iterdir() if p.name not in (module.SEGMENTS_DIR, module.BEDS_DIR)] == []
    assert not [p for p in cache.rglob("*") if PARTIAL_MARK in p.name]


def encodes(monkeypatch):
    """Record, for every segmented encode, which segments it encoded and which it found kept."""
    made = []
    real_finish = module.SegmentedEncoder.finish

    def finish(self, path):
        made.append((list(self.encoded), list(self.reused)))
        return real_finish(self, path)

    monkeypatch.setattr(module.SegmentedEncoder, "finish", finish)
    return made


def test_an_edit_of_one_scene_encodes_only_its_segment_after_many_renders(two_scenes, tmp_path, monkeypatch):
    made = encodes(monkeypatch)
    cache = tmp_path / "cache"
    a, b = two_scenes
    line, rate = read_wav(a.audio)
    for i in range(module.KEEP_SOUNDTRACKS + 1):  # enough soundtracks for the cache to let old ones go
        # scene a's line a little quieter each time: the video's loudness moves by thousandths of
        # a dB, which the mix's gain (in 0.1 dB steps) does not follow
        edited_a = write_wav(tmp_path / f"a{i}.wav", line * (1 - 0.002 * i), rate)
        soundtrack([ScenePiece("a", a.video, 0, 40, edited_a), b], FPS, cache)
    assert made[0] == ([0, 1], [])
    # scene a's line changed every time; scene b's segment (from its first AAC frame on) never did
    assert all(encoded == [0] and reused == [1] for encoded, reused in made[1:]), made
    assert (cache / module.SEGMENTS_DIR).is_dir() and (cache / module.BEDS_DIR).is_dir()
    assert len([p for p in cache.iterdir() if p.name not in (module.SEGMENTS_DIR, module.BEDS_DIR)]) == module.KEEP_SOUNDTRACKS


def test_a_scene_rendering_again_with_the_same_effects_is_not_mixed_twice(two_scenes, tmp_path, monkeypatch):
    made = encodes(monkeypatch)
    events = {"a": (), "b": (SoundEvent(12, "reveal"),)}
    new_b = narration_wav(tmp_path / "b2.wav", 6.0, [(3.0, 4.5)])  # b's line edited: its segment is new
    rendering = SceneSounds(lambda s: events[s], rendering=["b"])
    finished = threading.Event()
    worker = threading.Thread(target=lambda: (soundtrack([two_scenes[0], ScenePiece("b", two_scenes[1].video, 40, 60, new_b)],
                                                         FPS, tmp_path / "cache", sounds=rendering), finished.set()))
    worker.start()
    deadline = 60
    while not made and deadline > 0:  # the mix with b's last effects is done while b still renders
        worker.join(timeout=0.1)
        deadline -= 0.1
    assert made and not finished.is_set()
    rendering.settle("b")  # b rendered and marked the same reveal
    worker.join(timeout=60)
    assert finished.is_set() and len(made) == 1  # nothing mixed or encoded again


# --- every input of the soundtrack's, a segment's and a bed's key -----------------------------------


def _rewritten(piece, tmp_path):
    """The piece with its narration track's samples changed (a line spoken again)."""
    samples, rate = read_wav(piece.audio)
    return ScenePiece(piece.scene_id, piece.video, piece.start_frame, piece.frames,
                      write_wav(tmp_path / f"{piece.scene_id}-again.wav", samples * 0.9, rate))


# each input of the soundtrack's key changed alone: (pieces, fps, music, sounds) from the two scenes
SOUNDTRACK_INPUTS = {
    "a scene's id": lambda p, t, m: ([replace(p[0], scene_id="a2"), p[1]], FPS, False, None),
    "a scene's frames": lambda p, t, m: ([p[0], ScenePiece("b", p[1].video, 40, 61, p[1].audio)], FPS, False, None),
    "a scene's narration": lambda p, t, m: ([p[0], _rewritten(p[1], t)], FPS, False, None),
    "the order of the scenes": lambda p, t, m: ([p[1], p[0]], FPS, False, None),
    "the frame rate": lambda p, t, m: (p, FPS + 5, False, None),
    "the bit rate": lambda p, t, m: (m.setattr(module, "AUDIO_BITRATE", 160_000), (p, FPS, False, None))[1],
    "the encoder's options": lambda p, t, m: (m.setattr(module, "AAC_OPTIONS", {"aac_coder": "twoloop"}),
                                              (p, FPS, False, None))[1],
    "the mixing code": lambda p, t, m: (m.setattr(module, "mixing_code_digest", lambda: "other code"),
                                        (p, FPS, False, None))[1],
    "music": lambda p, t, m: (p, FPS, True, None),
    "a scene's effects": lambda p, t, m: (p, FPS, True, {"b": (SoundEvent(12, "reveal"),)}),
}


@pytest.mark.parametrize("changed", SOUNDTRACK_INPUTS)
def test_each_input_of_the_soundtracks_key_alone_makes_another_soundtrack(two_scenes, tmp_path, monkeypatch, changed):
    cache = tmp_path / "cache"
    with_music = changed == "a scene's effects"  # (without music, the effects are left out)
    first = soundtrack(two_scenes, FPS, cache, music=with_music)
    stamp = first.audio.stat().st_mtime_ns
    again = soundtrack(two_scenes, FPS, cache, music=with_music)
    assert again == first and first.audio.stat().st_mtime_ns == stamp  # nothing changed: kept, not encoded
    pieces, fps, music, events = SOUNDTRACK_INPUTS[changed](two_scenes, tmp_path, monkeypatch)
    sounds = SceneSounds(lambda scene_id: (events or {}).get(scene_id, ()))
    assert soundtrack(pieces, fps, cache, music=music, sounds=sounds) != first


def _segments(cache, samples, bit_rate=module.AUDIO_BITRATE, options=module.AAC_OPTIONS, limit=0.5):
    """Which segments an encode of `samples` (two scenes) encodes and which it finds kept."""
    import functools

    from diffusion_explainer.sound import limiter
    from diffusion_explainer.sound.aac_segments import SegmentedEncoder, segment_borders

    encoder = SegmentedEncoder(segment_borders([0, 2 * RATE], len(samples)), cache, RATE, bit_rate, options,
                               shape=functools.partial(limiter.limited, rate=RATE, limit=limit),
                               reach=limiter.reach(RATE))
    encoder.push(samples)
    encoder.finish(cache.parent / "track.m4a")
    return encoder.encoded, encoder.reused


SEGMENT_INPUTS = {  # each input of a segment's key changed alone, as keyword arguments of _segments
    "its samples": {"samples": "edited"},
    "the bit rate": {"bit_rate": 160_000},
    "the encoder's options": {"options": {"aac_coder": "twoloop"}},
    "the limiter's ceiling": {"limit": 0.4},
}


@pytest.mark.parametrize("changed", SEGMENT_INPUTS)
def test_each_input_of_a_segments_key_alone_encodes_it_again(tmp_path, changed):
    samples = np.column_stack([speech_like_clip(4.0, rate=RATE)] * 2).astype(np.float32)
    cache = tmp_path / "segments"
    assert _segments(cache, samples) == ([0, 1], [])
    assert _segments(cache, samples) == ([], [0, 1])  # nothing changed: both kept
    change = dict(SEGMENT_INPUTS[changed])
    if change.pop("samples", None):
        edited = samples.copy()
        edited[3 * RATE :] *= 0.5  # inside the second segment, away from the first's reach
        assert _segments(cache, edited, **change) == ([1], [0])
    else:
        assert _segments(cache, samples, **change) == ([0, 1], [])


def test_the_limiters_code_keys_the_segments(tmp_path, monkeypatch):
    """The limiter's source and the loudness module it limits with are part of a segment's key."""
    import sys

    samples = np.column_stack([speech_like_clip(4.0, rate=RATE)] * 2).astype(np.float32)
    cache = tmp_path / "segments"
    _segments(cache, samples)
    loudness = sys.modules["diffusion_explainer.narration.loudness"]
    edited = tmp_path / "loudness.py"
    edited.write_bytes(Path(loudness.__file__).read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(loudness, "__file__", str(edited))
    assert _segments(cache, samples) == ([0, 1], [])


BED_INPUTS = {  # each input of a music bed's key changed alone: (chords, total, rate, seed) of the bed
    "its chords": lambda chords: (chords[:1] + chords[:1], 2 * RATE, RATE, 14),
    "its length": lambda chords: (chords, 2 * RATE + 1, RATE, 14),
    "its rate": lambda chords: ([replace(c, start=c.start * 2 // 3, end=c.end * 2 // 3) for c in chords],
                                 4 * RATE // 3, 32000, 14),  # the same two seconds at 32 kHz
    "its seed": lambda chords: (chords, 2 * RATE, RATE, 15),
}


@pytest.mark.parametrize("changed", [*BED_INPUTS, "the music code"])
def test_each_input_of_a_beds_key_alone_renders_it_again(tmp_path, monkeypatch, changed):
    from diffusion_explainer.sound import music
    from diffusion_explainer.sound.score import EXPLAINING, VI, I, ScoredChord

    rendered = []
    real = music.render_bed
    monkeypatch.setattr(music, "render_bed", lambda *args: rendered.append(args) or real(*args))
    chords = [ScoredChord(I, EXPLAINING, 0, RATE), ScoredChord(VI, EXPLAINING, RATE, 2 * RATE)]
    bed = (chords, 2 * RATE, RATE, 14)
    module.bed_maker(tmp_path)(*bed)
    module.bed_maker(tmp_path)(*bed)
    assert len(rendered) == 1  # nothing changed: read back
    if changed == "the music code":
        monkeypatch.setattr(module, "code_digest", lambda *functions: "other music code")
    else:
        bed = BED_INPUTS[changed](chords)
    module.bed_maker(tmp_path)(*bed)
    assert len(rendered) == 2


def test_the_track_is_measured_as_it_is_encoded_as_a_decoder_hears_it(tmp_path):
    """The true peak and loudness kept with the soundtrack, from each segment decoded as it was
    encoded (three segments of one long scene, one of a short one), are those of the whole file
    decoded: the review page then measures nothing again after an edit."""
    from diffusion_explainer.narration.loudness import integrated_loudness, true_peak_db

    long = narration_wav(tmp_path / "long.wav", 50.0, [(s, s + 2.5) for s in range(1, 48, 4)])
    short = narration_wav(tmp_path / "short.wav", 10.0, [(1.0, 8.0)])
    pieces = [ScenePiece("long", tmp_path / "l.mp4", 0, 500, long), ScenePiece("short", tmp_path / "s.mp4", 500, 100, short)]
    made = soundtrack(pieces, FPS, tmp_path / "cache", music=True)
    heard = made.heard()
    whole = decoded(made.audio)
    assert heard is not None
    assert abs(heard[0] - true_peak_db(whole)) < 0.02, (heard, true_peak_db(whole))
    assert abs(heard[1] - integrated_loudness(whole, RATE)) < 0.01, (heard, integrated_loudness(whole, RATE))
    assert len(list((tmp_path / "cache" / module.SEGMENTS_DIR).glob("*.blob"))) == 4  # 20 + 20 + 10 s, then 10 s


def test_a_kept_mix_patched_for_an_edit_gives_the_track_a_fresh_mix_gives(two_scenes, tmp_path):
    memory = module.MixMemory()
    events = SceneSounds(lambda scene_id: (SoundEvent(12, "reveal"),) if scene_id == "b" else ())
    soundtrack(two_scenes, FPS, tmp_path / "kept", music=True, sounds=events, memory=memory)
    ground = memory.take()
    assert ground is not None and ground.sources == tuple(p.audio for p in two_scenes)
    memory.keep(ground)
    edited = [two_scenes[0], ScenePiece("b", two_scenes[1].video, 40, 60, narration_wav(tmp_path / "b2.wav", 6.0, [(2.0, 4.5)]))]
    patched = soundtrack(edited, FPS, tmp_path / "kept", music=True, sounds=events, memory=memory)
    assert memory.take() is ground  # patched where b changed, not made again
    fresh = soundtrack(edited, FPS, tmp_path / "fresh", music=True, sounds=events)
    assert patched.key == fresh.key
    assert np.array_equal(decoded(patched.audio), decoded(fresh.audio))
    assert np.array_equal(read_wav(patched.music)[0], read_wav(fresh.music)[0])


def test_a_track_found_in_the_cache_has_its_mix_made_for_the_next_edit(two_scenes, tmp_path):
    soundtrack(two_scenes, FPS, tmp_path / "cache", music=True, stems=False)
    memory = module.MixMemory()
    found = soundtrack(two_scenes, FPS, tmp_path / "cache", music=True, stems=False, memory=memory)
    assert found.narration is None and found.music is None  # (a preview's track: no stems)
    ground = memory.take()  # (waits for the ground being made)
    assert ground is not None and ground.music is not None
    assert ground.sources == tuple(p.audio for p in two_scenes)


def test_a_track_without_stems_is_another_soundtrack(two_scenes, tmp_path):
    cache = tmp_path / "cache"
    with_stems = soundtrack(two_scenes, FPS, cache, music=True)
    without = soundtrack(two_scenes, FPS, cache, music=True, stems=False)
    assert without != with_stems and without.narration is None and without.music is None
    assert with_stems.narration is not None and with_stems.music is not None
    assert np.array_equal(decoded(without.audio), decoded(with_stems.audio))  # the same sound


def test_a_tracks_digest_is_computed_again_when_its_file_changes(tmp_path):
    """file_digest keeps what it computed while a file keeps its size, time and inode (a render keys
    the same narration tracks three times): a track written again, even to the same size, is read again."""
    import hashlib
    import os

    track = tmp_path / "track.wav"
    track.write_bytes(b"a" * 4096)
    first = module.file_digest(track)
    assert first == hashlib.sha256(b"a" * 4096).hexdigest() and module.file_digest(track) == first
    with open(track, "r+b") as f:  # in place: same size, same inode, a later modification time
        f.write(b"b")
    stat = track.stat()
    os.utime(track, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))
    assert module.file_digest(track) == hashlib.sha256(b"b" + b"a" * 4095).hexdigest()
    replaced = tmp_path / "new.wav"
    replaced.write_bytes(b"c" * 4096)
    os.replace(replaced, track)  # renamed over it: another inode
    assert module.file_digest(track) == hashlib.sha256(b"c" * 4096).hexdigest()


def test_a_mix_made_again_for_moved_effects_keeps_what_came_before_and_equals_a_fresh_one(tmp_path, monkeypatch):
    """A scene still rendering is mixed first with its last render's effects; when it marks others,
    the mix is made again only from where they differ on: the segments before it are taken over and
    the stems' samples before it kept, and the track, its stems and its measures are those of one
    mix made with the new effects."""
    a = narration_wav(tmp_path / "a.wav", 45.0, [(s, s + 3.0) for s in range(1, 42, 6)])
    b = narration_wav(tmp_path / "b.wav", 6.0, [(3.0, 5.0)])
    pieces = [ScenePiece("a", tmp_path / "a.mp4", 0, 450, a), ScenePiece("b", tmp_path / "b.mp4", 450, 60, b)]
    recorded = {"a": (SoundEvent(100, "reveal"),), "b": (SoundEvent(30, "reveal"),)}  # b's last render's
    sounds = SceneSounds(lambda scene_id: recorded[scene_id], rendering=["b"])
    taken = []
    real_resume = module.SegmentedEncoder.resume

    def resume(self, earlier, sample, until=None):
        start, end = real_resume(self, earlier, sample, until)
        taken.append((self.taken_over, sample, start))
        return start, end

    monkeypatch.setattr(module.SegmentedEncoder, "resume", resume)
    result = {}
    worker = threading.Thread(target=lambda: result.update(made=soundtrack(pieces, FPS, tmp_path / "c", sounds=sounds)))
    worker.start()
    deadline = 120
    while not list((tmp_path / "c").glob(f".*{PARTIAL_MARK}*/{module.AUDIO_NAME}")) and deadline > 0:
        worker.join(timeout=0.1)  # until the first mix, with b's old effects, is encoded
        deadline -= 0.1
    recorded["b"] = (SoundEvent(12, "reveal"),)  # b's new render marks another frame
    sounds.settle("b")
    worker.join(timeout=120)
    # mixed again from where b's effects differ (its new reveal, 1.2 s in, and what leads into it),
    # the segments before that taken over
    assert taken and taken[0][0] >= 2 and 45 * RATE <= taken[0][1] <= 45 * RATE + 12 * RATE // FPS, taken
    assert taken[0][2] < taken[0][1], taken
    fresh = soundtrack(pieces, FPS, tmp_path / "fresh", sounds=SceneSounds(lambda scene_id: recorded[scene_id]))
    made = result["made"]
    assert made.key == fresh.key and made.heard() == fresh.heard()
    assert np.array_equal(decoded(made.audio), decoded(fresh.audio))
    for stem in ("narration", "music"):
        assert getattr(made, stem).read_bytes() == getattr(fresh, stem).read_bytes(), stem


def test_the_next_mix_takes_over_the_last_ones_segments_before_and_after_what_an_edit_changed(tmp_path, monkeypatch):
    """The studio's next edit: a scene's narration reworded and its effects moved. Its mix takes the
    last mix's segments over where nothing changed, before and after (only the edited part is mixed
    and encoded again), and its track and measures are those of one mix made from nothing."""
    a = narration_wav(tmp_path / "a.wav", 45.0, [(s, s + 3.0) for s in range(1, 42, 6)])
    b = narration_wav(tmp_path / "b.wav", 30.0, [(s, s + 3.0) for s in range(1, 27, 6)])
    c = narration_wav(tmp_path / "c.wav", 45.0, [(s, s + 3.0) for s in range(2, 42, 6)])
    pieces = [ScenePiece("a", tmp_path / "a.mp4", 0, 450, a), ScenePiece("b", tmp_path / "b.mp4", 450, 300, b),
              ScenePiece("c", tmp_path / "c.mp4", 750, 450, c)]
    recorded = {"a": (SoundEvent(100, "reveal"),), "b": (SoundEvent(60, "reveal"), SoundEvent(250, "reveal")),
                "c": (SoundEvent(200, "reveal"),)}
    memory = module.MixMemory()
    soundtrack(pieces, FPS, tmp_path / "cache", sounds=SceneSounds(lambda scene_id: recorded[scene_id]),
               stems=False, memory=memory)

    # its last two sentences said half a second later (the video's loudness, and so the gain, kept)
    edited_b = narration_wav(tmp_path / "b2.wav", 30.0,
                             [(s, s + 3.0) for s in range(1, 19, 6)] + [(s + 0.5, s + 3.5) for s in range(19, 27, 6)])
    edited = [pieces[0], ScenePiece("b", pieces[1].video, 450, 300, edited_b), pieces[2]]
    recorded["b"] = (SoundEvent(60, "reveal"), SoundEvent(240, "reveal"))  # its last reveal 1 s sooner
    taken = []
    real_resume = module.SegmentedEncoder.resume

    def resume(self, earlier, sample, until=None):
        first, end = real_resume(self, earlier, sample, until)
        taken.append((sample, until, first, end, self.taken_over, len(self.borders) - 1))
        return first, end

    monkeypatch.setattr(module.SegmentedEncoder, "resume", resume)
    patched = soundtrack(edited, FPS, tmp_path / "cache", sounds=SceneSounds(lambda scene_id: recorded[scene_id]),
                         stems=False, memory=memory)
    assert len(taken) == 1, taken  # (b's effects were known: one pass)
    sample, until, first, end, taken_over, segments = taken[0]
    assert 45 * RATE <= sample and until <= 80 * RATE, taken  # what changed: b, and its last reveal ringing on
    assert 0 < first and end < 120 * RATE and taken_over >= 3, taken  # segments before and after it taken over
    fresh = soundtrack(edited, FPS, tmp_path / "fresh", sounds=SceneSounds(lambda scene_id: recorded[scene_id]),
                       stems=False)
    assert patched.key == fresh.key and patched.heard() == fresh.heard()
    assert np.array_equal(decoded(patched.audio), decoded(fresh.audio))
