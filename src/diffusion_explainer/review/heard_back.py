"""The narration heard back: each line's voice, cut from the narration stem by the timeline, heard
by Whisper base (narration.hearing) and compared with the line as katakana readings (the English
video: as words, lower case without punctuation; its `cer` is then the word error rate).

What a line is compared with: its subtitle text when the speech engine can read it (so a `say:`
that reads a word wrongly is heard as an error), else its `say:` reading (x₀, βₜ, 512×512: the
author's reading is the only one there is).

Flagged: a character error rate above max(FLAG_FLOOR, mean + 3 sd of the other lines). The other
lines, not all of them: one line far off pulls the mean and the spread of a short screenplay up
until it hides itself. The floor, because Whisper base mishears a little of clean speech:
this video's 50 lines scored a mean of about 0.04, the worst 0.12-0.18 (short exclamations, where
one sound is a fifth of the line, and 「から絵が」); one wrong word in a line of 15 sounds is
about 0.27 (ニンジン read for ノイズ in 「今日はノイズの話をしよう」).
"""

from __future__ import annotations

import re
import statistics
import time
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..narration import hearing
from ..narration.readings import normalise_reading, unreadable_symbols
from .record import LineRecord, ReviewRecord

FLAG_FLOOR = 0.2
LEAD_S = 0.15  # heard from a little before the planned start (the voice's first consonant)
TAIL_S = 0.3  # and after its planned end, up to where the next line starts


@dataclass(frozen=True)
class HeardLine:
    scene_id: str
    line_id: str
    compared_with: str  # "text" or "say"
    expected: str  # katakana (English: words)
    heard: str  # as Whisper wrote it
    heard_reading: str  # katakana (English: words)
    cer: float  # the character error rate (English: the word error rate)
    threshold: float = 0.0
    flagged: bool = False


def reference_text(line: LineRecord) -> tuple[str, str]:
    """("text" | "say", what the line is compared with): see the module's docstring."""
    if not unreadable_symbols(line.text) or not line.reading:
        return "text", normalise_reading(line.text)
    return "say", normalise_reading(line.reading)


def english_words(text: str) -> list[str]:
    """English as compared: lower case, apostrophes kept, other punctuation and emphasis out; 512×512
    and 512x512 as `512 x 512`."""
    text = re.sub(r"(?<=\d)\s*[x×]\s*(?=\d)", " x ", text.lower().replace("’", "'").replace("-", " "))
    return re.sub(r"[^a-z0-9' ]", " ", text).split()


def score_english(line: LineRecord, heard: str) -> HeardLine:
    """A line of the English video against what was heard, word by word: against its text, and
    against its English `say:` where it has one (Whisper writes "five-twelve" as 512, as the text
    does, or spells out what the text writes as a symbol), whichever it matches better."""
    heard_words = english_words(heard)
    scored = []
    for compared_with, text in (("text", line.text), ("say", line.reading)):
        if text and (compared_with == "text" or text != line.text):
            expected = english_words(text)
            rate = hearing.edit_distance(expected, heard_words) / max(1, len(expected))
            scored.append((round(rate, 3), compared_with, " ".join(expected)))
    rate, compared_with, expected = min(scored)
    return HeardLine(line.scene_id, line.line_id, compared_with, expected, heard, " ".join(heard_words), rate)


def score(line: LineRecord, heard: str) -> HeardLine:
    compared_with, text = reference_text(line)
    expected, heard_reading = hearing.katakana_reading(text), hearing.katakana_reading(heard)
    return HeardLine(line.scene_id, line.line_id, compared_with, expected, heard, heard_reading,
                     round(hearing.character_error_rate(expected, heard_reading), 3))


def flag(lines: list[HeardLine]) -> list[HeardLine]:
    """Each line with its threshold, max(FLAG_FLOOR, mean + 3 sd of the others), and flagged above it."""
    flagged = []
    for i, line in enumerate(lines):
        others = [other.cer for j, other in enumerate(lines) if j != i]
        spread = statistics.fmean(others) + 3 * statistics.pstdev(others) if others else 0.0
        threshold = round(max(FLAG_FLOOR, spread), 3)
        flagged.append(HeardLine(**{**asdict(line), "threshold": threshold, "flagged": line.cer > threshold}))
    return flagged


def english(line: LineRecord, record: ReviewRecord) -> bool:
    """Whether a line of the record is spoken in English (the English video's, unless not translated yet)."""
    return record.language == "en" and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", line.text)


def line_audio(stem: wave.Wave_read, line: LineRecord, previous_end_ms: int) -> tuple[np.ndarray, int]:
    """The line's voice from the stem: from LEAD_S before its planned start (not into the line
    before's voice) to TAIL_S after its planned end (not into the next line's)."""
    rate = stem.getframerate()
    start = max(line.start_ms / 1000 - LEAD_S, previous_end_ms / 1000, 0.0)
    end = min(line.speech_end_ms / 1000 + TAIL_S, line.end_ms / 1000)
    first = round(start * rate)
    stem.setpos(min(first, stem.getnframes()))
    pcm = np.frombuffer(stem.readframes(max(0, round(end * rate) - first)), "<i2")
    return pcm.reshape(-1, stem.getnchannels()).astype(np.float32) / 32768.0, rate


def hear_lines(record: ReviewRecord, stem: Path) -> dict:
    """Every line of `record` heard back from `stem` (the narration alone, 16-bit PCM), for the report."""
    started = time.monotonic()
    heard, previous_end_ms = [], 0
    with wave.open(str(stem), "rb") as wav:
        for line in record.lines:
            samples, rate = line_audio(wav, line, previous_end_ms)
            if english(line, record):
                heard.append(score_english(line, hearing.hear(samples, rate, language="en")))
            else:
                heard.append(score(line, hearing.hear(samples, rate, language="ja")))
            previous_end_ms = line.speech_end_ms
    lines = flag(heard)
    rates = [line.cer for line in lines]
    measure = ("character error rate of what was heard against the line, both as katakana readings "
               "(pyopenjtalk); against the subtitle text when the engine can read it, else its say: reading")
    if record.language == "en":
        measure = ("word error rate of what was heard against the line's English (its say: reading where it has "
                   "one), lower case without punctuation")
    return {
        "engine": f"Whisper base (faster-whisper, int8, beam 5, language {record.language})",
        "unit": "word" if record.language == "en" else "character",
        "measure": measure,
        "flag_rule": f"above max({FLAG_FLOOR:g}, mean + 3 sd of the other lines)",
        "source": stem.name,
        "lines_heard": len(lines),
        "mean_cer": round(statistics.fmean(rates), 3) if rates else None,
        "median_cer": round(statistics.median(rates), 3) if rates else None,
        "max_cer": max(rates, default=None),
        "flagged": [f"{line.scene_id}/{line.line_id}" for line in lines if line.flagged],
        "seconds": round(time.monotonic() - started, 1),
        "lines": [asdict(line) for line in lines],
    }
