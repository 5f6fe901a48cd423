"""Japanese and Latin text in the project's fonts and sizes (sizes in Manim units of em height)."""

from __future__ import annotations

from manim import MarkupText, Text

from .. import style
from ..subtitles.band import font_size_for

TITLE_EM = 0.62
HEADING_EM = 0.42
BODY_EM = 0.34
LABEL_EM = 0.26
SMALL_EM = 0.2


def jp(text: str, em: float = BODY_EM, color: str = style.INK, weight: str = "NORMAL") -> Text:
    return Text(text, font=style.FONT, font_size=font_size_for(em), color=color, weight=weight)


def markup(text: str, em: float = BODY_EM, color: str = style.INK) -> MarkupText:
    return MarkupText(text, font=style.FONT, font_size=font_size_for(em), color=color)


def label(text: str, em: float = LABEL_EM, color: str = style.MUTED) -> Text:
    return jp(text, em, color)


def number(value: float, digits: int = 3, em: float = LABEL_EM, color: str = style.INK) -> Text:
    """A number as plain text (no LaTeX round trip for labels that change)."""
    return Text(f"{value:.{digits}f}", font=style.MONO, font_size=font_size_for(em), color=color)
