"""The soundtrack's AAC encode in segments, so that a change to one scene re-encodes only its part.

AAC codes sound in frames of AAC_FRAME samples; each packet is made from a window of two frames
(its own and the next) and the decoder overlaps it with the packet before. So the soundtrack is
cut on frame borders (the first border at or after each scene's start) and each segment has its
own encoder, fed PRE_ROLL samples before the segment (so that its psychoacoustic state has
settled as a whole encode's would) and POST_ROLL after it (the window of its last packet); only
the packets of the segment's own frames are kept. Packets of two encoders fed the same samples
then overlap as one encoder's do. Measured on two minutes of the video's mix cut at two scene
borders: at the junctions the spliced track differs from the source by -64 dB against -54 dB
for one whole encode; with no post-roll the junction was -32 dB (an audible click).

The samples pushed are the mix before its last stage (`shape`: the true-peak limiter), whose
output at a sample depends only on the input within `reach` samples of it. A segment's packets
are kept in the cache's store (core/store.py) under the hash of the encoder's settings, of the
code that shapes and encodes it (core/keys.py code_digest) and of every input sample that reaches
what its encoder is fed: a segment whose samples did not change is neither limited nor encoded
again.

The segments that must be encoded are independent of each other: given workers, each is
limited and encoded in a process of its own (threads would not help: PyAV's AAC encoder holds
the GIL), while the mix goes on; `finish` collects them in order. A cold ten-minute soundtrack
then takes the mix and its longest segment, not the sum of its eight encodes.
"""

from __future__ import annotations

import concurrent.futures
import math
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Self

import av
import numpy as np

from ..core.files import sweep_partials
from ..core.keys import code_digest, digest
from ..core.orphans import exit_with_parent
from ..core.store import Store
from ..media.probe import AAC_FRAME
from ..narration.loudness import LoudnessPart, combined_loudness, loudness_part, true_peak_envelope

PRE_ROLL = 8 * AAC_FRAME
POST_ROLL = AAC_FRAME
TRUE_PEAK_EDGE = 64  # samples of context each side of a segment for its true peak (the filter reaches 21)
KEEP_SEGMENTS = 160  # the cache keeps the most recently used few (a 10-minute video has about 38 of 20 s)


def segment_borders(scene_starts: Sequence[int], total: int, longest: int | None = None) -> list[int]:
    """0, the first frame border at or after each later scene's start, and `total`; with `longest`,
    also a border every `longest` samples (rounded down to frames) from each scene's border, so
    that an edit late in a scene re-encodes only the segments from the edit on (the borders of
    other scenes do not move with it)."""
    starts = sorted({-(-start // AAC_FRAME) * AAC_FRAME for start in scene_starts} | {0})
    borders = set(starts)
    if longest:
        step = max(1, longest // AAC_FRAME) * AAC_FRAME
        for start, end in zip(starts, [*starts[1:], total]):
            borders.update(range(start + step, end - AAC_FRAME, step))  # (no sliver of a segment at the end)
    return [border for border in sorted(borders) if border < total] + [total]


def _unshaped(samples: np.ndarray) -> np.ndarray:
    return samples


Packets = list[tuple[int, int, bytes]]  # (pts, duration, data)


@dataclass(frozen=True)
class _Segment:
    """What one segment's encode needs: everything a worker process is handed."""

    window: np.ndarray  # the input samples it depends on
    cut: tuple[int, int]  # its encoder's feed within the window: [a, b)
    skip: int  # how many fed samples come before the segment itself (its pre-roll)
    length: int  # the segment's own samples
    first: int  # where the feed starts in the soundtrack (for `check`)
    last: bool  # the soundtrack's last segment (it keeps the encoder's flushed packets)
    rate: int
    bit_rate: int
    options: dict
    shape: Callable[[np.ndarray], np.ndarray]
    store: Store  # where its packets are kept
    key: str


# An encoder that would start its own processes encodes this many segments in its thread first:
# an edit changes one to three of them (0.2-0.8 CPU-s each), and a new process spends about
# 2 CPU-s importing before it encodes anything, on cores the scenes are being drawn on.
IN_THREAD_FIRST = 3


class SegmentWorkers:
    """The processes segments are encoded in, started at the first segment that needs them and kept
    until `close`: the studio keeps one for all its edits, since a new process spends about a
    second importing NumPy, SciPy and PyAV before it encodes anything. Spawned, not forked: the
    mix runs in a thread, and forking a threaded process is unsafe."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def submit(self, *call) -> concurrent.futures.Future:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                                initializer=exit_with_parent)
        return self._pool.submit(*call)

    def processes(self) -> list[multiprocessing.Process]:
        # every worker the pool started, whenever it started it (3.14 has terminate_workers for this)
        return list(self._pool._processes.values()) if self._pool is not None else []

    def kill(self) -> None:
        """Stop at once: a segment being encoded is abandoned (the next submit starts new processes)."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        started = pool._processes  # (the dict its manager thread adds to; shutdown forgets it)
        pool.shutdown(wait=False, cancel_futures=True)
        # its manager thread may start one more while we look, so until none is left
        while processes := [p for p in list(started.values()) if p.is_alive()]:
            for process in processes:
                process.kill()
            for process in processes:
                process.join()

    def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=True)


class SegmentedEncoder:
    """Takes the mixed soundtrack in time order (`push`), encodes (or finds in `cache`) each
    segment as soon as all the samples its encoder needs have arrived, and writes the track
    (`finish`). Use it in a `with` block when `workers` are given: leaving it stops the processes
    it started (or, with workers kept by the caller, the segments it left unfinished)."""

    def __init__(self, borders: Sequence[int], cache: Path, rate: int, bit_rate: int, options: dict[str, str],
                 check: Callable[[int], None] = lambda position: None,
                 shape: Callable[[np.ndarray], np.ndarray] = _unshaped, reach: int = 0,
                 workers: int | SegmentWorkers = 1, in_thread: int = IN_THREAD_FIRST):
        """`check(position)` is called before each frame encoded here (and while waiting for
        the workers): it may raise to stop. `shape(window)`: the last stage of the mix, applied
        to a segment's samples with `reach` samples of context either side (fewer at the
        soundtrack's ends); with workers it must be picklable (a module's function, or a
        functools.partial of one). `workers`: how many processes to start for the segments (1:
        encode them in this thread), or processes the caller keeps (SegmentWorkers). `in_thread`:
        with processes to start, the first few segments are encoded in this thread, and the
        processes are started only for more (IN_THREAD_FIRST)."""
        self.borders, self.cache, self.check = list(borders), cache, check
        self.store = Store(cache, keep=KEEP_SEGMENTS)
        self.shape, self.reach = shape, reach
        self._own_workers = not isinstance(workers, SegmentWorkers)
        self.workers = workers if not self._own_workers else SegmentWorkers(workers) if workers > 1 else None
        self.in_thread = in_thread if self._own_workers else 0
        self.rate, self.bit_rate, self.options = rate, bit_rate, dict(options)
        self.total = self.borders[-1]
        self._held = np.zeros((0, 2), np.float32)
        self._held_from = 0  # the sample position of _held[0]
        self._next = 0  # the next segment to encode
        self._last = len(self.borders) - 1  # the first of those taken over at the end (`resume`)
        self._tail: list[tuple[int, Encoded]] = []  # those segments
        self._tail_keys: list[str] = []
        self._parts: list[tuple[int, Encoded | concurrent.futures.Future]] = []  # (start, its packets)
        self.keys: list[str] = []  # each part's key in the cache
        self.sound: TrackSound | None = None  # once finished: the whole track's true peak and loudness
        self.encoded: list[int] = []  # the segments encoded in this run
        self.reused: list[int] = []  # those found in the cache
        self.taken_over = 0  # the segments taken over from an earlier encoder (`resume`)
        self.cpu_s: dict[int, float] = {}  # the CPU seconds each encoded segment took (limit and encode)
        code = code_digest(shape, encode_segment)  # the last stage (the limiter and its ceiling), the encode
        self._settings = f"aac {rate} stereo {bit_rate} {sorted(self.options.items())} {av.__version__} " \
                         f"pre {PRE_ROLL} post {POST_ROLL} reach {reach} code {code}".encode()

    @property
    def received(self) -> int:
        return self._held_from + len(self._held)

    def push(self, samples: np.ndarray) -> None:
        self._held = np.concatenate([self._held, samples.astype(np.float32, copy=False)])
        while self._next < self._last and self.received >= self._window(self._next)[1]:
            self._segment(self._next)
            self._next += 1
            keep_from = self._window(self._next)[0] if self._next < len(self.borders) - 1 else self.received
            self._held = self._held[keep_from - self._held_from :]
            self._held_from = keep_from
        self._take_tail()

    def resume(self, earlier: SegmentedEncoder | FinishedSegments, sample: int,
               until: int | None = None) -> tuple[int, int]:
        """Take over the segments of `earlier` (a finished encoder with the same borders and
        settings) that depend on no sample from `sample` on: the mix is being made again from
        there (a scene's effects moved, an edit's narration), and its samples before it are those
        `earlier` was given. With `until`: those that depend on no sample before it too (the
        samples from `until` on are also those `earlier` was given: what changed ends before it).
        Returns the samples [first, end) to push: those the segments still to encode depend on."""
        if not self.can_resume(earlier):
            raise ValueError("only a new encoder of the same segments takes over a finished one's")
        segments = len(self.borders) - 1
        count = 0
        while count < len(earlier._parts) and self._window(count)[1] <= sample:
            count += 1
        last = segments
        if until is not None:
            while last > count and self._window(last - 1)[0] >= until:
                last -= 1
        self._parts = [(start, earlier._collected(part)) for start, part in earlier._parts[:count]]
        self._tail = [(start, earlier._collected(part)) for start, part in earlier._parts[last:]]
        self.keys, self._tail_keys = list(earlier.keys[:count]), list(earlier.keys[last:])
        self._last = last
        self.taken_over = count + segments - last
        self._next = count
        self._held_from = self._window(count)[0] if count < segments else self.total
        end = self._window(last - 1)[1] if last > count else self._held_from
        self._take_tail()  # (at once if no segment is left to encode)
        return self._held_from, end

    def can_resume(self, earlier: SegmentedEncoder | FinishedSegments) -> bool:
        """Whether this encoder, new, can take over `earlier`'s segments (the same borders and
        settings: the same layout of scenes, the same code; `earlier` finished)."""
        return (earlier.borders == self.borders and earlier._settings == self._settings and not self._parts
                and self._next == 0 and earlier.sound is not None)

    def _take_tail(self) -> None:
        """Once the segments before those taken over at the end are encoded: take them, and the
        track has all its samples."""
        if self._next == self._last < len(self.borders) - 1:
            self._parts += self._tail
            self.keys += self._tail_keys
            self._next, self._last, self._tail = len(self.borders) - 1, len(self.borders) - 1, []
            self._held, self._held_from = np.zeros((0, 2), np.float32), self.total

    def finish(self, path: Path) -> None:
        """Write the whole track into `path` (an MP4 audio file); every sample must have arrived."""
        if self.received != self.total or self._next != len(self.borders) - 1:
            raise ValueError(f"the soundtrack has {self.received} of {self.total} samples: cannot finish it")
        encoded = [(start, self._collected(part)) for start, part in self._parts]
        self._parts = list(encoded)  # (collected: a later encoder may take them over, `resume`)
        packets = [(start + pts, duration, data) for start, part in encoded for pts, duration, data in part.packets]
        self.sound = TrackSound(max(part.peak for _, part in encoded),
                                combined_loudness([part.loudness for _, part in encoded], self.total, self.rate))
        with av.open(str(path), mode="w", format="mp4") as output:
            # an encoder stream that never encodes: opening it gives the track the same codec
            # configuration and priming the segments' encoders had
            stream = output.add_stream("aac", rate=self.rate, layout="stereo", options=dict(self.options))
            stream.bit_rate = self.bit_rate
            time_base = Fraction(1, self.rate)
            for pts, duration, data in packets:
                packet = av.Packet(data)
                packet.pts = packet.dts = pts
                packet.duration = duration
                packet.time_base = time_base
                packet.stream = stream
                output.mux(packet)
        self.store.prune()

    def close(self) -> None:
        """Stop the worker processes this encoder started. A segment still being encoded (the render
        stopped) is abandoned: its process is killed and its unfinished file removed."""
        if self.workers is None:
            return
        unfinished = any(isinstance(part, concurrent.futures.Future) and not part.done() for _, part in self._parts)
        if unfinished:
            self.workers.kill()
            sweep_partials(self.cache)  # a render holds the build's lock: these were this encode's
        elif self._own_workers:
            self.workers.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _collected(self, part: Encoded | concurrent.futures.Future) -> Encoded:
        if not isinstance(part, concurrent.futures.Future):
            return part
        while True:
            self.check(self.total)
            try:
                index, encoded, cpu_s = part.result(timeout=0.2)
            except concurrent.futures.TimeoutError:
                continue
            self.cpu_s[index] = cpu_s
            return encoded

    def _feed(self, index: int) -> tuple[int, int]:
        """The samples segment `index`'s encoder is fed: [first, end)."""
        start, end = self.borders[index], self.borders[index + 1]
        return max(0, start - PRE_ROLL), min(self.total, end + POST_ROLL)

    def _window(self, index: int) -> tuple[int, int]:
        """The input samples segment `index` depends on: its feed and the shape's reach."""
        first, stop = self._feed(index)
        return max(0, first - self.reach), min(self.total, stop + self.reach)

    def _segment(self, index: int) -> None:
        start, end = self.borders[index], self.borders[index + 1]
        first, stop = self._feed(index)
        low, high = self._window(index)
        window = np.ascontiguousarray(self._held[low - self._held_from : high - self._held_from])
        key = digest(self._settings + f" {first - low} {start - first} {end - start} {stop - end} "
                     f"{high - stop} ".encode() + window.tobytes())
        self.keys.append(key)
        kept = self.store.get_object(key)
        if isinstance(kept, Encoded):
            self.reused.append(index)
            self._parts.append((start, kept))
            return
        job = _Segment(window, (first - low, stop - low), start - first, end - start, first,
                       index == len(self.borders) - 2, self.rate, self.bit_rate, self.options, self.shape,
                       self.store, key)
        self.encoded.append(index)
        if self.workers is not None and len(self.encoded) > self.in_thread:
            self._parts.append((start, self.workers.submit(make_segment, index, job)))
        else:
            _, encoded, self.cpu_s[index] = make_segment(index, job, self.check)
            self._parts.append((start, encoded))


class FinishedSegments:
    """A finished encoder's segments as `SegmentedEncoder.resume` takes them over, read back from
    the cache by their keys (sound/kept_mix.py keeps them with a mix's ground)."""

    def __init__(self, borders: list[int], settings: bytes, keys: list[str], parts: list[tuple[int, Encoded]],
                 sound: TrackSound):
        self.borders, self._settings, self.keys, self._parts, self.sound = borders, settings, keys, parts, sound

    @staticmethod
    def _collected(part: Encoded) -> Encoded:
        return part

    @staticmethod
    def record(encoder: SegmentedEncoder | FinishedSegments) -> dict:
        """What is kept of a finished encoder: its borders, settings, sound and parts' keys."""
        return {"borders": list(encoder.borders), "settings": encoder._settings, "keys": list(encoder.keys),
                "starts": [start for start, _ in encoder._parts], "sound": encoder.sound}

    @classmethod
    def recalled(cls, record: dict, cache: Path) -> FinishedSegments | None:
        """The segments of `record`, from the cache; None if one is no longer there."""
        store = Store(cache, keep=KEEP_SEGMENTS)
        parts = []
        for start, key in zip(record["starts"], record["keys"], strict=True):
            part = store.get_object(key)
            if not isinstance(part, Encoded):
                return None
            parts.append((start, part))
        if len(parts) != len(record["borders"]) - 1:
            return None
        return cls(list(record["borders"]), record["settings"], list(record["keys"]), parts, record["sound"])


@dataclass(frozen=True)
class Encoded:
    """A segment as kept: its packets, and what they sound like decoded (its true peak, linear;
    its part of the track's loudness), so the track is measured without decoding it again."""

    packets: Packets
    peak: float
    loudness: LoudnessPart


@dataclass(frozen=True)
class TrackSound:
    """The encoded track's true peak (linear) and integrated loudness (LUFS), from its segments:
    as a decoder hears them (each segment decoded after its encoder's pre-roll packets)."""

    peak: float
    lufs: float

    @property
    def peak_db(self) -> float:
        return 20.0 * math.log10(self.peak) if self.peak > 0 else float("-inf")


def make_segment(index: int, job: _Segment, check: Callable[[int], None] = lambda position: None
                 ) -> tuple[int, Encoded, float]:
    """Shape, encode, measure and keep one segment: (its index, it, the CPU seconds it took)."""
    cpu = time.thread_time()
    samples = np.ascontiguousarray(job.shape(job.window)[job.cut[0] : job.cut[1]], dtype=np.float32)
    fed: Packets = []
    extradata: list[bytes] = []
    packets = encode_segment(samples, job.skip, job.length, job.last, job.rate, job.bit_rate, job.options,
                             lambda position: check(job.first + position), fed, extradata)
    heard = decoded(fed, extradata[0], len(samples), job.rate)
    own = heard[job.skip : job.skip + job.length]
    edge = min(job.skip, TRUE_PEAK_EDGE)  # the true peak between the first sample and the one before it
    peak = float(true_peak_envelope(heard[job.skip - edge : job.skip + job.length + TRUE_PEAK_EDGE])[
        edge : edge + job.length].max(initial=0.0))
    encoded = Encoded(packets, peak, loudness_part(own, job.rate, job.first + job.skip, heard[: job.skip]))
    job.store.put_object(job.key, encoded)
    return index, encoded, time.thread_time() - cpu


def decoded(packets: Packets, extradata: bytes, length: int, rate: int) -> np.ndarray:
    """The samples [0, length) an AAC decoder gives for an encoder's packets (pts counted from the
    encoder's first sample; a decoded frame of pts p is the input's samples p to p + 1024)."""
    codec = av.CodecContext.create("aac", "r")
    codec.extradata = extradata
    out = np.zeros((length, 2), np.float32)

    def place(frames) -> None:
        for frame in frames:
            samples, at = frame.to_ndarray().T, frame.pts
            lo, hi = max(0, at), min(length, at + len(samples))
            if hi > lo:
                out[lo:hi] = samples[lo - at : hi - at]

    for pts, duration, data in packets:
        packet = av.Packet(data)
        packet.pts, packet.duration, packet.time_base = pts, duration, Fraction(1, rate)
        place(codec.decode(packet))
    place(codec.decode(None))
    return out


def encode_segment(samples: np.ndarray, skip: int, length: int, last: bool, rate: int, bit_rate: int,
                   options: dict, check: Callable[[int], None], fed: Packets | None = None,
                   extradata: list[bytes] | None = None) -> Packets:
    """The packets of samples[skip : skip + length], pts counted from samples[skip] (the very
    first segment keeps the encoder's priming packet, the last its flushed ones). `check` is
    called with each frame's position in `samples`. `fed`: gets every packet the encoder made,
    pts counted from samples[0]; `extradata`: gets the encoder's configuration (to decode them)."""
    codec = av.CodecContext.create("aac", "w")
    codec.sample_rate, codec.layout, codec.format = rate, "stereo", "fltp"
    codec.bit_rate, codec.time_base, codec.options = bit_rate, Fraction(1, rate), dict(options)
    codec.open()
    kept = []

    def keep(packets) -> None:
        for packet in packets:
            if fed is not None:
                fed.append((packet.pts, packet.duration, bytes(packet)))
            pts = packet.pts - skip
            if (pts >= 0 or skip == 0) and (pts < length or last):
                kept.append((pts, packet.duration, bytes(packet)))

    for position in range(0, len(samples), AAC_FRAME):
        check(position)
        keep(codec.encode(audio_frame(samples[position : position + AAC_FRAME], position, rate)))
    keep(codec.encode(None))
    if extradata is not None:
        extradata.append(bytes(codec.extradata or b""))
    return kept


def audio_frame(block: np.ndarray, position: int, rate: int) -> av.AudioFrame:
    """One frame of (samples, 2) float32 for the encoder."""
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout="stereo")
    frame.sample_rate, frame.pts, frame.time_base = rate, position, Fraction(1, rate)
    return frame
