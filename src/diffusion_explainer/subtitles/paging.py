"""Breaking a dialogue line into subtitle pages of at most two rows, the way subtitlers do.

Rows break only between BudouX phrases (Japanese words and their particles stay together), with
the usual kinsoku rules: no row starts with 、。」！？ and the like, none ends with 「（. A line
too long for two rows becomes several consecutive pages, broken at sentence ends where possible.
Emphasis written `**逆**` in the screenplay is kept as markers, balanced within each row.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable

NO_ROW_START = set("、。，．,.・：:；;）)」』】〕〉》］]｝}！？!?ー〜～…‥ゃゅょっぁぃぅぇぉゎャュョッァィゥェォヮヵヶ々")
NO_ROW_END = set("「『（(【〔〈《［[｛{")
SENTENCE_END = set("。！？!?")
EMPH = "**"
# A row after a break holds at least this many letters (punctuation and spaces not counted):
# a row of 「準備）」 or 「ガイド」 alone reads as a stray fragment, so words move down to join it.
MIN_ROW_LETTERS = 4


@dataclass(frozen=True)
class Page:
    rows: tuple[str, ...]  # one or two rows; `**` marks emphasis

    @property
    def text(self) -> str:
        return "\n".join(self.rows)


def display_text(text: str) -> str:
    """The text as the subtitle shows it: markdown spacing around emphasis removed."""
    # Markdown needs spaces around ** that Japanese does not: drop them next to Japanese text.
    text = re.sub(r"(?<=[^\x00-\x7f])[ \t]+(?=\*\*)|(?<=\*\*)[ \t]+(?=[^\x00-\x7f])", "", text)
    text = re.sub(r"\*\*[ \t]*(.+?)[ \t]*\*\*", r"**\1**", text)
    return text.strip()


@functools.lru_cache(maxsize=1)
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


def _chars(text: str) -> list[tuple[str, bool]]:
    """The text as (character, emphasised) pairs, emphasis markers removed."""
    out, emph = [], False
    parts = text.split(EMPH)
    for i, part in enumerate(parts):
        out.extend((c, emph) for c in part)
        if i < len(parts) - 1:
            emph = not emph
    return out


def _markup(chars: list[tuple[str, bool]]) -> str:
    out, emph = [], False
    for c, e in chars:
        if e != emph:
            out.append(EMPH)
            emph = e
        out.append(c)
    if emph:
        out.append(EMPH)
    return "".join(out)


def _phrases(chars: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    plain = "".join(c for c, _ in chars)
    phrases, i = [], 0
    for phrase in _parser().parse(plain):
        phrases.append(chars[i : i + len(phrase)])
        i += len(phrase)
    return phrases


def _pack_rows(phrases, fits: Callable[[str], bool]) -> list[list[tuple[str, bool]]]:
    """Greedy: fill each row with whole phrases; a phrase wider than a row is split by characters."""
    rows: list[list[tuple[str, bool]]] = [[]]
    for phrase in phrases:
        candidate = rows[-1] + phrase
        if fits(_plain(candidate).strip()):
            rows[-1] = candidate
            continue
        if rows[-1]:
            rows.append([])
        for ch in phrase:  # a new row: whole phrase if it fits, else character by character
            if fits(_plain(rows[-1] + [ch]).strip()) or not rows[-1]:
                rows[-1].append(ch)
            else:
                rows.append([ch])
    rows = [_strip(r) for r in rows if _plain(r).strip()]
    return _no_short_rows(_apply_kinsoku(rows), fits)


def _plain(chars) -> str:
    return "".join(c for c, _ in chars)


def _strip(row):
    while row and row[0][0].isspace():
        row = row[1:]
    while row and row[-1][0].isspace():
        row = row[:-1]
    return row


def _apply_kinsoku(rows):
    """Punctuation that may not start a row hangs at the end of the previous one (that is what
    the fitter's safety margin is for); an opening bracket moves down to the next row."""
    for i in range(1, len(rows)):
        while rows[i] and rows[i][0][0] in NO_ROW_START and rows[i - 1]:
            rows[i - 1] = rows[i - 1] + [rows[i][0]]
            rows[i] = rows[i][1:]
        while rows[i - 1] and rows[i - 1][-1][0] in NO_ROW_END and len(rows[i - 1]) > 1:
            rows[i] = [rows[i - 1][-1]] + rows[i]
            rows[i - 1] = rows[i - 1][:-1]
    return [r for r in rows if r]


def _letters(chars) -> int:
    return sum(1 for c, _ in chars if not c.isspace() and c not in NO_ROW_START | NO_ROW_END and c not in "、。，．,.")


def _no_short_rows(rows, fits):
    """A row after a break shorter than MIN_ROW_LETTERS takes whole phrases from the end of the row
    above (as few as it needs), where both rows still fit and keep the kinsoku rules."""
    for i in range(1, len(rows)):
        if _letters(rows[i]) >= MIN_ROW_LETTERS:
            continue
        both = rows[i - 1] + rows[i]
        cuts, at = [], 0
        for phrase in _phrases(both)[:-1]:
            at += len(phrase)
            cuts.append(at)
        for cut in reversed(cuts):  # the latest cut first: move as little as possible
            upper, lower = _strip(both[:cut]), _strip(both[cut:])
            if cut >= len(rows[i - 1]) or _letters(upper) < MIN_ROW_LETTERS:
                continue
            if _letters(lower) < MIN_ROW_LETTERS or not upper or not lower:
                continue
            if lower[0][0] in NO_ROW_START or upper[-1][0] in NO_ROW_END:
                continue
            if fits(_plain(upper)) and fits(_plain(lower)):
                rows[i - 1], rows[i] = upper, lower
                break
    return rows


def _sentences(chars):
    """Split after 。！？ (and any closing brackets or spaces that follow them)."""
    out, current, i = [], [], 0
    while i < len(chars):
        current.append(chars[i])
        if chars[i][0] in SENTENCE_END:
            while i + 1 < len(chars) and (chars[i + 1][0] in "」』）) 　" or chars[i + 1][0] in SENTENCE_END):
                i += 1
                current.append(chars[i])
            out.append(current)
            current = []
        i += 1
    if _plain(current).strip():
        out.append(current)
    return out


def _balanced_pages(phrases, fits, max_rows: int) -> list[list]:
    """Split one long sentence into the fewest pages, as even in length as possible, preferring
    breaks after a comma (no orphan page holding only 「なる。」)."""
    n = len(phrases)
    best: list[tuple[float, int] | None] = [None] * (n + 1)
    best[0] = (0.0, 0)
    for end in range(1, n + 1):
        for start in range(end):
            if best[start] is None:
                continue
            rows = _pack_rows(phrases[start:end], fits)
            if len(rows) > max_rows:
                continue
            length = sum(len(p) for p in phrases[start:end])
            after_comma = _plain(phrases[end - 1]).rstrip()[-1:] in "、。，！？!?" or end == n
            cost = best[start][0] + 1e6 + length**2 + (0 if after_comma else 200)
            if best[end] is None or cost < best[end][0]:
                best[end] = (cost, start)
    if best[n] is None:  # a phrase wider than two rows: fall back to plain rows, two per page
        rows = _pack_rows(phrases, fits)
        return [rows[i : i + max_rows] for i in range(0, len(rows), max_rows)]
    cuts, end = [], n
    while end:
        cuts.append(end)
        end = best[end][1]
    bounds = [0] + cuts[::-1]
    return [_pack_rows(phrases[a:b], fits) for a, b in zip(bounds, bounds[1:])]


def paginate(text: str, fits: Callable[[str], bool], max_rows: int = 2) -> list[Page]:
    """Pages of at most `max_rows` rows for one line's text; `fits(row_text)` says whether a row
    of plain text fits the subtitle width. Newlines in the text force a new page."""
    pages: list[Page] = []
    for paragraph in display_text(text).split("\n"):
        if not paragraph.strip():
            continue
        chars = _chars(paragraph.strip())
        rows = _pack_rows(_phrases(chars), fits)
        if len(rows) <= max_rows:
            pages.append(Page(tuple(_markup(r) for r in rows)))
            continue
        pending: list = []
        pending_chars: list = []
        for sentence in _sentences(chars):
            sentence_rows = _pack_rows(_phrases(sentence), fits)
            if pending and len(pending) + len(sentence_rows) <= max_rows:
                pending += sentence_rows
                pending_chars += sentence
                continue
            joined = _pack_rows(_phrases(pending_chars + sentence), fits) if pending else []
            if pending and len(joined) <= max_rows:  # 「そう。」 shares a row with what follows
                pending, pending_chars = joined, pending_chars + sentence
                continue
            if pending:
                pages.append(Page(tuple(_markup(r) for r in pending)))
            if len(sentence_rows) > max_rows:
                chunks = _balanced_pages(_phrases(sentence), fits, max_rows)
                pages.extend(Page(tuple(_markup(r) for r in chunk)) for chunk in chunks[:-1])
                sentence_rows = chunks[-1]
            pending, pending_chars = sentence_rows, sentence
        if pending:
            pages.append(Page(tuple(_markup(r) for r in pending)))
    return pages


def plain_text(markup: str) -> str:
    return markup.replace(EMPH, "")
