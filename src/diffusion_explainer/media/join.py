"""Joining the scene videos and the soundtrack into the delivered file, with PyAV.

Video: every scene's H.264 packets are copied (never re-encoded), their timestamps moved by the
scene's first frame in the scene table, so each scene starts exactly on its frame.
Audio: the AAC soundtrack (soundtrack.py, encoded once for the whole video) is copied too.
Chapters: one per scene, as the MP4's chapter track (and Nero chapter list), so desktop players
list the scenes without the review page.
Subtitles: each language's captions as a soft (not burned-in) MP4 text track, mov_text (3GPP
Timed Text, the one subtitle codec MP4 players and YouTube's upload read), tagged with its ISO
639-2 language (`jpn`, `eng`); encoded by FFmpeg's mov_text encoder from ASS dialogue, and the gaps
between captions filled with empty samples by the MP4 muxer.
The MP4 is written with its index first (fast start).
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Sequence

import av

from ..core.errors import RenderError


@dataclass(frozen=True)
class ScenePiece:
    """One scene's part of the joined video: its video file and narration track."""

    scene_id: str
    video: Path  # the scene's rendered video (its own sound, if any, is ignored)
    start_frame: int  # in the joined video
    frames: int
    audio: Path | None  # the scene's narration track; None: silence


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str


@dataclass(frozen=True)
class SubtitleTrack:
    """One language's captions for the MP4's soft subtitle track."""

    language: str  # ISO 639-2, as MP4 tags it: jpn, eng
    name: str  # the track's name (its handler name, which players list): Japanese
    events: tuple[tuple[int, int, str], ...]  # (start ms, end ms, text with "\n" between rows), in time order


# The mov_text encoder takes its default style from an ASS header (FFmpeg's own default: white
# text on a transparent box, centred at the bottom); players draw the track in their own style.
ASS_HEADER = """[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, \
MarginV, Encoding
Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""
MS = Fraction(1, 1000)


def _ass_text(text: str) -> str:
    """Plain text as ASS dialogue text, which the mov_text encoder reads back as the same text: only
    `{\\` (override codes) and `\\n`, `\\N`, `\\h` mean something there, so a word joiner breaks them; a
    newline is `\\N`."""
    text = re.sub(r"\\(?=[nNh])", "\\\\\u2060", text).replace("{\\", "{\u2060\\")
    return text.replace("\r", "").replace("\n", "\\N")


def _add_subtitle_stream(output, track: SubtitleTrack):
    stream = output.add_stream("mov_text")
    stream.metadata["language"] = track.language
    stream.metadata["handler_name"] = track.name
    stream.codec_context.subtitle_header = ASS_HEADER.encode("utf-8")
    stream.time_base = stream.codec_context.time_base = MS
    return stream


def _subtitle_packets(stream, track: SubtitleTrack, order: int) -> Iterator[tuple[float, int, av.Packet]]:
    for start, end, text in track.events:
        packet = stream.codec_context.encode_subtitle(av.subtitles.subtitle.SubtitleSet.create(
            f"0,0,Default,,0,0,0,,{_ass_text(text)}".encode(), 0, end - start, start))
        packet.time_base, packet.stream = MS, stream
        yield start / 1000, order, packet


PACKETS_ONLY = {"skip_frame": "all"}  # a stream's decoder options when only its packets are read


def _video_packets(stream, pieces: list[ScenePiece], fps: int, extradata: bytes) -> Iterator[tuple[float, int, av.Packet]]:
    """The scenes' packets, copied, on one exact frame clock: each packet's time is put on the
    nearest frame of its scene (Manim's concat of partial movies leaves a few ticks of jitter at
    15 and 60 fps) and moved by the scene's first frame. Stream copy needs every piece encoded
    with the same parameters (the same SPS/PPS, `extradata`): each piece is checked as it is
    opened (once: opening a short movie file costs about 6 ms, and a chunk has dozens)."""
    frame = Fraction(1, fps)
    for piece in pieces:
        # (its packets are copied, never decoded: opening it decodes no frame to find its stream's
        # parameters, which took 12 of an opening's 15 ms at 1080p)
        with av.open(str(piece.video), stream_options=[PACKETS_ONLY]) as container:
            source = container.streams.video[0]
            if bytes(source.codec_context.extradata or b"") != extradata:
                raise RenderError(f"{piece.video} was encoded with other parameters than {pieces[0].video}, so they "
                                  f"cannot be joined without re-encoding; render again with --force")
            # a time in the piece's ticks is (ticks * num * fps / den) frames: integers, not Fractions
            # (a Fraction made and reduced for every packet costs a third of a 600 s join's time)
            scale, ticks = source.time_base.numerator * fps, source.time_base.denominator
            shown = set()
            for packet in container.demux(source):
                if packet.size == 0:  # the demuxer's flush packet
                    continue
                pts = _nearest(packet.pts * scale, ticks)
                dts = _nearest(packet.dts * scale, ticks)
                shown.add(pts)
                packet.pts, packet.dts = piece.start_frame + pts, piece.start_frame + dts
                packet.duration = 1
                packet.time_base = frame
                packet.stream = stream
                yield (piece.start_frame + dts) / fps, 0, packet
            if shown != set(range(piece.frames)):
                raise RenderError(f"{piece.video} has {len(shown)} frames, not {piece.frames} (or not one per frame "
                                  f"slot at {fps} fps); render it again with --force")


def _nearest(numerator: int, denominator: int) -> int:
    """round(numerator / denominator) exactly, halves to even (as round() of a Fraction)."""
    whole, rest = divmod(numerator, denominator)
    if 2 * rest > denominator or (2 * rest == denominator and whole % 2):
        whole += 1
    return whole


def _audio_packets(stream, soundtrack: Path) -> Iterator[tuple[float, int, av.Packet]]:
    with av.open(str(soundtrack)) as container:
        source = container.streams.audio[0]
        num, den = source.time_base.numerator, source.time_base.denominator
        for packet in container.demux(source):
            if packet.size == 0:
                continue
            packet.stream = stream
            yield packet.dts * num / den, 1, packet


def join(pieces: list[ScenePiece], fps: int, soundtrack: Path, out_path: Path, title: str = "",
         chapters: Sequence[Chapter] = (), subtitles: Sequence[SubtitleTrack] = ()) -> None:
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
            with av.open(str(soundtrack)) as sound:
                audio = output.add_stream_from_template(template=sound.streams.audio[0])
            texts = [(_add_subtitle_stream(output, track), track) for track in subtitles]
            if title:
                output.metadata["title"] = title
            output.set_chapters([{"id": i, "start": c.start_ms, "end": c.end_ms, "time_base": Fraction(1, 1000),
                                  "metadata": {"title": c.title}} for i, c in enumerate(chapters, start=1)])
            # Interleave by time, so a player reading the file in order finds sound and picture together.
            merged = heapq.merge(_video_packets(video, pieces, fps, extradata), _audio_packets(audio, soundtrack),
                                 *(_subtitle_packets(stream, track, 2 + i) for i, (stream, track) in enumerate(texts)),
                                 key=lambda item: (item[0], item[1]))
            try:
                for _, _, packet in merged:
                    output.mux(packet)
            except av.error.FFmpegError as e:
                raise RenderError(f"joining the scenes failed while writing {out_path}: {e}") from None
        finally:
            output.close()


def concat_video(pieces: list[ScenePiece], fps: int, out_path: Path) -> Path:
    """Join videos (picture only) by stream copy, each piece at its start frame: a chunk from the
    movie files of its calls, or a scene from its chunks."""
    if not pieces:
        raise RenderError(f"nothing to join into {out_path}")
    with av.open(str(pieces[0].video)) as first:
        template = first.streams.video[0]
        extradata = bytes(template.codec_context.extradata or b"")
        output = av.open(str(out_path), mode="w", format="mp4")
        try:
            video = output.add_stream_from_template(template=template)
            video.time_base = template.time_base
            for _, _, packet in _video_packets(video, pieces, fps, extradata):
                output.mux(packet)
        except av.error.FFmpegError as e:
            raise RenderError(f"joining {len(pieces)} videos into {out_path} failed: {e}") from None
        finally:
            output.close()
    return out_path
