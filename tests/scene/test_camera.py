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


def test_curves_drawn_again_from_kept_paths_are_drawn_exactly_as_manim_draws_them():
    from manim import Circle, Text, VGroup

    with tempconfig({"pixel_width": 320, "pixel_height": 180, "frame_rate": 10}):
        def scene():
            return [Circle(1.2).set_fill("#e94560", 0.5).set_stroke("#3b82f6", 6),
                    Text("霧が晴れる", font="Noto Sans CJK JP").scale(0.8).shift([0.3, -1.2, 0]),
                    VGroup(Square(0.5), Square(0.5).shift([0.25, 0.1, 0])).set_stroke(width=3)]

        manims, pictures = Camera(background_color="#0f172a"), PictureCamera(background_color="#0f172a")
        kept = []
        for step in range(3):  # drawn anew, then from the kept paths; then moved: new paths again
            mobjects = scene()
            if step == 2:
                for m in mobjects:
                    m.shift([0.013, -0.007, 0]).rotate(0.01)
            frames = []
            for camera in (manims, pictures):
                camera.reset()
                camera.capture_mobjects(mobjects)
                frames.append(camera.pixel_array.copy())
            assert frames[0].any()
            np.testing.assert_array_equal(frames[1], frames[0])
            kept.append(len(pictures._paths))
        # the glyphs, the circle and the squares: made once, drawn again from what was kept, made
        # again where they moved
        assert kept[0] > 6 and kept[1] == kept[0] and kept[2] == 2 * kept[0]
