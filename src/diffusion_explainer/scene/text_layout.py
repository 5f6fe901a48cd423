"""Texts laid out the same at every resolution.

Manim's `Text` asks Pango to lay its text out on a canvas as wide as the render's pixels
(`config.pixel_width`) and wraps what does not fit there, yet keeps the SVG in its text folder
under a name that leaves that width out. Left alone, a long label is one line in the 1080p video
and wraps in a 256x144 render, and which of the two a render gets depends on which resolution
made the file first: s06's note on CLIP ends in a lone 「て）」 on a line of its own in a cold
256x144 render and not in one whose text folder a 1080p render has filled.

`install` makes every Text lay out on the canvas of the delivered 1080p video, whatever the
render's size, and names its file accordingly: a text wraps (or not) the same in a preview, a
test's tiny render and the video.
"""

from __future__ import annotations

LAYOUT_PIXELS = (1920, 1080)


def install() -> None:
    from manim import Text, config

    if getattr(Text._text2svg, "_fixed_layout", False):
        return
    text2svg, text2hash = Text._text2svg, Text._text2hash

    def _text2svg(self, color):
        size = config.pixel_width, config.pixel_height
        config.pixel_width, config.pixel_height = LAYOUT_PIXELS
        try:
            return text2svg(self, color)
        finally:
            config.pixel_width, config.pixel_height = size

    def _text2hash(self, color) -> str:
        return f"{text2hash(self, color)}-{LAYOUT_PIXELS[0]}x{LAYOUT_PIXELS[1]}"

    _text2svg._fixed_layout = True
    _text2svg.__wrapped__, _text2hash.__wrapped__ = text2svg, text2hash  # Manim's own
    Text._text2svg, Text._text2hash = _text2svg, _text2hash
