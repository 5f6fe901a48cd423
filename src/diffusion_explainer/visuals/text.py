"""Japanese and Latin text in the project's fonts and sizes (sizes in Manim units of em height)."""

from __future__ import annotations

import re

from manim import DOWN, LEFT, MarkupText, Text, VGroup

from ..core import style
from ..core.fonts import text_width_em
from ..subtitles.band import font_size_for
from ..subtitles.english import LEANING

TITLE_EM = 0.62
HEADING_EM = 0.42
BODY_EM = 0.34
LABEL_EM = 0.26
SMALL_EM = 0.2


def jp(text: str, em: float = BODY_EM, color: str = style.INK, weight: str = "NORMAL") -> Text:
    # str(): a demo's Words (a str subclass) shown untranslated; Pango's binding takes only a str
    return Text(str(text), font=style.FONT, font_size=font_size_for(em), color=color, weight=weight)


def markup(text: str, em: float = BODY_EM, color: str = style.INK) -> MarkupText:
    return MarkupText(str(text), font=style.FONT, font_size=font_size_for(em), color=color)


def label(text: str, em: float = LABEL_EM, color: str = style.MUTED) -> Text:
    return jp(text, em, color)


def number(value: float, digits: int = 3, em: float = LABEL_EM, color: str = style.INK) -> Text:
    """A number as plain text (no LaTeX round trip for labels that change)."""
    return Text(f"{value:.{digits}f}", font=style.MONO, font_size=font_size_for(em), color=color)


# Where a Japanese line reads well broken: after a clause (、：）), before an opening bracket, at a
# space, and where kana give way to a word (「多様性の|値が|上がる」: after a particle); better
# outside brackets than inside a quoted name.
_BREAK_AFTER = "、。：）」"
_BREAK_BEFORE = "（「"
_NO_LINE_START = "、。：）」ー"
_TOKEN = re.compile(r"[A-Za-z0-9.,=+\-→×/%\[\]<>~ ]+|.", re.S)
_HIRAGANA = range(0x3041, 0x3097)  # ぁ to ゖ
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _hiragana(token: str) -> bool:
    return len(token) == 1 and ord(token) in _HIRAGANA


def _break_levels(tokens: list[str]) -> list[int]:
    """For each index i, how well a line reads starting at tokens[i]: 3 at the end of a clause
    or before a bracket, 2 at a space or after a particle, both outside brackets; 1 at either
    inside 「…」 or （…） (it splits a name or an aside); 0 elsewhere (inside a word)."""
    levels, depth = [0] * len(tokens), 0
    if len(tokens) > 1 and tokens[0] in _BREAK_BEFORE and tokens[-1] in "）」":
        depth = -1  # a caption that is one aside in brackets: break it as if they were not there
    for i, token in enumerate(tokens):
        if i and token[0] not in _NO_LINE_START:
            before = tokens[i - 1]
            clause = before in _BREAK_AFTER or token in _BREAK_BEFORE
            word = before.endswith(" ") or token.startswith(" ") or (_hiragana(before) and not _hiragana(token))
            if clause or word:
                levels[i] = 1 if depth and token not in _BREAK_BEFORE else 3 if clause else 2
        depth += (token in _BREAK_BEFORE) - (token in "）」")
    return levels


# An English caption (a translation through the catalogue) breaks between words: best after a
# clause's punctuation or before a bracket, not inside a quoted prompt or after a word that leans
# on the next (「the」, 「of」), never inside 「s = 0」 or 「0.19 → 0.25」.
_WORD = re.compile(r"\S+\s*")
_OPERATORS = {"=", "→", "×", "+", "−", "-", "~", "/"}


def _word_break_levels(tokens: list[str]) -> list[int]:
    levels, quoted = [0] * len(tokens), False
    for i in range(1, len(tokens)):
        before, token = tokens[i - 1].strip(), tokens[i].strip()
        quoted = (quoted or "“" in before) and "”" not in before
        if before in _OPERATORS or token in _OPERATORS:
            levels[i] = 0
        elif quoted or before.lower().strip("(“\"'") in LEANING:
            levels[i] = 1
        elif before.endswith((",", ";", ":", ".", ")")) or token.startswith(("(", "“")):
            levels[i] = 3
        else:
            levels[i] = 2
    return levels


# What a layout costs: each line; each cut by its level (a cut inside a word costs more than a
# line, so a caption takes one more line rather than split a word); and each line's unused share
# of the width, squared (even lines, no lone word at the end).
_LINE_COST = 4.0
_CUT_COST = {3: 0.0, 2: 0.25, 1: 1.5, 0: 6.0}
_BAD_START_COST = 50.0  # a line that would start with a closing mark
_SLACK_COST = 2.0


def wrapped_lines(text: str, width: float, measure=len) -> list[str]:
    """`text` in lines no wider than `width` (by `measure`), at the least cost above. In Japanese,
    a run of Latin letters, digits and spaces (「s = 0」, 「0.19」) is never cut; English is cut
    between words. A token too wide alone gets a line of its own."""
    if _JAPANESE.search(text):
        tokens = _TOKEN.findall(text)
        levels = _break_levels(tokens)
    else:
        tokens = _WORD.findall(text)
        levels = _word_break_levels(tokens)

    def line(i, j):
        return "".join(tokens[i:j]).strip()

    best: list[tuple | None] = [None] * (len(tokens) + 1)  # best[j]: (cost, cuts) for tokens[:j]
    best[0] = (0.0, [])
    for j in range(1, len(tokens) + 1):
        for i in range(j - 1, -1, -1):
            if best[i] is None:
                continue
            used = measure(line(i, j))
            if j - i > 1 and used > width:
                break  # longer lines (smaller i) only get wider
            cost, cuts = best[i]
            if i:
                cost += _BAD_START_COST if tokens[i][0] in _NO_LINE_START else _CUT_COST[levels[i]]
            cost += _LINE_COST + _SLACK_COST * max(0.0, 1 - used / width) ** 2
            if best[j] is None or cost < best[j][0]:
                best[j] = (cost, cuts + [i])
    cuts = best[-1][1] + [len(tokens)]
    return [text for text in (line(a, b) for a, b in zip(cuts, cuts[1:])) if text]


def balanced_lines(text: str, width: float, em: float) -> list[str]:
    """`wrapped_lines` for text at `em`, `width` in Manim units."""
    return wrapped_lines(text, width / em, lambda line: text_width_em(line, style.FONT))


def wrapped(text: str, width: float, em: float = LABEL_EM, color: str = style.MUTED, buff: float = 0.07,
            centred: bool = False) -> VGroup:
    """A caption in as many lines as it needs to stay `width` wide, left-aligned (or centred)."""
    lines = [label(line, em, color) for line in balanced_lines(text, width, em)]
    return VGroup(*lines).arrange(DOWN, buff=buff, **({} if centred else {"aligned_edge": LEFT}))
