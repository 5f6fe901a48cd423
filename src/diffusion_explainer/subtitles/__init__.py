"""Subtitles: breaking lines into pages (paging), fitting them to the frame (fitting), and the
band at the bottom of the frame that shows them (band, which needs Manim)."""

from .fitting import SubtitleFitter
from .paging import Page, display_text, paginate, plain_text

__all__ = ["Page", "SubtitleFitter", "display_text", "paginate", "plain_text"]
