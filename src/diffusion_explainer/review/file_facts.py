"""The delivered file's numbers, read back: size, frames, codecs, fast start, chapters."""

from __future__ import annotations

from pathlib import Path

import av

from ..media.probe import probe


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
