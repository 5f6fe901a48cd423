"""PictureCamera draws exactly what Manim's Camera draws, pictures anywhere on (or off) the frame."""

import numpy as np
import pytest
from manim import DEGREES, ImageMobject, Square, tempconfig
from manim.camera.camera import Camera

from diffusion_explainer.scene.camera import PictureCamera


def picture(seed: int, size: int = 24) -> ImageMobject:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (size, size, 4), dtype=np.uint8)
    pixels[..., 3] = rng.choice([0, 90, 255], (size, size))  # transparent, translucent and opaque
    return ImageMobject(pixels)


PLACEMENTS = {
    "inside": lambda m: m.scale(2).shift([1, 0.5, 0]),
    "off the left and top": lambda m: m.scale(3).move_to([-7.5, 4.2, 0]),
    "off the right and bottom": lambda m: m.scale(3).move_to([7.6, -4.1, 0]),
    "rotated": lambda m: m.scale(2).rotate(30 * DEGREES),
    "translucent": lambda m: m.scale(2).set_opacity(0.4),
    "wholly off": lambda m: m.move_to([20, 0, 0]),
    "edge-on": lambda m: m.stretch(0.001, 0),
}


@pytest.mark.parametrize("name", PLACEMENTS)
def test_pictures_are_composited_exactly_as_manim_does(name):
    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 10}):
        frames = []
        for camera_class in (Camera, PictureCamera):
            backdrop = Square(3).set_fill("#3b82f6", 0.7)
            mobjects = [backdrop, PLACEMENTS[name](picture(1)), picture(2).scale(0.7).shift([-2, -1, 0])]
            camera = camera_class(background_color="#0f172a")
            camera.capture_mobjects(mobjects)
            frames.append(camera.pixel_array.copy())
        assert frames[0].any()
        np.testing.assert_array_equal(frames[1], frames[0])
