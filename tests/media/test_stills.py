"""The thumbnail is composed from the title card: the stage without the subtitle band, cropped to
what is drawn and enlarged to fill 1280x720 on the background colour."""

import numpy as np
import pytest
from PIL import Image, ImageColor, ImageDraw

from diffusion_explainer.core import style
from diffusion_explainer.media.stills import compose_thumbnail

BAND = 0.21  # the share of the frame height the subtitle band takes (as at the default subtitle size)


def title_frame(width=854, height=480):
    """A frame like the title card: a light title bar, a coloured picture, the band at the bottom."""
    frame = Image.new("RGB", (width, height), style.BACKGROUND)
    draw = ImageDraw.Draw(frame)
    draw.rectangle((277, 60, 577, 100), fill=style.INK)  # the title, 300 px wide
    draw.rectangle((367, 140, 487, 260), fill="#e0701a")  # the picture
    draw.rectangle((0, round(height * (1 - BAND)), width, height), fill=style.PANEL)  # the empty band
    return frame


def test_the_band_is_dropped_and_the_card_fills_the_thumbnail():
    thumb = np.asarray(compose_thumbnail(title_frame(), BAND, style.BACKGROUND)).astype(int)
    assert thumb.shape == (720, 1280, 3)
    panel = np.array([int(style.PANEL[i:i + 2], 16) for i in (1, 3, 5)])
    band_rows = (np.abs(thumb - panel).max(axis=2) < 4).mean(axis=1) > 0.5
    assert not band_rows.any(), "rows of the band's colour are still in the thumbnail"
    ink = np.abs(thumb - np.array([int(style.BACKGROUND[i:i + 2], 16) for i in (1, 3, 5)])).max(axis=2) > 24
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    # the drawn block (300 x 200 px in the frame) is enlarged to most of the height, not stretched,
    # and centred
    assert rows[-1] - rows[0] > 0.8 * 720
    assert abs((columns[-1] - columns[0]) / (rows[-1] - rows[0]) - 1.5) < 0.03
    assert abs((rows[0] + rows[-1]) / 2 - 360) < 3 and abs((columns[0] + columns[-1]) / 2 - 640) < 3


def test_the_order_of_things_is_kept():
    thumb = np.asarray(compose_thumbnail(title_frame(), BAND, style.BACKGROUND)).astype(int)
    title_rows = np.flatnonzero((thumb.min(axis=2) > 230).any(axis=1))
    orange_rows = np.flatnonzero(((thumb[..., 0] > 200) & (thumb[..., 2] < 60)).any(axis=1))
    assert title_rows.max() < orange_rows.min()  # the title stays above the picture


def test_a_frame_with_nothing_drawn_gives_the_plain_background():
    empty = Image.new("RGB", (854, 480), style.BACKGROUND)
    thumb = np.asarray(compose_thumbnail(empty, BAND, style.BACKGROUND))
    assert thumb.shape == (720, 1280, 3)
    assert (thumb == np.array(ImageColor.getrgb(style.BACKGROUND))).all()


def write_cue(path, pictures, keyframes, fps=10, size=(256, 144)):
    """An H.264 video of the given pictures (H x W x 3), a keyframe at each of `keyframes` (where
    Manim's calls start) and nowhere else."""
    import av

    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "veryfast", "keyint": "1000",
                                                                    "scenecut": "0", "bframes": "0"})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for i, picture in enumerate(pictures):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = i
            frame.pict_type = av.video.frame.PictureType.I if i in keyframes else av.video.frame.PictureType.NONE
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def test_a_cues_still_is_its_settled_picture_not_a_fade_nor_the_empty_stage(tmp_path):
    from diffusion_explainer.media.stills import settled_frames

    background = np.array(ImageColor.getrgb(style.BACKGROUND), np.uint8)
    empty = np.broadcast_to(background, (144, 256, 3)).copy()
    full = empty.copy()
    full[20:90, 40:220] = (230, 120, 30)  # the cue's picture, on the stage above the band
    rng = np.random.default_rng(0)

    def fading(alpha):  # a moving frame: the picture partly there, and a little noise so x264 codes it
        frame = (empty * (1 - alpha) + full * alpha).astype(np.uint8)
        frame[100:110, :40] = rng.integers(0, 255, (10, 40, 3))
        return frame

    # fade in (frames 0-19), hold (20-27), fade out (28-31), an empty stage held (32-59): the
    # middle frame, 30, is mid-fade; the settled picture starts at 20
    pictures = ([fading(i / 20) for i in range(20)] + [full] * 8 + [fading(1 - i / 4) for i in range(4)]
                + [empty] * 28)
    video = write_cue(tmp_path / "cue.mp4", pictures, keyframes={0, 20, 28, 32})
    assert settled_frames(video, [(0, 60)], 10, BAND, style.BACKGROUND) == [20]
    # a cue that never holds a picture: its middle frame
    moving = write_cue(tmp_path / "moving.mp4", [fading(i / 30) for i in range(30)], keyframes={0})
    assert settled_frames(moving, [(0, 30)], 10, BAND, style.BACKGROUND) == [15]


def test_settled_frames_are_kept_until_the_video_or_its_cues_change(tmp_path, monkeypatch):
    """An edit's render draws the cue stills of every scene, but decodes only the scenes it drew
    again: each scene's settled frames are kept beside its tiles, keyed by the file and the cues."""
    from diffusion_explainer.media import stills

    background = np.array(ImageColor.getrgb(style.BACKGROUND), np.uint8)
    picture = np.broadcast_to(background, (144, 256, 3)).copy()
    picture[20:90, 40:220] = (230, 120, 30)
    video = write_cue(tmp_path / "cue.mp4", [picture] * 30, keyframes={0, 10})
    kept = tmp_path / "kept" / "s01.settled.json"
    decoded = []
    settled = stills.settled_frames
    monkeypatch.setattr(stills, "settled_frames", lambda *a: decoded.append(a[1]) or settled(*a))

    def frames(cues):
        return stills._kept_settled_frames(video, cues, 10, BAND, style.BACKGROUND, kept)

    first = frames([(0, 10), (10, 30)])
    assert frames([(0, 10), (10, 30)]) == first and len(decoded) == 1  # read back, not decoded
    frames([(0, 12), (12, 30)])  # other cues
    write_cue(video, [picture] * 30, keyframes={0, 20})  # the scene drawn again
    assert frames([(0, 12), (12, 30)]) is not None and len(decoded) == 3
    kept.write_text("{ damaged", encoding="utf-8")
    assert frames([(0, 12), (12, 30)]) == settled(video, [(0, 12), (12, 30)], 10, BAND, style.BACKGROUND)
    assert len(decoded) == 4


def test_stills_no_longer_wanted_stop_before_the_next_frame_is_read(tmp_path):
    """A render that puts back an earlier render's video and side files stops drawing its stills
    (the thread is waited for on the way out): reading frames ends at the next frame."""
    import threading

    from diffusion_explainer.media import stills

    background = np.array(ImageColor.getrgb(style.BACKGROUND), np.uint8)
    video = write_cue(tmp_path / "cue.mp4", [np.broadcast_to(background, (144, 256, 3)).copy()] * 30, keyframes={0})
    stop = threading.Event()
    assert sorted(stills.read_frames(video, [3, 20], 10, stop)) == [3, 20]  # (not set: every frame)
    stop.set()
    with pytest.raises(stills.Stopped):
        stills.read_frames(video, [3, 20], 10, stop)
    with pytest.raises(stills.Stopped):
        stills.settled_frames(video, [(0, 30)], 10, BAND, style.BACKGROUND, stop)
