"""How many ems a subtitle row may take at a given frame size, measured with the real font."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.fonts import text_width_em
from ..core.style import Layout
from ..screenplay import Line
from .paging import Page, paginate, plain_text

NAME_SEPARATOR = ": "
SAFETY_EM = 1.0  # a kinsoku character may hang past the measured width; keep room for it


@dataclass(frozen=True)
class SubtitleFitter:
    layout: Layout
    font: str

    def name_width_em(self, speaker: str) -> float:
        return text_width_em(speaker + NAME_SEPARATOR, self.font)

    def row_capacity_em(self, speaker: str) -> float:
        """Text rows hang beside the speaker's name, so their width is the band less the name."""
        return self.layout.subtitle_width / self.layout.text_height - self.name_width_em(speaker) - SAFETY_EM

    def pages(self, line: Line) -> list[Page]:
        capacity = self.row_capacity_em(line.speaker)
        return paginate(line.text, lambda row: text_width_em(row, self.font) <= capacity)

    def page_width_em(self, speaker: str, page: Page) -> float:
        """The widest row of a page including the name column, in ems."""
        return self.name_width_em(speaker) + max(text_width_em(plain_text(r), self.font) for r in page.rows)
