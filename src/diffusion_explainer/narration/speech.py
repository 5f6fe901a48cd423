"""One line of speech as a cached WAV file: `synthesize(reading, voice, speed)`.

Each clip is an entry of the store <cache>/speech/ (core/store.py; the cache root is build/cache,
or DIFFUSION_EXPLAINER_CACHE), keyed by everything that changes its sound, so editing a line
re-synthesises that line only and a second render synthesises nothing. An entry is a folder:
SPEECH_NAME, the WAV that narration tracks are mixed from, and FACTS_NAME, what it is (reading,
voice, speed, lengths). The entry's name starts with the engine and the voice, to help a person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..core.keys import digest
from ..core.runtime import cache_dir
from ..core.store import Store
from .audio_files import write_wav
from .clip_shaping import CLIP_LUFS, LEAD_IN_S, level, trim_silence
from .engines import MAX_SPEED, MIN_SPEED, Engine, get_engine
from .readings import normalise_reading
from .silent_mode import estimate_duration, silent_mode

# Bump when the processing after the engine changes (levels, trimming): old clips are then stale.
SHAPING_VERSION = f"2: {CLIP_LUFS} LUFS, lead-in {LEAD_IN_S} s"
# A faster clip is accepted this fraction under its target length: the engine's lengths jump as
# its rounded phoneme lengths change together (a 2.6 s line moved in steps of about 0.1 s).
RATE_TOLERANCE = 0.05
RATE_ATTEMPTS = 3
SPEECH_NAME, FACTS_NAME = "speech.wav", "facts.json"

_synthesised = 0  # clips this process has written; tests read it through synthesis_count()


@dataclass(frozen=True)
class Speech:
    path: Path | None  # a mono 16-bit WAV; None in silent mode, where nothing is synthesised
    duration_s: float  # of the file (or the estimate in silent mode)
    sample_rate: int  # of the file; 0 in silent mode
    lead_in_s: float = 0.0  # silence before the voice starts in the file
    cached: bool = False  # True when the file was already there and nothing was synthesised

    @property
    def silent(self) -> bool:
        return self.path is None


class _Render(NamedTuple):
    samples: np.ndarray
    rate: int
    lead_in_s: float
    engine_speed: float

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate


def synthesize(
    text: str, voice: str, speed: float = 1.0, engine: str = "kokoro", *, silent: bool | None = None
) -> Speech:
    """The speech of one line's reading (the `say:` reading, else its text).

    Markdown emphasis and full-width ASCII are normalised; symbols are not given readings (see
    readings.unreadable_symbols). At `speed` s the clip is at most 1/s as long as at 1.0 and at
    most RATE_TOLERANCE shorter than that, at the same pitch (the 1.0 clip is made first if it is
    not cached). In silent mode (argument, or DIFFUSION_EXPLAINER_SILENT=1) nothing is
    synthesised and the duration is estimated from the reading's length.
    """
    reading, speed, chosen = _checked(text, voice, speed, engine)
    if silent_mode(silent):
        return Speech(None, estimate_duration(reading, voice, speed, chosen.language), 0)
    key = speech_key(chosen.name, chosen.version(), voice, reading, speed)
    found = _read_cached(key)
    if found is not None:
        return found

    if speed == 1.0:
        render = _render_shaped(chosen, reading, voice, 1.0)
    else:
        target_s = synthesize(reading, voice, 1.0, engine, silent=False).duration_s / speed
        render = _render_to_length(chosen, reading, voice, speed, target_s)
    facts = {
        "engine": chosen.name,
        "engine_version": chosen.version(),
        "voice": voice,
        "speed": speed,
        "engine_speed": render.engine_speed,
        "reading": reading,
        "duration_s": render.duration_s,
        "sample_rate": render.rate,
        "lead_in_s": render.lead_in_s,
    }
    store = _store()
    with store.making() as work:
        (work / FACTS_NAME).write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")
        write_wav(work / SPEECH_NAME, render.samples, render.rate)
        entry = store.put_files(key, work)
    global _synthesised
    _synthesised += 1
    return Speech(entry / SPEECH_NAME, render.duration_s, render.rate, render.lead_in_s, cached=False)


def cached_speech(text: str, voice: str, speed: float = 1.0, engine: str = "kokoro") -> Speech | None:
    """The speech `synthesize` would return from its cache, or None if it would synthesise."""
    reading, speed, chosen = _checked(text, voice, speed, engine)
    return _read_cached(speech_key(chosen.name, chosen.version(), voice, reading, speed))


def speech_key(engine: str, engine_version: str, voice: str, reading: str, speed: float) -> str:
    """The clip's key in the store: the engine and the voice, then a hash of all its inputs."""
    return f"{engine}-{voice}-" + digest([engine, engine_version, voice, reading, f"{speed:.3f}", SHAPING_VERSION])


def synthesis_count() -> int:
    """How many clips this process has synthesised (cache hits do not count)."""
    return _synthesised


def _checked(text: str, voice: str, speed: float, engine: str) -> tuple[str, float, Engine]:
    reading = normalise_reading(text)
    if not reading:
        raise ValueError(f"nothing to say in {text!r}")
    chosen = get_engine(engine)
    speed = round(speed, 3)  # as the cache key has it, so 1.2 and 1.2000001 share one file
    chosen.check(voice, speed)
    return reading, speed, chosen


def _store() -> Store:
    return Store(cache_dir("speech"))  # never pruned: a clip costs seconds of synthesis


def _read_cached(key: str) -> Speech | None:
    store = _store()
    entry = store.entry_dir(key)
    if entry is None:
        return None
    try:
        facts = json.loads((entry / FACTS_NAME).read_text(encoding="utf-8"))
        return Speech(entry / SPEECH_NAME, facts["duration_s"], facts["sample_rate"], facts["lead_in_s"], cached=True)
    except (OSError, ValueError, KeyError, TypeError) as e:  # intact, but not what this code writes
        store.discard(key, f"{FACTS_NAME} unusable: {type(e).__name__}")
        return None


def _render_shaped(chosen: Engine, reading: str, voice: str, engine_speed: float) -> _Render:
    samples, rate = chosen.render(reading, voice, engine_speed)
    if not np.any(np.abs(samples) > 1e-3):
        raise ValueError(f"{chosen.name} said nothing for {reading!r}: does it need a kana reading?")
    samples, lead_in_s = trim_silence(level(samples, rate), rate)
    return _Render(samples, rate, lead_in_s, engine_speed)


def _render_to_length(chosen: Engine, reading: str, voice: str, speed: float, target_s: float) -> _Render:
    """A render no longer than `target_s` and as close to it as the engine gets.

    The engine's rate is only roughly proportional (1.2 gave 1.10x to 1.24x on one sentence), so
    it is corrected from the length each render gave, up to RATE_ATTEMPTS renders. The best is
    the longest render that is not too long, else the shortest.
    """
    engine_speed, renders = speed, []
    for _ in range(RATE_ATTEMPTS):
        render = _render_shaped(chosen, reading, voice, engine_speed)
        renders.append(render)
        if (1 - RATE_TOLERANCE) * target_s <= render.duration_s <= target_s:
            return render
        engine_speed = min(MAX_SPEED, max(MIN_SPEED, engine_speed * render.duration_s / target_s))
    fitting = [r for r in renders if r.duration_s <= target_s]
    if fitting:
        return max(fitting, key=lambda r: r.duration_s)
    return min(renders, key=lambda r: r.duration_s)
