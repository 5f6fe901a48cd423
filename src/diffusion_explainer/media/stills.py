"""Still pictures from the rendered scenes: the thumbnail and the contact sheet.

Frames are taken from the scene videos (the joined video's pictures are the same packets): each
is found by seeking to the keyframe before it and decoding forward to its exact frame number.
- thumbnail: 1280x720, composed from the title scene's last frame before its first subtitle
  appears (the title card, fully built; a scene that opens on a line gives the middle of its
  first cue instead): the stage above the subtitle band, cropped to what is drawn on it and
  enlarged to fill the picture, so no empty band runs across the bottom;
- contact sheet: every cue's settled picture, labelled scene id / cue id and its time in the
  video, to review the whole video at a glance (the review page's cue strip shows the same tiles).
  The cue stills are tiles TILE_WIDTH wide, kept per scene (`cache`) under the scene video's
  identity: after an edit only the re-rendered scene's frames are decoded again.

A cue's settled picture (`settled_frames`) is read from the scene video's packets, without decoding
them all: every Manim call starts on a keyframe, and a frame that repeats the one before is a
packet of a few dozen bytes (a held frame, scene/held_frames.py; x264's own for an unchanged
picture is as small), while any frame that moves is hundreds of bytes or more. A call whose every
frame after its keyframe is such a repeat holds a still picture; a run of them at least
MIN_HOLD_S long is a picture the viewer was given time to read. Of those the cue holds, only the
keyframes are decoded: the still is the latest whose stage (above the subtitle band) has at least
FULL_SHARE of the most ink any of them has: the full picture before the cue's closing fade, not an
empty stage after it nor a half-built one (a cue that never holds gets its middle frame).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

from ..core import style
from ..core.files import atomic_path, write_text
from ..core.style import FRAME_HEIGHT
from ..screenplay import format_clock
from ..timing.timeline import SceneTimeline
from ..timing.video_plan import VideoPlan

THUMBNAIL_SIZE = (1280, 720)
TILE_WIDTH = 384
COLUMNS = 5
LABEL_HEIGHT = 44
MARGIN = 12
MIN_TITLE_LEAD_FRAMES_S = 1.0  # the title card must have had this long before the first subtitle
THUMBNAIL_FILL = 0.92  # the drawn content fills this share of the thumbnail's width or height
INK_THRESHOLD = 24  # a pixel this far (0-255, any channel) from the background is drawn content
REPEAT_PACKET_BYTES = 64  # a frame that repeats the last: 23 bytes at 480p; a moving one: 500 or more
MIN_HOLD_S = 0.3
FULL_SHARE = 0.85


class Stopped(Exception):
    """The stills were no longer wanted (the render put back an earlier render's)."""


def read_frames(video: Path, frame_numbers: list[int], fps: int, stop: threading.Event | None = None) -> dict[int, Image.Image]:
    """The given frames of a video as RGB images (Stopped if `stop` is set meanwhile)."""
    out: dict[int, Image.Image] = {}
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for number in sorted(set(frame_numbers)):
            if stop is not None and stop.is_set():
                raise Stopped(f"stopped reading {video}")
            target = Fraction(number, fps) / stream.time_base
            container.seek(int(target), stream=stream, backward=True, any_frame=False)
            for frame in container.decode(stream):
                if frame.pts is not None and frame.pts >= target - Fraction(1, 2 * fps) / stream.time_base:
                    out[number] = frame.to_image()
                    break
            if number not in out:
                raise ValueError(f"{video} has no frame {number}")
    return out


def thumbnail_frame(timeline: SceneTimeline) -> int:
    first_page = min((p.span.start for t in timeline.lines for p in t.pages), default=timeline.total_frames)
    if first_page >= MIN_TITLE_LEAD_FRAMES_S * timeline.fps:
        return first_page - 1
    first_cue = timeline.cues[0].span if timeline.cues else None
    return (first_cue.start + first_cue.end) // 2 if first_cue else timeline.total_frames // 2


def thumbnail(plan: VideoPlan, scene_videos: dict[str, Path], stop: threading.Event | None = None) -> Image.Image:
    title = plan.scenes[0]
    number = thumbnail_frame(title.timeline)
    frame = read_frames(scene_videos[title.scene.id], [number], plan.fps, stop)[number]
    band_share = title.fitter.layout.band_height / FRAME_HEIGHT
    return compose_thumbnail(frame, band_share, plan.screenplay.style.background)


def compose_thumbnail(frame: Image.Image, band_share: float, background: str,
                      size: tuple[int, int] = THUMBNAIL_SIZE) -> Image.Image:
    """The frame's stage without the subtitle band (its bottom `band_share` of the height),
    cropped to what is drawn on it and centred, as large as fits, on the background colour."""
    stage = frame.convert("RGB").crop((0, 0, frame.width, round(frame.height * (1 - band_share))))
    canvas = Image.new("RGB", size, background)
    box = _drawn_box(stage, background)
    if box is None:  # nothing drawn: an honest empty card rather than an error
        return canvas
    margin = round(0.02 * stage.height)
    left, top, right, bottom = box
    content = stage.crop((max(0, left - margin), max(0, top - margin),
                          min(stage.width, right + margin), min(stage.height, bottom + margin)))
    scale = min(size[0] * THUMBNAIL_FILL / content.width, size[1] * THUMBNAIL_FILL / content.height)
    content = content.resize((round(content.width * scale), round(content.height * scale)), Image.LANCZOS)
    canvas.paste(content, ((size[0] - content.width) // 2, (size[1] - content.height) // 2))
    return canvas


def _drawn_box(image: Image.Image, background: str) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the pixels that differ from the background colour."""
    rgb = np.asarray(image, dtype=np.int16)
    ink = np.abs(rgb - np.array(ImageColor.getrgb(background), dtype=np.int16)).max(axis=2) > INK_THRESHOLD
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1


def _label_font(size: int) -> ImageFont.ImageFont:
    from ..core.fonts import font_file

    try:
        path, index = font_file(style.MONO)
        return ImageFont.truetype(path, size=size, index=index)
    except Exception:  # a label font is a nicety: fall back to Pillow's own
        return ImageFont.load_default()


@dataclass(frozen=True)
class CueStill:
    scene_id: str
    cue_id: str
    frame: int  # in the joined video
    image: Image.Image


def cue_stills(plan: VideoPlan, scene_videos: dict[str, Path], cache: Path | None = None,
               stop: threading.Event | None = None) -> list[CueStill]:
    """Every cue's settled picture as a tile TILE_WIDTH wide (the contact sheet's tiles, the
    review page's cue strip). `cache`: a folder where each scene's tiles are kept. `stop`: set,
    the frames are no longer read (Stopped)."""
    tiles = []
    size = (TILE_WIDTH, tile_height(plan))
    for scene_plan in plan.scenes:
        cues = scene_plan.timeline.cues
        video = scene_videos[scene_plan.scene.id]
        band_share = scene_plan.fitter.layout.band_height / FRAME_HEIGHT
        frames = _kept_settled_frames(video, [(c.span.start, c.span.end) for c in cues], plan.fps, band_share,
                                      plan.screenplay.style.background,
                                      None if cache is None else cache / f"{scene_plan.scene.id}.settled.json", stop)
        images = _scene_tiles(video, frames, plan.fps, size,
                              None if cache is None else cache / f"{scene_plan.scene.id}.npz", stop)
        start = plan.start_frame(scene_plan.scene.id)
        for cue, frame, image in zip(cues, frames, images):
            tiles.append(CueStill(scene_plan.scene.id, cue.cue.id, start + frame, image))
    return tiles


def held_pictures(video: Path, fps: int) -> list[tuple[int, int]]:
    """(first frame, frames) of each run of calls that hold a still picture at least MIN_HOLD_S
    long, from the packets alone; the run's last call's keyframe is its picture."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        packets = sorted((round(packet.pts * stream.time_base * fps), packet.is_keyframe, packet.size)
                         for packet in container.demux(stream) if packet.size and packet.pts is not None)
    calls: list[list] = []  # [first frame, frames, still]
    for frame, key, size in packets:
        if key or not calls:
            calls.append([frame, 1, True])
        else:
            calls[-1][1] += 1
            calls[-1][2] &= size <= REPEAT_PACKET_BYTES
    runs: list[tuple[int, int, int]] = []  # (first frame, frames, the last call's keyframe)
    for first, frames, still in calls:
        if not still:
            continue
        if runs and runs[-1][0] + runs[-1][1] == first:
            runs[-1] = (runs[-1][0], runs[-1][1] + frames, first)
        else:
            runs.append((first, frames, first))
    return [(last, first + frames - last) for first, frames, last in runs if frames >= MIN_HOLD_S * fps]


def settled_frames(video: Path, cues: list[tuple[int, int]], fps: int, band_share: float, background: str,
                   stop: threading.Event | None = None) -> list[int]:
    """For each cue [start, end) of the scene, the frame of its settled picture (see the module's
    docstring); its middle frame if it never holds one."""
    held = held_pictures(video, fps)
    wanted = [[frame for frame, _ in held if start <= frame < end] for start, end in cues]
    pictures = read_frames(video, sorted({f for frames in wanted for f in frames}), fps, stop)
    out = []
    for (start, end), frames in zip(cues, wanted):
        ink = {f: _stage_ink(pictures[f], band_share, background) for f in frames}
        full = [f for f in frames if ink[f] >= FULL_SHARE * max(ink.values())] if frames else []
        out.append(full[-1] if full and max(ink.values()) > 0 else (start + end) // 2)
    return out


def _file_stamp(video: Path) -> str:
    """What the kept stills of a scene video are kept for: its name, size and modification time (a
    re-rendered scene is a new file)."""
    stat = video.stat()
    return f"{video.name} {stat.st_size} {stat.st_mtime_ns}"


def _kept_settled_frames(video: Path, cues: list[tuple[int, int]], fps: int, band_share: float, background: str,
                         kept: Path | None, stop: threading.Event | None = None) -> list[int]:
    """settled_frames, read back from `kept` when it was found for the same file (its size and
    modification time) and cues: an edit's render decodes only the scenes it drew again."""
    key = f"{_file_stamp(video)} {cues} {fps} {band_share!r} {background}"
    if kept is not None:
        try:
            stored = json.loads(kept.read_text(encoding="utf-8"))
            if stored["key"] == key and all(isinstance(f, int) for f in stored["frames"]):
                return list(stored["frames"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    frames = settled_frames(video, cues, fps, band_share, background, stop)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_text(kept, json.dumps({"key": key, "frames": frames}))
    return frames


def _stage_ink(image: Image.Image, band_share: float, background: str) -> float:
    """The share of the stage's pixels (above the subtitle band) that are drawn content."""
    small = image.convert("RGB").resize((image.width // 4 or 1, image.height // 4 or 1))
    stage = np.asarray(small, dtype=np.int16)[: round(small.height * (1 - band_share))]
    ink = np.abs(stage - np.array(ImageColor.getrgb(background), dtype=np.int16)).max(axis=2) > INK_THRESHOLD
    return float(ink.mean())


def tile_height(plan: VideoPlan) -> int:
    return round(TILE_WIDTH * plan.settings.height / plan.settings.width)


def _scene_tiles(video: Path, frames: list[int], fps: int, size: tuple[int, int], kept: Path | None,
                 stop: threading.Event | None = None) -> list[Image.Image]:
    """The frames of one scene video as tiles, read back from `kept` when it holds the same
    frames of the same file (its size and modification time: a re-rendered scene is a new file)."""
    key = f"{_file_stamp(video)} {frames} {size} {fps}"
    if kept is not None:
        try:
            with np.load(kept) as stored:
                if str(stored["key"]) == key:
                    return [Image.fromarray(tile) for tile in stored["tiles"]]
        except (OSError, ValueError, KeyError, EOFError):
            pass
    decoded = read_frames(video, frames, fps, stop)
    tiles = [decoded[number].convert("RGB").resize(size, Image.LANCZOS) for number in frames]
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(kept) as tmp:
            np.savez(tmp, key=np.array(key), tiles=np.stack([np.asarray(t) for t in tiles]) if tiles
                     else np.zeros((0, size[1], size[0], 3), np.uint8))
    return tiles


def contact_sheet(plan: VideoPlan, tiles: list[CueStill]) -> Image.Image:
    height = tile_height(plan)
    rows = -(-len(tiles) // COLUMNS)
    sheet = Image.new("RGB", (MARGIN + COLUMNS * (TILE_WIDTH + MARGIN),
                              MARGIN + rows * (height + LABEL_HEIGHT + MARGIN)), style.BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font_big, font_small = _label_font(17), _label_font(14)
    for i, tile in enumerate(tiles):
        x = MARGIN + (i % COLUMNS) * (TILE_WIDTH + MARGIN)
        y = MARGIN + (i // COLUMNS) * (height + LABEL_HEIGHT + MARGIN)
        sheet.paste(tile.image, (x, y))
        seconds = tile.frame / plan.fps
        draw.text((x, y + height + 3), f"{tile.scene_id} / {tile.cue_id}", fill=style.INK, font=font_big)
        draw.text((x, y + height + 23), f"{format_clock(int(seconds))}.{int(seconds * 10) % 10}  frame {tile.frame}",
                  fill=style.MUTED, font=font_small)
    return sheet
