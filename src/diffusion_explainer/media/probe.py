"""Reading a rendered file back (PyAV) and checking it against what was asked for.

`probe` counts the video's frames by demuxing every packet (nothing is decoded, so it is fast
even at 1080p60), reads the codec parameters and stream start times, and walks the MP4's
top-level boxes to see whether the index (moov) comes before the media (mdat): YouTube and
browsers can start playing a "fast start" file before it has fully arrived. The soft subtitle
tracks (mov_text) are read too: their language tags and how many captions each carries.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

AUDIO_RATE = 48000
AAC_FRAME = 1024  # samples per AAC-LC frame: the tolerance on the audio's length


@dataclass(frozen=True)
class SubtitleFacts:
    """One soft subtitle track of the file."""

    language: str  # its tag: jpn, eng ("" if none)
    codec: str  # mov_text
    events: int  # captions: samples with text (the muxer fills the gaps between them with empty ones)
    end_s: float  # where its last caption ends


@dataclass(frozen=True)
class VideoFacts:
    path: Path
    frames: int  # video packets demuxed = frames
    width: int
    height: int
    fps: Fraction  # the stream's frame rate (its r_frame_rate)
    on_frame_grid: bool  # every frame's time is a whole number of frames
    codec: str
    profile: str | None
    pix_fmt: str | None
    video_start_s: float
    video_duration_s: float
    extradata: bytes
    audio_codec: str | None = None
    audio_profile: str | None = None
    audio_rate: int = 0
    audio_channels: int = 0
    audio_start_s: float = 0.0
    audio_duration_s: float = 0.0
    container_duration_s: float = 0.0
    top_level_boxes: tuple[str, ...] = ()
    subtitles: tuple[SubtitleFacts, ...] = ()

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def fast_start(self) -> bool:
        boxes = self.top_level_boxes
        return "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")


def top_level_boxes(path: Path) -> tuple[str, ...]:
    """The MP4's top-level box types in file order (ftyp, moov, mdat, ...)."""
    boxes = []
    size_total = path.stat().st_size
    with open(path, "rb") as f:
        offset = 0
        while offset + 8 <= size_total:
            f.seek(offset)
            size, kind = struct.unpack(">I4s", f.read(8))
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0]
            elif size == 0:
                size = size_total - offset
            if size < 8:
                break
            boxes.append(kind.decode("latin-1"))
            offset += size
    return tuple(boxes)


def _seconds(value, time_base) -> float:
    return float(value * time_base) if value is not None and time_base is not None else 0.0


_PROBED: dict[tuple, VideoFacts] = {}  # by file identity: the join's check, then the review page's numbers


def probe(path: Path) -> VideoFacts:
    """The file's facts; a file probed before and unchanged since (the same inode, size and
    modification time: renaming keeps them) is not read again."""
    path = Path(path)
    stat = path.stat()
    identity = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if identity in _PROBED:
        return dataclasses.replace(_PROBED[identity], path=path)
    facts = _probe(path)
    _PROBED.clear()  # one is enough: the file just joined
    _PROBED[identity] = facts
    return facts


def _probe(path: Path) -> VideoFacts:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        ctx = video.codec_context
        rate = Fraction(video.base_rate or video.guessed_rate or 0)
        frames, on_grid = 0, True
        # a packet is on the frame grid if pts * time_base * rate is whole: in integers
        scale = video.time_base.numerator * rate.numerator if video.time_base else 0
        grid = video.time_base.denominator * rate.denominator if video.time_base else 1
        texts = {s.index: [0, 0.0] for s in container.streams.subtitles}  # captions, last end (s)
        for packet in container.demux(video, *container.streams.subtitles):
            if packet.stream.type == "subtitle":
                if packet.size > 2:  # a mov_text sample: 2 bytes of text length, then the text
                    texts[packet.stream.index][0] += 1
                    texts[packet.stream.index][1] = _seconds(packet.pts + (packet.duration or 0), packet.time_base)
            elif packet.size > 0:
                frames += 1
                on_grid = on_grid and rate > 0 and (packet.pts * scale) % grid == 0
        facts = dict(
            path=path, frames=frames, width=ctx.width, height=ctx.height, fps=rate, on_frame_grid=on_grid,
            codec=ctx.name, profile=ctx.profile, pix_fmt=ctx.pix_fmt,
            video_start_s=_seconds(video.start_time, video.time_base),
            video_duration_s=_seconds(video.duration, video.time_base),
            extradata=bytes(ctx.extradata or b""),
            container_duration_s=container.duration / 1_000_000 if container.duration else 0.0,
            subtitles=tuple(SubtitleFacts(s.metadata.get("language", ""), s.codec_context.name, *texts[s.index])
                            for s in container.streams.subtitles),
        )
        if container.streams.audio:
            audio = container.streams.audio[0]
            actx = audio.codec_context
            facts.update(
                audio_codec=actx.name, audio_profile=actx.profile, audio_rate=actx.sample_rate,
                audio_channels=actx.channels if hasattr(actx, "channels") else actx.layout.nb_channels,
                audio_start_s=_seconds(audio.start_time, audio.time_base),
                audio_duration_s=_seconds(audio.duration, audio.time_base),
            )
    return VideoFacts(top_level_boxes=top_level_boxes(path), **facts)


def _video_problems(facts: VideoFacts, width: int, height: int, fps: int, frames: int) -> list[str]:
    problems = []
    if facts.frames != frames:
        problems.append(f"{facts.frames} video frames instead of {frames} ({frames / fps:g} s at {fps} fps)")
    if (facts.width, facts.height) != (width, height):
        problems.append(f"{facts.width}x{facts.height} instead of {width}x{height}")
    if facts.fps != fps:
        problems.append(f"{float(facts.fps):g} fps instead of {fps}")
    if facts.codec != "h264" or facts.profile != "High":
        problems.append(f"video codec {facts.codec} ({facts.profile}) instead of H.264 High")
    if facts.pix_fmt != "yuv420p":
        problems.append(f"pixel format {facts.pix_fmt} instead of yuv420p")
    if abs(facts.video_start_s) > 1e-9:
        problems.append(f"the video stream starts at {facts.video_start_s:.6f} s, not 0")
    if abs(facts.video_duration_s - frames / fps) > 0.5 / fps:
        problems.append(f"the video stream lasts {facts.video_duration_s:.4f} s, not {frames / fps:g} s")
    return problems


def scene_problems(facts: VideoFacts, width: int, height: int, fps: int, frames: int) -> list[str]:
    """What is wrong with one scene's video (its sound, if any, is not used)."""
    return _video_problems(facts, width, height, fps, frames)


def video_problems(facts: VideoFacts, width: int, height: int, fps: int, duration_s: int,
                   subtitles: Mapping[str, int] | None = None) -> list[str]:
    """What is wrong with the joined video, against issue 6's delivery spec. `subtitles`: the soft
    subtitle tracks it must carry, language -> captions (None: any, each tagged and inside the video)."""
    problems = _video_problems(facts, width, height, fps, duration_s * fps)
    problems += _subtitle_problems(facts, duration_s, subtitles)
    if not facts.on_frame_grid:
        problems.append(f"frame times are not all whole frames at {fps} fps")
    tolerance = AAC_FRAME / AUDIO_RATE
    if not facts.has_audio:
        problems.append("there is no audio stream")
    else:
        if facts.audio_codec != "aac" or facts.audio_profile != "LC":
            problems.append(f"audio codec {facts.audio_codec} ({facts.audio_profile}) instead of AAC-LC")
        if facts.audio_rate != AUDIO_RATE:
            problems.append(f"audio at {facts.audio_rate} Hz instead of {AUDIO_RATE}")
        if facts.audio_channels != 2:
            problems.append(f"{facts.audio_channels} audio channels instead of 2 (stereo)")
        if abs(facts.audio_start_s) > 1e-9:
            problems.append(f"the audio stream starts at {facts.audio_start_s:.6f} s, not 0")
        if abs(facts.audio_duration_s - duration_s) > tolerance:
            problems.append(f"the audio lasts {facts.audio_duration_s:.4f} s, not {duration_s} s "
                            f"(within one AAC frame, {tolerance * 1000:.1f} ms)")
    if abs(facts.container_duration_s - duration_s) > tolerance:
        problems.append(f"the file lasts {facts.container_duration_s:.4f} s, not {duration_s} s")
    if not facts.fast_start:
        problems.append(f"the index (moov) is not before the media (mdat): boxes {' '.join(facts.top_level_boxes)}")
    return problems


def _subtitle_problems(facts: VideoFacts, duration_s: int, expected: Mapping[str, int] | None) -> list[str]:
    problems = []
    for track in facts.subtitles:
        if track.codec != "mov_text" or not track.language:
            problems.append(f"a subtitle track is {track.codec} tagged '{track.language}', not mov_text with a language")
        if track.end_s > duration_s + 1e-3:
            problems.append(f"the {track.language} subtitles end at {track.end_s:.3f} s, after the video ({duration_s} s)")
    found = {t.language: t.events for t in facts.subtitles}
    if expected is not None and found != dict(expected):
        problems.append("subtitle tracks " + (", ".join(f"{k} ({v} captions)" for k, v in found.items()) or "none")
                        + " instead of " + (", ".join(f"{k} ({v} captions)" for k, v in expected.items()) or "none"))
    return problems
