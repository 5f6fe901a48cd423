"""The thumbnail is composed from the title card: the stage without the subtitle band, cropped to
what is drawn and enlarged to fill 1280x720 on the background colour."""

import numpy as np
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
