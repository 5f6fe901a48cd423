"""Breaking an English dialogue line into subtitle pages of at most two rows, at word boundaries.

The English version's counterpart of paging.py (which breaks Japanese between BudouX phrases):
- a page ends at a sentence end (or a line break in the screenplay) where possible, so a page
  reads as a whole thought; a sentence too long for one page is cut where its rows balance best;
- a page's two rows break at a space, as evenly as the width allows, preferring a break after a
  comma and avoiding one after a word that leans on the next (the, a, of, to...);
- `**emphasis**` over several words is closed at a row's end and reopened on the next row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .paging import EMPH, Page

# Words that lean on the next one: a row ending with them reads as cut off mid-phrase.
LEANING = {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "but", "so",
           "as", "if", "that", "this", "its", "it's", "their", "our", "your", "we", "you", "i", "is", "are"}
_SENTENCE = re.compile(r"(?<=[.!?…])(?<!\b\d\.)\s+|\n+")  # not after a list's "1."


def _rows_of(words: list[str]) -> str:
    return " ".join(words)


def _emphasised(words: list[str]) -> list[str]:
    """The words with `**` balanced in each: an emphasis over several words is marked on each word."""
    out, inside = [], False
    for word in words:
        opens = word.count(EMPH) % 2 == 1
        marked = word
        if inside and not word.startswith(EMPH):
            marked = EMPH + marked
        if (inside != opens) and not marked.endswith(EMPH) and not re.search(r"\*\*\W*$", marked):
            marked = marked + EMPH  # still open at this word's end: close it here
        inside = inside != opens
        out.append(marked)
    return out


def _join_row(words: list[str]) -> str:
    """A row from marked words: `**a** **b**` reads back as `**a b**`."""
    return re.sub(r"\*\*(\W*) \*\*", r"\1 ", _rows_of(words))


def _break_cost(first: list[str], second: list[str]) -> float:
    cost = abs(len(_join_row(first)) - len(_join_row(second)))
    last = re.sub(r"[^a-z']", "", first[-1].lower())
    if last in LEANING:
        cost += 25
    if first[-1].rstrip("*").endswith((".", "?", "!")):
        cost -= 20  # two sentences, one a row
    elif first[-1].rstrip("*").endswith((",", ";", ":")):
        cost -= 10
    if len(second) == 1:
        cost += 15  # an orphan word on a row of its own
    return cost


def _best_split(words: list[str], fits: Callable[[str], bool], max_rows: int) -> list[list[str]] | None:
    """The words as at most `max_rows` rows that fit, broken where it reads best; None if they cannot."""
    if fits(_join_row(words)) and (max_rows == 1 or len(words) < 2 or not _too_long_for_one(words)):
        return [words]
    if max_rows < 2:
        return None
    options = [(words[:k], words[k:]) for k in range(1, len(words))
               if fits(_join_row(words[:k])) and fits(_join_row(words[k:]))]
    if not options:
        return None
    first, second = min(options, key=lambda rows: _break_cost(*rows))
    return [first, second]


def _too_long_for_one(words: list[str]) -> bool:
    """A row over 42 characters (the usual English subtitle limit) reads better as two."""
    return len(_join_row(words)) > 42


def paginate_english(text: str, fits: Callable[[str], bool], max_rows: int = 2) -> list[Page]:
    """`text` as subtitle pages: each at most `max_rows` rows, each row `fits` (a width check)."""
    pages: list[list[str]] = []
    for sentence in (s for s in _SENTENCE.split(text.strip()) if s.strip()):
        words = _emphasised(sentence.split())
        joined = pages[-1] + words if pages else []
        if joined and _best_split(joined, fits, max_rows) and len(_best_split(pages[-1], fits, max_rows)) == 1 \
                and (not _too_long_for_one(joined) or len(_best_split(words, fits, max_rows)) == 1):
            pages[-1] = joined  # a short sentence shares a page with a one-row one beside it
            continue
        while words:
            take = len(words)
            while take > 1 and _best_split(words[:take], fits, max_rows) is None:
                take -= 1
            # cut a long sentence after a comma, evenly if what is left then fits one page
            if take < len(words):
                cuts = [k for k in range(1, take) if words[k - 1].rstrip("*").endswith((",", ";", ":"))] + [take]
                even = [k for k in cuts if _best_split(words[k:], fits, max_rows)]
                take = min(even, key=lambda k: abs(len(_join_row(words[:k])) - len(_join_row(words[k:])))) \
                    if even else cuts[-1] if cuts[-1] * 2 >= take else take
            pages.append(words[:take])
            words = words[take:]
    result = []
    for page in pages:
        rows = _best_split(page, fits, max_rows) or [page]
        result.append(Page(tuple(_join_row(row) for row in rows)))
    return result
