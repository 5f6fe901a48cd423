"""How many ems a subtitle row may take at a given frame size, measured with the real font; and a
line broken into the pages that fit, in the render's language (Japanese between BudouX phrases,
paging.py; English at word boundaries in a Latin font, english.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.fonts import text_width_em
from ..core.settings import DEFAULT_LANGUAGE
from ..core.style import Layout
from ..screenplay import Line
from .english import paginate_english
from .language import ENGLISH, line_language, subtitle_font
from .paging import Page, paginate, plain_text

NAME_SEPARATOR = ": "
SAFETY_EM = 1.0  # a kinsoku character may hang past the measured width; keep room for it


@dataclass(frozen=True)
class SubtitleFitter:
    layout: Layout
    font: str  # the screenplay's (Japanese) font
    language: str = DEFAULT_LANGUAGE
    names: tuple[tuple[str, str], ...] = ()  # (speaker, the name the subtitles show) where they differ

    def shown_name(self, speaker: str) -> str:
        return dict(self.names).get(speaker, speaker)

    def name_width_em(self, speaker: str, font: str | None = None) -> float:
        """The speaker's shown name and its separator, in ems of `font` (default: the screenplay's)."""
        return text_width_em(self.shown_name(speaker) + NAME_SEPARATOR, font or self.font)

    def row_capacity_em(self, speaker: str, font: str | None = None) -> float:
        """Text rows hang beside the speaker's name, so their width is the band less the name."""
        return self.layout.subtitle_width / self.layout.text_height - self.name_width_em(speaker, font) - SAFETY_EM

    def pages(self, line: Line) -> list[Page]:
        """The line's subtitle pages in the render's language (a line without English: its Japanese)."""
        font = subtitle_font(line, self.language, self.font)
        capacity = self.row_capacity_em(line.speaker, font)
        if line_language(line, self.language) == ENGLISH:
            return paginate_english(line.en, lambda row: text_width_em(plain_text(row), font) <= capacity)
        return paginate(line.text, lambda row: text_width_em(row, font) <= capacity)

    def page_width_em(self, speaker: str, page: Page, font: str | None = None) -> float:
        """The widest row of a page including the name column, in ems."""
        font = font or self.font
        return self.name_width_em(speaker, font) + max(text_width_em(plain_text(r), font) for r in page.rows)
