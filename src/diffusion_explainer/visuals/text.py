"""Japanese and Latin text in the project's fonts and sizes (sizes in Manim units of em height)."""

from __future__ import annotations

import re

from manim import DOWN, LEFT, MarkupText, Text, VGroup

from .. import style
from ..fonts import text_width_em
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


# Where a Japanese line reads well broken: after a clause (、：）), before an opening bracket, at a
# space, and where kana give way to a word (「多様性の|値が|上がる」: after a particle).
_BREAK_AFTER = "、。：）」"
_BREAK_BEFORE = "（「"
_NO_LINE_START = "、。：）」ー"
_TOKEN = re.compile(r"[A-Za-z0-9.,=+\-→×/%\[\]<>~ ]+|.", re.S)


def _hiragana(token: str) -> bool:
    return len(token) == 1 and "ぁ" <= token <= "ゖ"


def _good_breaks(tokens: list[str]) -> set[int]:
    """Indices i where a line may start with tokens[i] and read well."""
    good = set()
    for i in range(1, len(tokens)):
        before, token = tokens[i - 1], tokens[i]
        if token[0] in _NO_LINE_START:
            continue
        if (before in _BREAK_AFTER or token in _BREAK_BEFORE or before.endswith(" ") or token.startswith(" ")
                or (_hiragana(before) and not _hiragana(token))):
            good.add(i)
    return good


def _wrap(text: str, fits) -> tuple[list[str], bool]:
    """(lines, whether every cut is a good break)."""
    tokens = _TOKEN.findall(text)
    good = _good_breaks(tokens)
    lines, start, all_good = [], 0, True
    for i in range(1, len(tokens)):
        if fits("".join(tokens[start:i + 1]).strip()):
            continue
        # tokens[i] does not fit: the line ends before it, or at a good break earlier in its second half
        cut = max((b for b in good if start < b <= i), default=start)
        if (cut - start) * 2 < i - start:
            cut = i
            while cut > start + 1 and tokens[cut][0] in _NO_LINE_START:  # a closing mark takes its word along
                cut -= 1
        all_good = all_good and cut in good
        lines.append("".join(tokens[start:cut]).strip())
        start = cut
    lines.append("".join(tokens[start:]).strip())
    return [line for line in lines if line], all_good


def wrapped_lines(text: str, fits) -> list[str]:
    """`text` cut into lines that each satisfy `fits(line)`, at the last good break (see above)
    in the second half of a line, else between characters; a run of Latin letters, digits and
    spaces (「s = 0」, 「0.19」) is never cut, and a closing mark never starts a line."""
    return _wrap(text, fits)[0]


def balanced_lines(text: str, width: float, em: float) -> list[str]:
    """As few lines as fit `width` (Manim units at `em`), as even as good breaks allow, so a
    caption does not end on a lone word when it could be cut in the middle."""
    def wrap(w):
        return _wrap(text, lambda line: text_width_em(line, style.FONT) * em <= w)

    fewest, _ = wrap(width)
    tries = [wrap(width * (1 - 0.03 * k)) for k in range(17)]  # down to half the width
    same = [(lines, good) for lines, good in tries if len(lines) == len(fewest)]

    def unevenness(lines):
        widths = [text_width_em(line, style.FONT) for line in lines]
        return max(widths) - min(widths)

    return min(same, key=lambda t: (not t[1], unevenness(t[0])))[0]


def wrapped(text: str, width: float, em: float = LABEL_EM, color: str = style.MUTED, buff: float = 0.07,
            centred: bool = False) -> VGroup:
    """A caption in as many lines as it needs to stay `width` wide, left-aligned (or centred)."""
    lines = [label(line, em, color) for line in balanced_lines(text, width, em)]
    return VGroup(*lines).arrange(DOWN, buff=buff, **({} if centred else {"aligned_edge": LEFT}))
