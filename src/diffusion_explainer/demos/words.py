"""On-screen words a demo composes from what it measured, kept translatable.

A demo words its captions from its own numbers (「引くのは予測ノイズの 2% だけ：すこしだけきれいになる」),
yet holds no language: its results are shared by every language's render. `Words` is that text in
Japanese, a plain `str` for the Japanese video and for tests, that also keeps the pattern it was
filled from and the values it was filled with:

    Words("引くのは予測ノイズの {share}", share="2%")   # == "引くのは予測ノイズの 2%"

`tr(words)` (visuals/catalogue.py) fills the catalogue's translation of the pattern with the same
values, so the numbers stay computed and only the words change. The pattern is a msgid of the
catalogue: checks/translations.py extracts `Words("...")` as it extracts `tr("...")`, so it must be
a literal.
"""

from __future__ import annotations

from collections.abc import Iterable


class Words(str):
    """A Japanese on-screen text: `pattern` filled with `values` (numbers, or other Words)."""

    pattern: str
    values: dict

    def __new__(cls, pattern: str, **values) -> Words:
        text = super().__new__(cls, pattern.format(**values))
        text.pattern, text.values = pattern, values
        return text

    def __reduce__(self):  # kept on disk by demos/memo.py: rebuilt from its pattern, not its text
        return _rebuilt, (type(self), self.pattern, self.values)


def _rebuilt(cls, pattern: str, values: dict) -> Words:
    return cls(pattern, **values)


def listed(items: Iterable[str]) -> str:
    """Items as a list for the screen: 「0、1、3」 in Japanese, its separator translated with the
    rest (one item is itself)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return Words("{first}、{rest}", first=items[0], rest=listed(items[1:]))
