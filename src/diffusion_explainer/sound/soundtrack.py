"""The video's soundtrack: one AAC track of exactly the video's length, and its two stems (the
narration alone, the music and effects alone) as WAV files.

It is built from the scenes' narration tracks, each padded with silence or trimmed to exactly
its scene's length in samples: copy-joining per-scene audio would drop each scene's silent tail
and pull every later line early (about 1 s of drift was measured that way). Under the narration
goes the music bed with its effects (sound/), unless the render is asked for no music. A silent
render gets a silent track of the same length and no stems, so the delivered file has the same
shape either way.

The mix is made for the whole video and encoded in segments, one per scene (aac_segments.py):
a segment whose samples did not change comes from the cache, so an edit of one scene's line
re-encodes that scene's part. The effects a scene marks are only known once that scene has
rendered (SceneSounds): a scene still rendering is mixed first with the effects its last render
marked, and again only if its new render marks others. Started while the scenes render, the
soundtrack is usually done when they are.
What was made is kept in the cache's store (core/store.py) under a key made from everything it
was made of (the narration, the scene layout, the events, the code that mixes it, the encoder's
settings): joining again after a change to the pictures only copies it, and a change to the music
encodes only the soundtrack.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import json
import os
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import av
import numpy as np

from .. import sound
from ..core.errors import RenderError
from ..core.files import file_stamps
from ..core.keys import code_digest, digest
from ..core.store import Store
from ..media.join import ScenePiece
from ..media.probe import AUDIO_RATE
from ..narration import loudness
from ..narration.audio_files import read_wav
from ..narration.mixing import TRUE_PEAK_CEILING_DB
from ..timing.sound_marks import SoundEvent
from . import aac_segments, limiter
from .aac_segments import FinishedSegments, SegmentedEncoder, SegmentWorkers, TrackSound, segment_borders
from .mixdown import Mixdown, MixGround

AUDIO_BITRATE = 192_000
# ffmpeg's own AAC encoder: its "fast" coder is about twice as fast as the default "twoloop"
# and at 192 kb/s for speech the difference is not audible.
AAC_OPTIONS = {"aac_coder": "fast"}
# The limiter's ceiling, under the delivery's -1 dBTP: AAC's coding noise adds to the peaks.
LIMIT_DB = TRUE_PEAK_CEILING_DB - 0.5
KEEP_SOUNDTRACKS = 3  # the cache keeps the most recent few
# Segments encoded apart (aac_segments.py) are at most this long: a line edited late in a scene
# re-encodes the last few seconds of it, not the whole scene.
SEGMENT_S = 20
# Beside the soundtracks in the cache: the encoded segments (aac_segments.py) and music beds.
SEGMENTS_DIR, BEDS_DIR = "segments", "beds"
KEEP_BEDS = 2
AUDIO_NAME, NARRATION_NAME, MUSIC_NAME, BED_NAME = "soundtrack.m4a", "narration.wav", "music.wav", "bed.npy"
HEARD_NAME = "heard.json"  # the encoded track's true peak and loudness, measured segment by segment


@dataclass(frozen=True)
class Soundtrack:
    """One encoded soundtrack in the cache: a folder named by its key."""

    folder: Path

    @property
    def key(self) -> str:
        return self.folder.name

    @property
    def audio(self) -> Path:
        return self.folder / AUDIO_NAME

    @property
    def narration(self) -> Path | None:
        """The speech alone (mono, 16-bit, 48 kHz); None for a silent render."""
        path = self.folder / NARRATION_NAME
        return path if path.exists() else None

    @property
    def music(self) -> Path | None:
        """The music and effects alone (stereo, 16-bit, 48 kHz); None without music."""
        path = self.folder / MUSIC_NAME
        return path if path.exists() else None

    def heard(self) -> tuple[float, float] | None:
        """(true peak in dBTP, integrated loudness in LUFS) of the encoded track as a decoder gives
        it, measured as each segment was encoded (aac_segments.Encoded); None if not kept."""
        try:
            data = json.loads((self.folder / HEARD_NAME).read_text(encoding="utf-8"))
            sound = TrackSound(float(data["true_peak"]), float(data["integrated_lufs"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return sound.peak_db, sound.lufs


@dataclass
class SoundCosts:
    """CPU seconds spent on segments encoded in processes of their own (aac_segments.py): the
    thread that mixes does not count them."""

    segments_cpu_s: list[float] = field(default_factory=list)


class SceneSounds:
    """The sound events each scene's render recorded (kept in the scene manifest): a reused
    scene's at once, a scene being rendered's once its video is kept (`settle`)."""

    def __init__(self, recorded: Callable[[str], tuple[SoundEvent, ...]], rendering=()):
        self._recorded = recorded
        self._pending = {scene_id: threading.Event() for scene_id in rendering}

    def settle(self, scene_id: str) -> None:
        """The scene's render was kept: its events are final."""
        if scene_id in self._pending:
            self._pending[scene_id].set()

    def now(self, scene_id: str) -> tuple[SoundEvent, ...]:
        """What is recorded now: final, or the previous render's for a scene still rendering."""
        return self._recorded(scene_id)

    def settled(self) -> bool:
        return all(event.is_set() for event in self._pending.values())

    def wait(self, scene_id: str, stop: threading.Event | None = None) -> tuple[SoundEvent, ...]:
        pending = self._pending.get(scene_id)
        while pending is not None and not pending.wait(0.2):
            if stop is not None and stop.is_set():
                raise Stopped(f"stopped while waiting for {scene_id} to render")
        return self._recorded(scene_id)


NO_SOUNDS = SceneSounds(lambda scene_id: ())


class MixMemory:
    """The last mix's ground (mixdown.MixGround), kept by a caller that mixes again and again (the
    studio): the next mix of the same scene layout patches it where a scene's narration changed,
    instead of reading, ducking and measuring ten minutes of sound again. A mix takes it while it
    works (a mix stopped half-way leaves none) and keeps its own once its track is encoded; a track
    found in the cache, never mixed, has its ground made in the background (`prime`), so that the
    first edit after it is patched too. It holds the video's narration, bed and ducked music:
    about 700 MB for ten minutes."""

    def __init__(self, prime_found: bool = True,
                 recall: Callable[[list[ScenePiece], int, Path, bool], MixGround | Recalled] | None = None):
        """`prime_found`: whether a soundtrack found in the cache (never mixed) has a ground made for
        the next mix (the studio's next edit); a `render` that ends with it would not use one.
        `recall(pieces, fps, cache_dir, music)`: how that ground is made (default mix_ground, from
        the narration tracks; the studio's: kept_mix.recalled_ground, from the one kept on disk)."""
        self._ground: MixGround | None = None
        self._priming: threading.Thread | None = None
        self._later: Callable[[], MixGround | Recalled] | None = None  # a ground to make when one is taken
        self._encoded: LastEncode | None = None
        self._lock = threading.Lock()
        self.prime_found = prime_found
        self.recall = recall
        self.mixed = False  # whether a mix has kept its ground here (`keep`) since this was made

    def take(self) -> MixGround | None:
        """The kept ground, no longer kept (waiting for one being made, at normal priority then,
        where the system allows it)."""
        self._await_priming()
        with self._lock:
            ground, self._ground = self._ground, None
            later, self._later = self._later, None
        if ground is None and later is not None:  # not made ahead (it did not look needed): made now
            with contextlib.suppress(Exception):  # (as a ground being primed: the mix is made whole)
                ground, encoded = _unpacked(later())
                with self._lock:
                    self._encoded = self._encoded or encoded
        return ground

    def keep(self, ground: MixGround, encoded: LastEncode | None = None) -> None:
        """Keep a mix's ground (and what its encode left, for the next to take over)."""
        with self._lock:
            self._ground, self._encoded = ground, encoded
            self.mixed = True

    def take_encode(self) -> LastEncode | None:
        """What the last mix's encode left (kept with its ground), no longer kept (waiting for a
        ground being made, which may bring one)."""
        self._await_priming()
        with self._lock:
            encoded, self._encoded = self._encoded, None
        return encoded

    def _await_priming(self) -> None:
        """Wait for a ground being made, at normal priority then, where the system allows it."""
        priming = self._priming
        if priming is not None:
            _set_priority(priming.native_id, 0)
            priming.join()

    def kept_encode(self) -> LastEncode | None:
        """What the last mix's encode left, still kept."""
        with self._lock:
            return self._encoded

    def kept(self) -> MixGround | None:
        """The kept ground, still kept (none while one is being made)."""
        with self._lock:
            return self._ground

    def prime(self, make: Callable[[], MixGround | Recalled], when: Callable[[], bool] | None = None) -> None:
        """Make a ground in a thread of its own, unless one is kept or being made: at the lowest
        priority, so that it takes only what the rest leaves of the cores (the speech model, whose
        threads wait for each other, ran twice as slowly beside it). `when()`: asked first, in
        that thread; False, the ground is made only if a mix takes it (an edit undone finds its
        soundtrack in the cache and mixes nothing)."""
        with self._lock:
            if self._ground is not None or self._priming is not None:
                return
            self._priming = threading.Thread(target=self._prime, args=(make, when), name="mix-prime", daemon=True)
            self._priming.start()

    def _prime(self, make: Callable[[], MixGround | Recalled], when: Callable[[], bool] | None) -> None:
        ground = None
        _set_priority(threading.get_native_id(), 19)
        encoded = None
        try:
            if when is None or when():
                ground, encoded = _unpacked(make())
            else:
                with self._lock:
                    self._later = make
        except Exception:  # noqa: BLE001 (a ground is only a head start: the next mix is made whole, and says what is wrong)
            pass
        with self._lock:
            if self._ground is None:
                self._ground, self._encoded = ground, encoded
            self._priming = None


def _unpacked(made: MixGround | Recalled) -> tuple[MixGround, LastEncode | None]:
    return (made.ground, made.encoded) if isinstance(made, Recalled) else (made, None)


def _set_priority(thread_id: int | None, nice: int) -> None:
    """A thread's priority (on Linux, PRIO_PROCESS with a thread's id sets that thread's only); raising
    it back needs the right to (root, or RLIMIT_NICE), else it stays low."""
    try:
        os.setpriority(os.PRIO_PROCESS, thread_id, nice)
    except (AttributeError, OSError, TypeError):
        pass


def file_digest(path: Path | None) -> str:
    """The sha256 of a file (a narration track: "silence" for none), computed once per process
    while the file keeps its size, modification time and inode: a render keys its soundtrack
    twice (before and after the scenes' effects are known) and its joined video once, and a
    ten-minute video's tracks are about 100 MB to read each time."""
    if path is None:
        return "silence"
    stamp = file_stamps([path])  # () for a file that is gone: opened below, which says so
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(stamp) if stamp else None
    if known is not None:
        return known
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if stamp:
        with _DIGESTS_LOCK:
            _DIGESTS[stamp] = h.hexdigest()
    return h.hexdigest()


_DIGESTS: dict[tuple, str] = {}
_DIGESTS_LOCK = threading.Lock()


def mixing_code_digest() -> str:
    """The code the soundtrack is made by: the sound package (music, ducking, effects, mix), the
    loudness and limiter it uses, this module and the segmented encoder."""
    files = sorted(Path(sound.__file__).parent.glob("*.py")) + [Path(loudness.__file__), Path(__file__),
                                                                 Path(aac_segments.__file__)]
    return hashlib.sha256(b"".join(hashlib.sha256(p.read_bytes()).digest() for p in files)).hexdigest()


def soundtrack_key(pieces: list[ScenePiece], fps: int, music: bool = False,
                   events: dict[str, tuple[SoundEvent, ...]] | None = None, stems: bool = True) -> str:
    music = music and not _silent(pieces)
    parts = [f"{p.scene_id}:{_scene_samples(p, fps)}:{file_digest(p.audio)}" for p in pieces]
    parts.append(f"aac {AUDIO_BITRATE} {sorted(AAC_OPTIONS.items())}, code {mixing_code_digest()}")
    if not stems:
        parts.append("no stems")
    if music:
        parts.append("music")
        parts += [f"{p.scene_id} sounds {[(e.frame, e.name) for e in (events or {}).get(p.scene_id, ())]}" for p in pieces]
    return digest("\n".join(parts).encode())


class Stopped(Exception):
    """The encode was asked to stop (the render was interrupted or failed)."""


def soundtrack(pieces: list[ScenePiece], fps: int, cache_dir: Path, stop: threading.Event | None = None, *,
               music: bool = True, sounds: SceneSounds = NO_SOUNDS,
               on_encoded: Callable[[Soundtrack], None] | None = None, workers: int | SegmentWorkers = 1,
               costs: SoundCosts | None = None, stems: bool = True, memory: MixMemory | None = None) -> Soundtrack:
    """The encoded soundtrack for these scenes, from the cache or encoded now (an encode that is
    stopped leaves nothing behind). `sounds`: the scenes' effects, waited for scene by scene.
    `workers`: processes to encode segments in (1: in this thread), or processes the caller keeps
    (aac_segments.SegmentWorkers); their CPU goes into `costs`. `stems`: False for a track without
    them (the studio's previews place none). `memory`: the last mix, kept by the caller to patch."""
    store = Store(cache_dir, keep=KEEP_SOUNDTRACKS)  # (its segments/ and beds/ are stores of their own)
    keyed = functools.partial(soundtrack_key, pieces, fps, music, stems=stems)
    guess = keyed({p.scene_id: sounds.now(p.scene_id) for p in pieces})
    found = store.entry_dir(guess)
    if found is not None:
        cached = Soundtrack(found)
        if memory is not None and memory.prime_found and not _silent(pieces):
            recall = memory.recall or mix_ground
            memory.prime(lambda: recall(pieces, fps, cache_dir, music))
        if not music or sounds.settled():
            return cached
        # a scene being rendered may mark the same effects as its kept render: then nothing to do
        if on_encoded is not None:
            on_encoded(cached)
        final = keyed({p.scene_id: sounds.wait(p.scene_id, stop) for p in pieces})
        if final == guess:
            return cached
    with store.making() as work:
        events = encode(pieces, fps, work, stop, music=music, sounds=sounds, on_encoded=on_encoded, workers=workers,
                        costs=costs, stems=stems, memory=memory)
        done = Soundtrack(store.put_files(keyed(events), work))
    store.prune()
    return done


def encode(pieces: list[ScenePiece], fps: int, folder: Path, stop: threading.Event | None = None, *,
           music: bool = True, sounds: SceneSounds = NO_SOUNDS,
           on_encoded: Callable[[Soundtrack], None] | None = None, workers: int | SegmentWorkers = 1,
           costs: SoundCosts | None = None, stems: bool = True,
           memory: MixMemory | None = None) -> dict[str, tuple[SoundEvent, ...]]:
    """Mix and encode into `folder` (AUDIO_NAME, and the stems unless silent or not asked for), a
    scene at a time in time order; returns the events that went into it. `on_encoded(soundtrack)`:
    called with each track made (in `folder`), before it is known to be the final one. `memory`:
    the last mix's ground to patch, given the new one once the track is encoded.

    Scenes still rendering are first mixed with the effects their last render marked (an edit
    seldom moves them), so the encode need not wait for them; once they are done, if their
    effects did change, the mix is made again with the new ones (the segments before the first
    changed scene are then found in the cache)."""
    silent = _silent(pieces)
    previous = memory.take() if memory is not None else None
    last = memory.take_encode() if memory is not None else None
    mix = _mix(pieces, fps, folder.parent, music, previous)
    places, total = mix.scenes, mix.total
    ceiling = 10.0 ** (LIMIT_DB / 20.0)

    def check(position: int) -> None:
        if stop is not None and stop.is_set():
            raise Stopped(f"soundtrack encode stopped at {position / AUDIO_RATE:.1f} s")

    def mix_and_encode(events_of: Callable[[str], tuple[SoundEvent, ...]], earlier: SegmentedEncoder | None = None,
                       changed: tuple[int, int] = (0, 0)) -> tuple[dict[str, tuple[SoundEvent, ...]], SegmentedEncoder]:
        """Mix and encode with each scene's effects from `events_of`; `earlier`: the encoder of a
        mix whose samples outside `changed` [first, end) were these (its segments there are taken
        over, and the stems' samples before it kept: only the rest is mixed again; the segments
        after it are taken over only when no stems are written, which need every sample)."""
        events: dict[str, tuple[SoundEvent, ...]] = {}
        with SegmentedEncoder(segment_borders([start for start, _ in places], total, SEGMENT_S * AUDIO_RATE),
                              folder.parent / SEGMENTS_DIR, AUDIO_RATE, AUDIO_BITRATE, AAC_OPTIONS, check,
                              shape=functools.partial(limiter.limited, rate=AUDIO_RATE, limit=ceiling),
                              reach=limiter.reach(AUDIO_RATE), workers=workers) as encoder:
            mixed_from, mixed_to = 0, total
            if earlier is not None and encoder.can_resume(earlier):
                mixed_from, mixed_to = encoder.resume(earlier, changed[0], None if stems else changed[1])
            with _Stems(folder, silent, mix.has_music, stems, kept=mixed_from) as files:
                _mix_into(encoder, files, events, events_of, mixed_from, mixed_to)
            encoder.finish(folder / AUDIO_NAME)
            sound = encoder.sound
            (folder / HEARD_NAME).write_text(json.dumps({"true_peak": sound.peak, "integrated_lufs": sound.lufs}),
                                             encoding="utf-8")
        if costs is not None and encoder.workers is not None:
            costs.segments_cpu_s += encoder.cpu_s.values()
        if on_encoded is not None:
            on_encoded(Soundtrack(folder))
        return events, encoder

    def _mix_into(encoder: SegmentedEncoder, files: _Stems, events: dict, events_of, mixed_from: int,
                  mixed_to: int) -> None:
        # the stems are written in a thread of their own while the mix is encoded
        writer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="stems")
        try:
            written = []
            for index, (piece, (start, length)) in enumerate(zip(pieces, places)):
                check(start)
                if mix.has_music:  # (every scene's: an effect may ring on into the next scene)
                    events[piece.scene_id] = events_of(piece.scene_id)
                    mix.add_scene_events(index, events[piece.scene_id], fps)
                if start + length <= mixed_from or start >= mixed_to:
                    continue  # mixed and encoded as it was
                voice, bed = mix.block(max(start, mixed_from), min(start + length, mixed_to))
                if files.files:
                    written.append(writer.submit(files.write, voice, bed))
                encoder.push(voice if bed is None else voice + bed)
            for done in written:
                done.result()
        finally:
            writer.shutdown(wait=True, cancel_futures=True)

    def differing(these: dict[str, tuple[SoundEvent, ...]], those: dict[str, tuple[SoundEvent, ...]],
                  start: tuple[int, int] | None = None) -> tuple[int, int] | None:
        """`start` widened by the samples where the scenes' effects `these` and `those` differ."""
        spans = [start] if start is not None else []
        for index, piece in enumerate(pieces):
            if mix.has_music and these.get(piece.scene_id) != those.get(piece.scene_id):
                first, length = places[index]
                spans.append(mix.effects_differ(index, these.get(piece.scene_id, ()), those.get(piece.scene_id, ()), fps)
                             or (first, first + length))
        return (min(lo for lo, _ in spans), max(hi for _, hi in spans)) if spans else None

    def after_last(events_of) -> tuple[SegmentedEncoder | None, tuple[int, int]]:
        """The last mix's encoder, and the samples this one changes, if this mix can take its
        segments over (the studio's next edit: only the edited scene's part is mixed again)."""
        if last is None or last.gain != mix.gain or stems:
            return None, (0, 0)
        guessed = {piece.scene_id: events_of(piece.scene_id) for piece in pieces} if mix.has_music else {}
        return last.encoder, differing(guessed, last.events, mix.changed) or (total, total)

    if not mix.has_music or sounds.settled():
        events_of = functools.partial(_waited, sounds, stop)
        events, encoder = mix_and_encode(events_of, *after_last(events_of))
    else:
        events, encoder = mix_and_encode(sounds.now, *after_last(sounds.now))
        final = {piece.scene_id: sounds.wait(piece.scene_id, stop) for piece in pieces}
        moved = differing(final, events)
        if moved is not None:  # mixed again where the effects moved (from the first that did)
            mix.clear_events()
            events, encoder = mix_and_encode(final.__getitem__, encoder, moved)
    if memory is not None:
        memory.keep(mix.ground, LastEncode(encoder, events, mix.gain))
    return events


def _waited(sounds: SceneSounds, stop: threading.Event | None, scene_id: str) -> tuple[SoundEvent, ...]:
    return sounds.wait(scene_id, stop)


@dataclass(frozen=True)
class LastEncode:
    """A mix's finished encoder (or its segments read back: FinishedSegments), the effects it mixed
    and its gain: the next mix of the same layout and gain takes its segments over where nothing
    changed (SegmentedEncoder.resume)."""

    encoder: SegmentedEncoder | FinishedSegments
    events: dict[str, tuple[SoundEvent, ...]]
    gain: float


@dataclass(frozen=True)
class Recalled:
    """A ground read back from the disk, with the encode of the mix it was the ground of."""

    ground: MixGround
    encoded: LastEncode | None


def mix_ground(pieces: list[ScenePiece], fps: int, cache_dir: Path, music: bool) -> MixGround:
    """The ground of these scenes' mix (for a MixMemory to keep: MixMemory.prime)."""
    return _mix(pieces, fps, cache_dir, music).ground


def mix_layout(pieces: list[ScenePiece], fps: int, music: bool) -> tuple[list[tuple[int, int]], bool]:
    """Where each scene's samples go in the mix ((first sample, samples) each), and whether it has
    music: what a mix's ground fits (mixdown.MixGround.fits)."""
    places, first = [], 0
    for piece in pieces:
        places.append((first, _scene_samples(piece, fps)))
        first += places[-1][1]
    return places, music and not _silent(pieces)


def _mix(pieces: list[ScenePiece], fps: int, cache_dir: Path, music: bool, previous: MixGround | None = None) -> Mixdown:
    """The mix of these scenes' narration tracks, patched from `previous` if it can be."""
    places, music = mix_layout(pieces, fps, music)
    return Mixdown(places, lambda i: _read_piece(pieces[i], fps), AUDIO_RATE, music=music,
                   make_bed=bed_maker(cache_dir), sources=[p.audio for p in pieces], previous=previous)


def bed_maker(cache_dir: Path) -> Callable[..., np.ndarray]:
    """sound.music.render_bed, with its results kept in `cache_dir`/BEDS_DIR: the bed depends
    only on the scenes' places and the music code, so an edit that keeps every scene's length
    (the timeline absorbs a changed line in its scene's pauses) reads it back instead of
    synthesising ten minutes of pad again."""
    from . import music

    code = code_digest(music.render_bed)  # music.py, score.py and the loudness it levels the bed by
    beds = Store(cache_dir / BEDS_DIR, keep=KEEP_BEDS)

    def make(chords, total: int, rate: int, seed: int) -> np.ndarray:
        # a folder entry, not a blob: np.load reads the checked file into the one array the mix
        # writes into (a ten-minute bed is 230 MB)
        key = digest([code, chords, total, rate, seed])
        found = beds.entry_dir(key)
        if found is not None:
            return np.load(found / BED_NAME)
        bed = music.render_bed(chords, total, rate, seed)
        with beds.making() as work:
            np.save(work / BED_NAME, bed)
            beds.put_files(key, work)
        beds.prune()
        return bed

    return make


class _Stems:
    """The narration (mono) and music (stereo) stems, written as 16-bit WAV while mixing. `kept`:
    the samples of the stems already in `folder` that stay (a mix made again from there on)."""

    def __init__(self, folder: Path, silent: bool, music: bool, wanted: bool = True, kept: int = 0):
        self.files = {}
        if not wanted:
            return
        if not silent:
            self.files["narration"] = self._open(folder / NARRATION_NAME, 1, kept)
        if music:
            self.files["music"] = self._open(folder / MUSIC_NAME, 2, kept)

    @staticmethod
    def _open(path: Path, channels: int, kept: int) -> wave.Wave_write:
        source = path.with_name(f".kept-{path.name}")  # the stem whose first `kept` samples stay
        if kept:
            os.replace(path, source)
        out = wave.open(str(path), "wb")  # noqa: SIM115 (open while mixing, closed by __exit__)
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(AUDIO_RATE)
        if kept:
            with wave.open(str(source), "rb") as kept_stem:
                out.writeframes(kept_stem.readframes(kept))
            source.unlink()
        return out

    def write(self, voice: np.ndarray, bed: np.ndarray | None) -> None:
        if "narration" in self.files:
            # the two channels' mean (as voice.mean(axis=1) gives it, bit for bit; seven times faster)
            self.files["narration"].writeframes(_pcm16((voice[:, 0] + voice[:, 1]) * np.float32(0.5)))
        if "music" in self.files and bed is not None:
            self.files["music"].writeframes(_pcm16(bed))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        for out in self.files.values():
            out.close()


def _pcm16(samples: np.ndarray) -> bytes:
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()


def _silent(pieces: list[ScenePiece]) -> bool:
    return all(p.audio is None for p in pieces)


def _scene_samples(piece: ScenePiece, fps: int) -> int:
    return piece.frames * AUDIO_RATE // fps


def _read_piece(piece: ScenePiece, fps: int) -> np.ndarray:
    samples = _scene_samples(piece, fps)
    if piece.audio is None:
        return np.zeros((samples, 2), np.float32)
    try:
        return _read_track(piece.audio, samples)
    except (av.error.FFmpegError, OSError) as e:
        raise RenderError(f"cannot read the narration track of {piece.scene_id} ({piece.audio}): {e}") from None


def _read_track(path: Path, samples: int) -> np.ndarray:
    """A track as float32 (samples, 2) at 48 kHz, padded with silence or trimmed to `samples`."""
    data = _read_narration_wav(path)
    if data is not None:
        return _fitted(data, samples)
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray())
    data = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    return _fitted(data.T, samples)


def _read_narration_wav(path: Path) -> np.ndarray | None:
    """A stereo 16-bit WAV at 48 kHz (every narration track: narration/mixing.py) as float32 (n, 2),
    read directly (five times faster than decoding and resampling it, the same samples); None for
    any other file (a mono one too: the resampler spreads it over two channels at its own level)."""
    if path.suffix.lower() != ".wav":
        return None
    try:
        samples, rate = read_wav(path, np.float32)
    except (wave.Error, EOFError, ValueError):
        return None  # (PyAV reads it, or says what is wrong with it)
    return samples if rate == AUDIO_RATE and samples.shape[1] == 2 else None


def _fitted(data: np.ndarray, samples: int) -> np.ndarray:
    """(n, 2) padded with silence or trimmed to `samples`, float32 and contiguous."""
    if len(data) < samples:
        data = np.pad(data, ((0, samples - len(data)), (0, 0)))
    return np.ascontiguousarray(data[:samples], dtype=np.float32)
