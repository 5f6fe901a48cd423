"""The motion that fills the pauses is seen as motion by the dead-air measure, and shows the pictures
as they are.

Frames are drawn with Manim's camera at 480p, brought to the measure's 320-px-wide copy and its
YUV 4:2:0 planes, and compared as ffmpeg's freezedetect compares them (the mean absolute
difference of all three planes, against -50 dB)."""

import numpy as np
import pytest
from manim import Camera, Indicate, Line, VGroup
from PIL import Image

from diffusion_explainer.core import style
from diffusion_explainer.review.dead_air import FREEZE_NOISE_DB, FREEZE_WIDTH
from diffusion_explainer.visuals.formulas import FORWARD_STEP, formula
from diffusion_explainer.visuals.motion import along, highlight_box, pulse
from diffusion_explainer.visuals.pictures import noise_image, picture

THRESHOLD = 10 ** (FREEZE_NOISE_DB / 20)


def frame(*mobjects) -> np.ndarray:
    camera = Camera(pixel_width=854, pixel_height=480, background_color=style.BACKGROUND)
    camera.capture_mobjects(list(mobjects))
    return np.asarray(camera.get_image().convert("RGB"))


def change(a: np.ndarray, b: np.ndarray) -> float:
    """freezedetect's mean absolute difference of two frames, on the measure's 320-px copy (full scale 1)."""
    def planes(rgb):
        small = Image.fromarray(rgb).resize((FREEZE_WIDTH, FREEZE_WIDTH * 9 // 16), Image.BILINEAR).convert("YCbCr")
        y, cb, cr = (np.asarray(p, dtype=float) for p in small.split())
        half = [np.asarray(Image.fromarray(p.astype(np.uint8)).reduce(2), dtype=float) for p in (cb, cr)]
        return [y, *half]
    pa, pb = planes(a), planes(b)
    return sum(np.abs(x - y).sum() for x, y in zip(pa, pb)) / sum(x.size for x in pa) / 255


@pytest.fixture(scope="module")
def equation():
    return formula(*FORWARD_STEP, font_size=46).move_to([0.3, 2.35, 0])


def test_a_highlight_moving_to_the_next_term_is_motion_where_a_recoloured_term_is_not(equation):
    on_first = frame(equation, highlight_box(equation[0]))
    on_next = frame(equation, highlight_box(VGroup(*equation[2:7])))
    assert change(on_first, on_next) > THRESHOLD
    # what the video did before: the term recoloured where the voice was; under the measure it is still
    plain = frame(equation)
    recoloured = equation.copy()
    recoloured[2:7].set_color(style.ACCENT)
    assert change(plain, frame(recoloured)) < THRESHOLD


def test_a_pulse_keeps_the_pictures_pixels_and_is_motion_on_a_noise_picture():
    shown = picture(noise_image((16, 16, 3), seed=0), 2.2)
    pixels, width = shown[0].pixel_array.copy(), shown.width
    before = frame(shown)
    growing = pulse(shown, 1.1)
    growing.begin()
    growing.interpolate(0.5)  # there and back: the largest at half way
    assert shown.width == pytest.approx(width * 1.1, rel=1e-3)
    assert np.array_equal(shown[0].pixel_array, pixels)
    assert change(before, frame(shown)) > THRESHOLD
    growing.interpolate(1.0)
    assert shown.width == pytest.approx(width, rel=1e-3)
    # Manim's Indicate would have painted the picture one flat colour
    flashed = picture(noise_image((16, 16, 3), seed=0), 2.2)
    indicate = Indicate(flashed, color=style.ACCENT)
    indicate.begin()
    indicate.interpolate(0.5)
    assert len(np.unique(flashed[0].pixel_array[..., :3].reshape(-1, 3), axis=0)) == 1


def test_a_traveller_is_drawn_at_even_steps_along_its_path():
    path = Line([-4, 1, 0], [4, 1, 0])
    images = [noise_image((8, 8, 3), seed=k) for k in range(5)]
    pages = along(path, images, 1.3, 0.1, 0.9, offset=[0, 0.8, 0])
    assert [round(p.get_x(), 3) for p in pages] == [-3.2, -1.6, 0.0, 1.6, 3.2]
    assert all(p.get_y() == pytest.approx(1.8) and p.width == pytest.approx(1.3, abs=0.02) for p in pages)
    assert [np.array_equal(p[0].pixel_array, picture(i, 1.3)[0].pixel_array) for p, i in zip(pages, images)] == [True] * 5


def test_a_walk_stepping_between_two_pictures_is_motion_though_its_box_shows_only_as_a_rim():
    # walk() draws its box behind what it points at: behind a picture only the rim of width `buff`
    # shows, and the step from one picture to the next must still be seen by the measure
    left = picture(noise_image((16, 16, 3), seed=1), 1.7).move_to([-2.4, 0.5, 0])
    right = picture(noise_image((16, 16, 3), seed=2), 1.7).move_to([2.4, 0.5, 0])
    on_left = frame(highlight_box(left, buff=0.2), left, right)
    on_right = frame(highlight_box(right, buff=0.2), left, right)
    assert change(on_left, on_right) > THRESHOLD
