"""The sound the report measures, read back from the rendered files: loudness and voice onsets.

Voice onsets are found in the narration stem (the speech alone, beside the video) when the render
left one of the video's length: under a music bed, the rise of energy at a line's start is the
music's as much as the voice's. Without a stem they come from the video's own soundtrack, which
is then speech only. Loudness is always the video's soundtrack: what a viewer hears.

Decoding and measuring 10 minutes of sound takes about 20 s, so the results are kept under the
digest of what was measured (the video's audio packets, the stem's bytes): a render that changed
only pictures measures nothing again.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import math
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from ..core import runtime
from ..core.files import write_text
from ..core.store import Store
from ..narration.audio_files import read_wav
from ..narration.loudness import integrated_loudness, true_peak_db
from ..narration.mixing import TARGET_LUFS, TRUE_PEAK_CEILING_DB
from ..narration.onsets import onsets_in

MEASURES_VERSION = 2  # bump when what is measured, or how, changes


@dataclass(frozen=True)
class Sound:
    samples: np.ndarray  # float32, (frames, channels), in [-1, 1]
    rate: int
    source: str  # what was read, for the report


@dataclass(frozen=True)
class SoundMeasures:
    loudness: dict
    onsets_s: tuple[float, ...]  # where sound rises after silence, in the video's seconds
    onsets_source: str
    other_threads_cpu_s: float = 0.0  # what measuring took beside the caller's thread (0 when kept)


def video_sound(video: Path, name: str | None = None) -> Sound:
    """The video's first audio stream, decoded (AAC) to float samples (none: no samples).
    `name`: the file to name as the source (see sound_measures)."""
    name = name or video.name
    with av.open(str(video)) as container:
        if not container.streams.audio:
            return Sound(np.zeros((0, 2), np.float32), 48000, f"{name} (no audio stream)")
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
        rate = stream.codec_context.sample_rate
    planar = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    return Sound(np.ascontiguousarray(planar.T, dtype=np.float32), rate, f"{name} (its soundtrack)")


def usable_stem(stem: Path | None, duration_s: float) -> Path | None:
    """The speech-only stem if it is there, of the video's length (another length means it was
    left by another render) and in 16-bit PCM (what read_wav reads)."""
    if stem is None or not stem.exists():
        return None
    try:
        with wave.open(str(stem), "rb") as wav:
            seconds, width = wav.getnframes() / wav.getframerate(), wav.getsampwidth()
    except (wave.Error, EOFError):
        return None
    return stem if width == 2 and abs(seconds - duration_s) < 0.1 else None


def _db(value: float) -> float | None:
    return round(float(value), 2) if math.isfinite(value) else None  # JSON has no -inf: silence is null


def _loudness_dict(source: str, lufs: float, peak: float) -> dict:
    """Integrated loudness (BS.1770) and true peak of `source`, against the narration mix's targets."""
    return {
        "source": source,
        "integrated_lufs": _db(lufs),
        "true_peak_dbtp": _db(peak),
        "target_lufs": TARGET_LUFS,
        "true_peak_ceiling_dbtp": TRUE_PEAK_CEILING_DB,
        "within_target": bool(math.isfinite(lufs) and abs(lufs - TARGET_LUFS) <= 1.0
                              and peak <= TRUE_PEAK_CEILING_DB + 0.1),
    }


def _digest(video: Path, stem: Path | None) -> str:
    h = hashlib.sha256(f"v{MEASURES_VERSION}".encode())
    with av.open(str(video)) as container:
        for stream in container.streams.audio[:1]:
            for packet in container.demux(stream):
                h.update(bytes(packet))
    if stem is not None:
        h.update(stem.read_bytes())
    return h.hexdigest()[:24]


KEEP_SOUND_MEASURES = 32  # earlier soundtracks' measures kept in the store (an edit undone finds its own)


def sound_measures(video: Path, stem: Path | None, duration_s: float, cache: Path,
                   video_name: str | None = None, store: Store | None = None,
                   heard: tuple[float, float] | None = None) -> SoundMeasures:
    """Loudness of the video's sound and the onsets of its voices (in `stem`, the narration alone,
    if usable), from `cache` when the sound is the one measured last, or from the store (default
    the cache's sound_measures/) when it was measured before: undoing an edit measures nothing.

    The render measures its soundtrack file (`video`) with `video_name` the video it goes into,
    while the video is being joined: the join copies the soundtrack's packets, so their digest is
    the video's and the page finds these measures kept; a video whose packets differ is measured
    again. `heard`: (true peak, loudness) of the soundtrack as its encoder measured them, segment by
    segment (sound.soundtrack.Soundtrack.heard): then it is not decoded again, and only the voice
    onsets are measured (an edit's render measured 10 minutes of sound for 6.5 CPU-s before)."""
    stem = usable_stem(stem, duration_s)
    key = _digest(video, stem)
    kept = json.loads(cache.read_text(encoding="utf-8")) if cache.exists() else {}
    other_cpu_s = 0.0
    if kept.get("key") != key:
        store = store if store is not None else Store(runtime.cache_dir("sound_measures"), keep=KEEP_SOUND_MEASURES)
        kept = store.get_object(key)
        if kept is None and heard is not None and stem is not None:
            (peak, lufs), source = heard, f"{video_name or video.name} (its soundtrack, measured as it was encoded)"
            speech = Sound(*read_wav(stem), f"{stem.name} (the narration stem)")
            onsets = onsets_in(speech.samples, speech.rate) if len(speech.samples) else []
        elif kept is None:
            sound = video_sound(video, video_name)
            source = sound.source
            speech = Sound(*read_wav(stem), f"{stem.name} (the narration stem)") if stem else sound
            (peak, lufs, onsets), other_cpu_s = _at_once(
                (true_peak_db, sound.samples), (integrated_loudness, sound.samples, sound.rate),
                (onsets_in, speech.samples, speech.rate) if len(speech.samples) else (list,))
        if kept is None:
            kept = {"key": key, "loudness": _loudness_dict(source, lufs, peak), "onsets_s": onsets,
                    "onsets_source": speech.source}
            store.put_object(key, kept)
        write_text(cache, json.dumps(kept, ensure_ascii=False))
    return SoundMeasures(kept["loudness"], tuple(kept["onsets_s"]), kept["onsets_source"], other_cpu_s)


def _at_once(*calls) -> tuple[list, float]:
    """Each (function, *arguments) at once, the first in this thread and the others in threads of
    their own (their NumPy and SciPy work releases the GIL: true peak and loudness of ten minutes
    took 8.3 s one after the other, 4.9 s at once on two cores). The results in order, and the
    CPU seconds of the other threads."""
    def timed(function, *arguments):
        cpu = time.thread_time()
        return function(*arguments), time.thread_time() - cpu

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(calls) - 1),
                                               thread_name_prefix="measure") as pool:
        others = [pool.submit(timed, *call) for call in calls[1:]]
        first, _ = timed(*calls[0])
        done = [future.result() for future in others]
    return [first, *(result for result, _ in done)], sum(cpu for _, cpu in done)
