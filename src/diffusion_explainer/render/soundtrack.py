"""The video's soundtrack: one AAC track of exactly the video's length, encoded once.

It is built from the scenes' narration tracks, each padded with silence or trimmed to exactly
its scene's length in samples: copy-joining per-scene audio would drop each scene's silent tail
and pull every later line early (about 1 s of drift was measured that way). A silent render gets a
silent track of the same length, so the delivered file has the same shape either way.
The encoded track is kept under a name made from what it was made of, so joining again after
a change to the pictures only copies it.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from ..errors import RenderError
from .atomic import atomic_path
from .probe import AAC_FRAME, AUDIO_RATE

AUDIO_BITRATE = 192_000
# ffmpeg's own AAC encoder: its "fast" coder is about twice as fast as the default "twoloop"
# and at 192 kb/s for speech the difference is not audible.
AAC_OPTIONS = {"aac_coder": "fast"}
KEEP_SOUNDTRACKS = 3  # the cache keeps the most recent few


@dataclass(frozen=True)
class ScenePiece:
    scene_id: str
    video: Path  # the scene's rendered video (its own sound, if any, is ignored)
    start_frame: int  # in the joined video
    frames: int
    audio: Path | None  # the scene's narration track; None: silence


def file_digest(path: Path | None) -> str:
    if path is None:
        return "silence"
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def soundtrack_key(pieces: list[ScenePiece], fps: int) -> str:
    parts = [f"{p.scene_id}:{_scene_samples(p, fps)}:{file_digest(p.audio)}" for p in pieces]
    parts.append(f"aac {AUDIO_BITRATE} {sorted(AAC_OPTIONS.items())}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


class Stopped(Exception):
    """The encode was asked to stop (the render was interrupted or failed)."""


def soundtrack(pieces: list[ScenePiece], fps: int, cache_dir: Path, stop: threading.Event | None = None) -> Path:
    """The encoded soundtrack for these scenes, from the cache or encoded now (an encode that is
    stopped leaves nothing behind)."""
    path = cache_dir / f"soundtrack-{soundtrack_key(pieces, fps)}.m4a"
    if not path.exists():
        with atomic_path(path) as tmp:
            encode(pieces, fps, tmp, stop)
        for old in sorted(cache_dir.glob("soundtrack-*.m4a"), key=lambda p: p.stat().st_mtime)[:-KEEP_SOUNDTRACKS]:
            old.unlink(missing_ok=True)
    return path


def encode(pieces: list[ScenePiece], fps: int, out_path: Path, stop: threading.Event | None = None) -> None:
    with av.open(str(out_path), mode="w", format="mp4") as output:
        stream = output.add_stream("aac", rate=AUDIO_RATE, layout="stereo", options=dict(AAC_OPTIONS))
        stream.bit_rate = AUDIO_BITRATE
        position = 0
        for block in _frames_of(AAC_FRAME, _audio_blocks(pieces, fps)):
            if stop is not None and stop.is_set():
                raise Stopped(f"soundtrack encode stopped at {position / AUDIO_RATE:.1f} s")
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, position, Fraction(1, AUDIO_RATE)
            position += block.shape[1]
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))


def _scene_samples(piece: ScenePiece, fps: int) -> int:
    return piece.frames * AUDIO_RATE // fps


def _read_track(path: Path, samples: int) -> np.ndarray:
    """A track as float32 (2, samples) at 48 kHz, padded with silence or trimmed to `samples`."""
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray())
    data = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    if data.shape[1] < samples:
        data = np.pad(data, ((0, 0), (0, samples - data.shape[1])))
    return np.ascontiguousarray(data[:, :samples], dtype=np.float32)


def _audio_blocks(pieces: list[ScenePiece], fps: int) -> Iterator[np.ndarray]:
    for piece in pieces:
        samples = _scene_samples(piece, fps)
        if piece.audio is None:
            yield np.zeros((2, samples), np.float32)
        else:
            try:
                yield _read_track(piece.audio, samples)
            except (av.error.FFmpegError, OSError) as e:
                raise RenderError(f"cannot read the narration track of {piece.scene_id} ({piece.audio}): {e}") from None


def _frames_of(size: int, blocks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """Blocks of exactly `size` samples across the scenes' borders (the last may be shorter)."""
    pending = np.zeros((2, 0), np.float32)
    for block in blocks:
        pending = np.concatenate([pending, block], axis=1)
        usable = pending.shape[1] - pending.shape[1] % size
        for i in range(0, usable, size):
            yield np.ascontiguousarray(pending[:, i : i + size])
        pending = pending[:, usable:]
    if pending.shape[1]:
        yield np.ascontiguousarray(pending)
