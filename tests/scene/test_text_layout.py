"""A Text is laid out as in the 1080p video at every resolution (scene/text_layout.py): Manim's own
Text wraps at the render's pixel width, so a long label broke in two in a tiny render only."""

import pytest
from manim import Text, config, tempconfig

from diffusion_explainer.core import style
from diffusion_explainer.scene import text_layout
from diffusion_explainer.visuals.text import SMALL_EM, label

# s06's note on CLIP: one line in the video, about 13 of the frame's 14.2 units wide
NOTE = "Stable Diffusion v1 は CLIP のテキストエンコーダで、プロンプトを 77 トークン × 768 個の数に変換する（77 トークンを超える分は切り捨て）"


def rows(mobject) -> float:
    return mobject.height / label("テ", SMALL_EM).height


@pytest.fixture
def media(tmp_path):
    with tempconfig({"media_dir": str(tmp_path)}):
        yield tmp_path


def test_manims_own_text_wraps_at_the_render_width(media, monkeypatch):
    """Without the fix (the check below can fail): the same label is two rows at 256x144."""
    for name in ("_text2svg", "_text2hash"):  # Manim's own, even if installed earlier in this process
        monkeypatch.setattr(Text, name, getattr(getattr(Text, name), "__wrapped__", getattr(Text, name)))
    with tempconfig({"pixel_width": 256, "pixel_height": 144, "media_dir": str(media / "small")}):
        small = rows(label(NOTE, SMALL_EM))
    with tempconfig({"pixel_width": 1920, "pixel_height": 1080, "media_dir": str(media / "big")}):
        big = rows(label(NOTE, SMALL_EM))
    assert big < 1.6 and small > 1.6


def test_a_text_is_laid_out_as_in_the_1080p_video_at_every_size(media):
    text_layout.install()
    heights = {}
    for width, height in ((256, 144), (854, 480), (1920, 1080), (3840, 2160)):
        with tempconfig({"pixel_width": width, "pixel_height": height}):
            heights[width] = rows(label(NOTE, SMALL_EM))
            assert (config.pixel_width, config.pixel_height) == (width, height)  # put back after each text
    assert all(abs(h - heights[1920]) < 1e-6 for h in heights.values()) and heights[1920] < 1.6
    # the file's name says the canvas it was laid out on: one made by Manim at another width is not reused
    assert Text("x", font=style.FONT)._text2hash("#ffffff").endswith("-1920x1080")
