"""How fast each subtitle must be read: characters per second of the time it is on screen.

Counted as Japanese subtitling counts (Netflix's Japanese guide, EZTitles): a full-width character
is 1, a half-width one (Latin letters, digits, half-width spaces and punctuation) 0.5; the
speaker's name is not counted (the viewer does not re-read it). A line's speed is that of its
fastest page, since each page must be read while it is up.

The bounds: 4 characters per second is the long-standing rule of Japanese film subtitling
(`COMFORTABLE_CPS`); eye-tracking studies of Japanese viewers (Toyokura & Yamada 2017, Sasaki)
found up to 6 accepted without loss of comprehension or comfort (`MAX_CPS`). Narration subtitles
show every spoken word, so lines above 4 are expected; lines above 6 are flagged.

The English captions of the Japanese video, and the English video's own subtitles, are counted as
English subtitling counts them: every character, spaces and punctuation included, one each (the
name not counted). The bounds: 17 characters per second is
Netflix's rate for children's programmes and the BBC's comfortable pace (160-180 words a minute),
20 the usual ceiling for adults (Netflix's English guide); lines above 20 are flagged.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .record import ReviewRecord

COMFORTABLE_CPS = 4.0
MAX_CPS = 6.0
BOUND_REASON = ("4 characters per second is the long-standing rule of Japanese subtitling; eye-tracking "
                "studies of Japanese viewers found up to 6 read without loss of comfort, so lines above 6 are "
                "flagged (full-width characters count 1, half-width 0.5, the speaker's name not at all)")


ENGLISH_COMFORTABLE_CPS = 17.0
ENGLISH_MAX_CPS = 20.0
ENGLISH_BOUND_REASON = ("English captions: every character counts 1, spaces and punctuation included (the speaker's "
                        "name not); 17 characters per second is a comfortable pace (Netflix's children's rate, the "
                        "BBC's 160-180 words a minute), 20 the usual ceiling for adults, so lines above 20 are flagged")


def characters(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in ("F", "W") else 0.5
               for c in text if c not in "\n\r")


@dataclass(frozen=True)
class ReadingSpeed:
    scene_id: str
    line_id: str
    start_s: float
    characters: float
    shown_s: float  # the line's subtitles are on screen
    cps: float  # its fastest page
    mean_cps: float  # all its characters over all its time

    language: str = "ja"

    @property
    def max_cps(self) -> float:
        return MAX_CPS if self.language == "ja" else ENGLISH_MAX_CPS

    @property
    def flagged(self) -> bool:
        return self.cps > self.max_cps


def english_characters(rows: tuple[str, ...]) -> int:
    """An English page's characters: its rows as one line, every character 1."""
    return len(" ".join(rows))


def bounds(language: str) -> tuple[float, float, str]:
    """(comfortable, flagged above, why) of the reading speed of subtitles in `language`."""
    if language == "en":
        return ENGLISH_COMFORTABLE_CPS, ENGLISH_MAX_CPS, ENGLISH_BOUND_REASON
    return COMFORTABLE_CPS, MAX_CPS, BOUND_REASON


def _language_of(line, video_language: str) -> str:
    """A line's subtitle language: the video's, except a line of the English video not translated yet."""
    japanese = any(unicodedata.east_asian_width(c) in ("F", "W") for c in line.text)
    return "en" if video_language == "en" and not japanese else "ja"


def reading_speeds(record: ReviewRecord) -> list[ReadingSpeed]:
    """The video's own subtitles' speeds, one per line, each counted in its language's units."""
    speeds = []
    for line in record.lines:
        language = _language_of(line, record.language)
        count = english_characters if language == "en" else (lambda rows: characters("".join(rows)))
        page_cps = [count(p.rows) / max(1e-3, (p.end_ms - p.start_ms) / 1000) for p in line.pages]
        chars = sum(count(p.rows) for p in line.pages)
        shown_s = (line.end_ms - line.start_ms) / 1000
        speeds.append(ReadingSpeed(line.scene_id, line.line_id, line.start_ms / 1000, chars, round(shown_s, 3),
                                   round(max(page_cps), 2), round(chars / max(1e-3, shown_s), 2), language))
    return speeds


def english_reading_speeds(record: ReviewRecord) -> list[ReadingSpeed]:
    """The English captions' speeds, one per translated line (shown from its first page to its last)."""
    speeds = []
    for line in (line for line in record.lines if line.en_pages):
        pages = line.en_pages
        page_cps = [english_characters(p.rows) / max(1e-3, (p.end_ms - p.start_ms) / 1000) for p in pages]
        chars = sum(english_characters(p.rows) for p in pages)
        shown_s = (pages[-1].end_ms - pages[0].start_ms) / 1000
        speeds.append(ReadingSpeed(line.scene_id, line.line_id, pages[0].start_ms / 1000, chars, round(shown_s, 3),
                                   round(max(page_cps), 2), round(chars / max(1e-3, shown_s), 2), "en"))
    return speeds
