"""The delivered file's numbers, read back: size, frames, codecs, fast start, chapters, loudness."""

from __future__ import annotations

import math
from pathlib import Path

import av

from ..narration.loudness import integrated_loudness, true_peak_db
from ..narration.mixing import TARGET_LUFS, TRUE_PEAK_CEILING_DB
from ..render.probe import probe
from .audio import Sound


def file_facts(video: Path) -> dict:
    facts = probe(video)
    with av.open(str(video)) as container:
        chapters = [{"start_s": round(float(c["start"] * c["time_base"]), 3), "end_s": round(float(c["end"] * c["time_base"]), 3),
                     "title": c["metadata"].get("title", "")} for c in container.chapters()]
    return {
        "file": video.name,
        "bytes": video.stat().st_size,
        "duration_s": round(facts.container_duration_s, 4),
        "frames": facts.frames,
        "size": f"{facts.width}x{facts.height}",
        "fps": float(facts.fps),
        "video_codec": facts.codec,
        "video_profile": facts.profile,
        "pixel_format": facts.pix_fmt,
        "audio_codec": facts.audio_codec,
        "audio_profile": facts.audio_profile,
        "audio_rate": facts.audio_rate,
        "audio_channels": facts.audio_channels,
        "audio_duration_s": round(facts.audio_duration_s, 4),
        "fast_start": facts.fast_start,
        "chapters": chapters,
    }


def _db(value: float) -> float | None:
    return round(value, 2) if math.isfinite(value) else None  # JSON has no -inf: silence is null


def loudness(sound: Sound) -> dict:
    """Integrated loudness (BS.1770) and true peak of what the viewer hears, against the mix's targets."""
    lufs, peak = integrated_loudness(sound.samples, sound.rate), true_peak_db(sound.samples)
    return {
        "source": sound.source,
        "integrated_lufs": _db(lufs),
        "true_peak_dbtp": _db(peak),
        "target_lufs": TARGET_LUFS,
        "true_peak_ceiling_dbtp": TRUE_PEAK_CEILING_DB,
        "within_target": math.isfinite(lufs) and abs(lufs - TARGET_LUFS) <= 1.0 and peak <= TRUE_PEAK_CEILING_DB + 0.1,
    }
