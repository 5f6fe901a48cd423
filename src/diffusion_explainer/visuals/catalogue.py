"""On-screen texts in the render's language, from a gettext message catalogue.

A scene file writes its texts in Japanese, each through `tr`:

    label(tr("元の画像"))
    number_text = tr("ノイズ {t}").format(t=step)   # numbers stay computed: the catalogue holds the pattern
    label(tr(step.change_words[0]))   # a demo's Words (demos/words.py): its pattern, filled with its numbers

`tr` returns the text itself in a Japanese render and its translation in another language's
render, from `locale/<language>/LC_MESSAGES/scenes.po` beside this package (GNU gettext's format:
the field's standard, which translators' tools and services read). A text without a translation
(or with one marked fuzzy) stays Japanese; `check` lists them (checks/translations.py).

The .po file is the only thing kept: it is compiled when first used, in memory, with Babel
(`babel.messages.mofile`) and looked up with Python's own `gettext`, so a fresh clone, an edited
catalogue and a worker on another machine need no build step and never read a stale .mo.

The language is the render's: Japanese unless the scene process is told otherwise
(`set_language`, from the plan it was handed).

Texts the screenplay itself gives in both languages (the video's title and subtitle, a section
title in its cue's words) come from the screenplay, not the catalogue: `in_render_language`.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
from collections.abc import Iterator
from pathlib import Path

from ..demos.words import Words

SOURCE_LANGUAGE = "ja"  # the language scene files are written in: tr() returns it unchanged
DOMAIN = "scenes"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

_language = SOURCE_LANGUAGE


def catalogue_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    """Where a language's translations of the on-screen texts are: locale/en/LC_MESSAGES/scenes.po."""
    return Path(locale_dir) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def set_language(language: str) -> None:
    """The language `tr` answers in from now on, in this process."""
    global _language
    _language = language


def current_language() -> str:
    return _language


@contextlib.contextmanager
def language(name: str) -> Iterator[None]:
    """`tr` in `name` within the block (tests, a preview)."""
    before = current_language()
    set_language(name)
    try:
        yield
    finally:
        set_language(before)


def tr(message: str) -> str:
    """`message` (Japanese, as the scene file writes it) in the render's language; a demo's
    `Words`, its pattern's translation filled with its values (themselves translated if Words)."""
    if _language == SOURCE_LANGUAGE:
        return str(message)
    if isinstance(message, Words):
        return tr(message.pattern).format(**{name: tr(value) if isinstance(value, Words) else value
                                             for name, value in message.values.items()})
    return translations(_language).gettext(message)


def in_render_language(japanese: str, english: str | None) -> str:
    """A text the screenplay gives in Japanese and English (`title` and `en_title`), in the
    render's language: the English in an English render (the Japanese while it has none)."""
    return english if _language == "en" and english else japanese


def translations(language: str, locale_dir: Path = LOCALE_DIR) -> gettext.NullTranslations:
    """A language's catalogue, compiled from its .po (as it is on disk now); none: every text
    stays as written."""
    path = catalogue_path(language, locale_dir)
    if not path.exists():
        return gettext.NullTranslations()
    stat = path.stat()
    return _compiled(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _compiled(path: Path, mtime_ns: int, size: int) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        catalog = read_po(f)
    mo = io.BytesIO()
    write_mo(mo, catalog)  # fuzzy translations are left out: they stay Japanese on screen
    mo.seek(0)
    return gettext.GNUTranslations(mo)
