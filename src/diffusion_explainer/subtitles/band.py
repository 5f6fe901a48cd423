"""The subtitle band: a dark strip at the bottom of the frame with the speaker's name in the
character's colour and the line in white, one page (at most two rows) at a time. An English page
names the speaker by their English name and is set in the English subtitles' Latin font
(language.py)."""

from __future__ import annotations

import html

from manim import LEFT, UP, MarkupText, Mobject, Rectangle, VGroup, config

from ..core import style
from ..core.settings import DEFAULT_LANGUAGE
from ..screenplay import Screenplay
from .fitting import NAME_SEPARATOR, SubtitleFitter
from .language import ENGLISH, ENGLISH_FONT, speaker_name
from .paging import EMPH, Page

# Manim's Text at font_size=100 is 1.3605 units per em (measured with Noto Sans CJK JP).
UNITS_PER_EM_AT_100 = 1.3605


def font_size_for(em_units: float) -> float:
    return 100 * em_units / UNITS_PER_EM_AT_100


def _row_markup(row: str) -> str:
    parts = row.split(EMPH)
    out = []
    for i, part in enumerate(parts):
        text = html.escape(part, quote=False)
        out.append(f'<span foreground="{style.ACCENT}"><b>{text}</b></span>' if i % 2 and text else text)
    return "".join(out)


class SubtitleBand:
    """Builds the band and the mobject of each page, sized for the current frame."""

    def __init__(self, screenplay: Screenplay):
        self.screenplay = screenplay
        self.layout = style.Layout(config.frame_width, screenplay.style.subtitle_size)
        self.fitter = SubtitleFitter(self.layout, screenplay.style.font)
        self.font = screenplay.style.font
        self.font_size = font_size_for(self.layout.text_height)

    def background(self) -> Mobject:
        band = Rectangle(width=config.frame_width + 0.1, height=self.layout.band_height, stroke_width=0)
        band.set_fill(style.PANEL, opacity=style.SUBTITLE_BAND_OPACITY)
        band.move_to([0, -config.frame_height / 2 + self.layout.band_height / 2, 0])
        return band

    def _text(self, markup: str, font: str | None = None) -> MarkupText:
        return MarkupText(markup, font=font or self.font, font_size=self.font_size, color=style.INK)

    def page(self, speaker: str, page: Page, language: str = DEFAULT_LANGUAGE) -> VGroup:
        """A page of `speaker`'s line, in `language` (the line's: subtitles/language.line_language)."""
        colour = self.screenplay.character(speaker).color
        font = ENGLISH_FONT if language == ENGLISH else self.font
        shown = html.escape(speaker_name(self.screenplay, speaker, language))
        name = self._text(f'<span foreground="{colour}"><b>{shown}{NAME_SEPARATOR.strip()}</b></span>', font)
        rows = [self._text(_row_markup(r), font) for r in page.rows]
        em = self.layout.text_height
        for i, row in enumerate(rows):  # baselines a fixed step apart, whatever the glyphs' heights
            row.move_to([0, -i * self.layout.line_spacing, 0], aligned_edge=LEFT)
            row.align_to(rows[0], LEFT)
        text_block = VGroup(*rows)
        name.next_to(rows[0], LEFT, buff=em * 0.45).align_to(rows[0], UP)
        group = VGroup(name, text_block)
        max_width = self.layout.subtitle_width
        if group.width > max_width:  # never wider than the frame, whatever the font does
            group.scale_to_fit_width(max_width)
        centre_y = -config.frame_height / 2 + self.layout.band_height / 2
        group.move_to([0, centre_y, 0])
        return group
