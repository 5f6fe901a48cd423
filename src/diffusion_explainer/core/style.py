"""The video's one visual language: colours, fonts, sizes and the regions of the frame.

Sizes are fractions of the frame height so a layout looks the same at 144p and at 1080p.
Manim's frame is 8 units high; its width follows the aspect ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

# Palette (dark background; the two characters' colours come from the screenplay).
BACKGROUND = "#0f172a"
INK = "#f8fafc"  # primary text and lines
MUTED = "#94a3b8"  # labels, captions
ACCENT = "#facc15"  # emphasis: the thing the narration points at
NOISE = "#a78bfa"  # anything that is noise (epsilon)
NETWORK = "#22c55e"  # the denoising network (U-Net boxes)
PANEL = "#1e293b"  # boxes and the subtitle band
SUBTITLE_BAND_OPACITY = 0.88

FONT = "Noto Sans CJK JP"
MONO = "Noto Sans Mono CJK JP"

FRAME_HEIGHT = 8.0  # Manim units, fixed by Manim


@dataclass(frozen=True)
class Layout:
    """Where things go for a frame of the given width (in Manim units)."""

    frame_width: float
    subtitle_size: float = 0.055  # text height / frame height

    @property
    def text_height(self) -> float:
        return self.subtitle_size * FRAME_HEIGHT

    @property
    def line_spacing(self) -> float:
        return self.text_height * 1.45

    @property
    def band_height(self) -> float:
        """The subtitle band: two rows of text and a margin above and below."""
        return 2 * self.line_spacing + self.text_height * 0.9

    @property
    def band_top(self) -> float:
        return -FRAME_HEIGHT / 2 + self.band_height

    @property
    def subtitle_width(self) -> float:
        return self.frame_width * 0.9

    @property
    def stage_top(self) -> float:
        return FRAME_HEIGHT / 2 - 0.25

    @property
    def stage_bottom(self) -> float:
        """Animations stay above this line, clear of the subtitle band."""
        return self.band_top + 0.2

    @property
    def stage_center_y(self) -> float:
        return (self.stage_top + self.stage_bottom) / 2

    @property
    def stage_height(self) -> float:
        return self.stage_top - self.stage_bottom

    @property
    def stage_width(self) -> float:
        return self.frame_width - 0.8
