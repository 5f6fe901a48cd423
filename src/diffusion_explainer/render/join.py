"""Joining the scene videos and the narration into the delivered file, with PyAV.

Video: every scene's H.264 packets are copied (never re-encoded), their timestamps moved by the
scene's first frame in the scene table, so each scene starts exactly on its frame.
Audio: one 600 s track is built from the scenes' narration tracks, each padded or trimmed to
exactly its scene's length in samples (a copy-join of per-scene audio would drop each scene's
silent tail and pull every later line early, see NOTES "Joining scenes and audio"), and encoded
to AAC once. A silent render gets a silent track of the same length, so the file's shape is
the same either way. The MP4 is written with its index first (fast start).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from ..errors import RenderError
from .probe import AAC_FRAME, AUDIO_RATE

AUDIO_BITRATE = 192_000


@dataclass(frozen=True)
class ScenePiece:
    scene_id: str
    video: Path  # the scene's rendered video (its own sound, if any, is ignored)
    start_frame: int  # in the joined video
    frames: int
    audio: Path | None  # the scene's narration track; None: silence


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


def _audio_packets(stream, pieces: list[ScenePiece], fps: int) -> Iterator[tuple[float, int, av.Packet]]:
    """AAC packets of the whole track, in frames of exactly 1024 samples across scene borders."""
    pending = np.zeros((2, 0), np.float32)
    position = 0

    def encode(block: np.ndarray):
        nonlocal position
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = position
        frame.time_base = Fraction(1, AUDIO_RATE)
        position += block.shape[1]
        return stream.encode(frame)

    for block in _audio_blocks(pieces, fps):
        pending = np.concatenate([pending, block], axis=1)
        usable = pending.shape[1] - pending.shape[1] % AAC_FRAME
        for i in range(0, usable, AAC_FRAME):
            for packet in encode(np.ascontiguousarray(pending[:, i : i + AAC_FRAME])):
                yield float(packet.pts * packet.time_base), 1, packet
        pending = pending[:, usable:]
    if pending.shape[1]:
        for packet in encode(np.ascontiguousarray(pending)):
            yield float(packet.pts * packet.time_base), 1, packet
    for packet in stream.encode(None):
        yield float(packet.pts * packet.time_base), 1, packet


def _video_packets(stream, pieces: list[ScenePiece], fps: int) -> Iterator[tuple[float, int, av.Packet]]:
    """The scenes' packets, copied, on one exact frame clock: each packet's time is put on the
    nearest frame of its scene (Manim's concat of partial movies leaves a few ticks of jitter at
    15 and 60 fps) and moved by the scene's first frame."""
    frame = Fraction(1, fps)
    for piece in pieces:
        with av.open(str(piece.video)) as container:
            source = container.streams.video[0]
            shown = set()
            for packet in container.demux(source):
                if packet.size == 0:  # the demuxer's flush packet
                    continue
                pts = round(packet.pts * source.time_base / frame)
                dts = round(packet.dts * source.time_base / frame)
                shown.add(pts)
                packet.pts, packet.dts = piece.start_frame + pts, piece.start_frame + dts
                packet.duration = 1
                packet.time_base = frame
                packet.stream = stream
                yield float((piece.start_frame + dts) * frame), 0, packet
            if shown != set(range(piece.frames)):
                raise RenderError(f"{piece.video} has {len(shown)} frames, not {piece.frames} (or not one per frame "
                                  f"slot at {fps} fps); render it again with --force")


def join(pieces: list[ScenePiece], fps: int, out_path: Path, title: str = "") -> None:
    """Write the joined video to `out_path` (a temporary name: the caller checks and renames it)."""
    if not pieces:
        raise RenderError("nothing to join: no scenes")
    with av.open(str(pieces[0].video)) as first:
        template = first.streams.video[0]
        extradata = bytes(template.codec_context.extradata or b"")
        output = av.open(str(out_path), mode="w", format="mp4", options={"movflags": "+faststart"})
        try:
            video = output.add_stream_from_template(template=template)
            video.time_base = template.time_base
            _check_same_encoding(pieces, extradata)
            audio = output.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
            audio.bit_rate = AUDIO_BITRATE
            audio.time_base = Fraction(1, AUDIO_RATE)
            if title:
                output.metadata["title"] = title
            # Interleave by time, so a player reading the file in order finds sound and picture together.
            merged = heapq.merge(_video_packets(video, pieces, fps), _audio_packets(audio, pieces, fps),
                                 key=lambda item: (item[0], item[1]))
            try:
                for _, _, packet in merged:
                    output.mux(packet)
            except av.error.FFmpegError as e:
                raise RenderError(f"joining the scenes failed while writing {out_path}: {e}") from None
        finally:
            output.close()


def _check_same_encoding(pieces: list[ScenePiece], extradata: bytes) -> None:
    """Stream copy needs every scene encoded with the same parameters (same SPS/PPS)."""
    for piece in pieces[1:]:
        with av.open(str(piece.video)) as container:
            other = bytes(container.streams.video[0].codec_context.extradata or b"")
        if other != extradata:
            raise RenderError(f"{piece.video} was encoded with other parameters than {pieces[0].video}, so they "
                              f"cannot be joined without re-encoding; render again with --force")
