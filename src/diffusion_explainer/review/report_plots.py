"""The report's plots (matplotlib, drawn off screen): where a person would rather look than read.

- voice_timing: each line's voice onset minus its subtitle's appearance, along the video, with
  the band a viewer does not notice;
- reading_speed: each line's characters per second against the two bounds;
- ocr_similarity: each subtitle page's similarity to its text, read back from the picture.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from ..core import style  # noqa: E402
from ..core.files import atomic_path  # noqa: E402
from .reading_speed import ReadingSpeed, bounds  # noqa: E402
from .record import ReviewRecord  # noqa: E402
from .voice_timing import VOICE_EARLY_S, VOICE_LATE_S, VoiceOnset  # noqa: E402

SIZE_IN = (10, 3.6)
DPI = 110
SCENE_COLOURS = plt.get_cmap("tab10").colors


@functools.lru_cache(maxsize=1)
def _japanese_font() -> None:
    """Scene titles are Japanese: matplotlib's own fonts would draw them as boxes."""
    from ..core.fonts import font_file

    try:
        path, _ = font_file(style.FONT)
    except Exception:  # a plot without Japanese titles is still a plot
        return
    font_manager.fontManager.addfont(path)
    plt.rcParams["font.family"] = [font_manager.FontProperties(fname=path).get_name(), "DejaVu Sans"]


def _axes(record: ReviewRecord, ylabel: str):
    _japanese_font()
    fig, ax = plt.subplots(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    for scene in record.scenes:
        ax.axvline(scene.start_ms / 1000, color="0.85", lw=0.8, zorder=0)
        wide = scene.end_ms - scene.start_ms >= 80_000  # room for its title
        ax.text(scene.start_ms / 1000 + 2, 1.0, f"{scene.number} {scene.title}" if wide else f"{scene.number}",
                transform=ax.get_xaxis_transform(), fontsize=7, va="bottom", color="0.35")
    ax.set_xlim(0, record.duration_s)
    ax.set_xticks(range(0, record.duration_s + 1, 60))
    ax.set_xticklabels([f"{t // 60}:{t % 60:02d}" for t in range(0, record.duration_s + 1, 60)])
    ax.set_xlabel("time in the video")
    ax.set_ylabel(ylabel)
    return fig, ax


def _scene_colour(record: ReviewRecord, scene_id: str):
    return SCENE_COLOURS[[s.scene_id for s in record.scenes].index(scene_id) % len(SCENE_COLOURS)]


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path


def voice_timing(record: ReviewRecord, onsets: list[VoiceOnset], path: Path) -> Path:
    fig, ax = _axes(record, "voice − subtitle (ms)")
    ax.axhspan(-VOICE_EARLY_S * 1000, VOICE_LATE_S * 1000, color="#bbf7d0", zorder=0, label="not noticed (ITU-R BT.1359)")
    measured = [o for o in onsets if o.offset_ms is not None]
    ax.scatter([o.subtitle_s for o in measured], [o.offset_ms for o in measured], s=14,
               c=[_scene_colour(record, o.scene_id) for o in measured], zorder=3)
    missing = [o for o in onsets if o.offset_ms is None]
    if missing:
        ax.scatter([o.subtitle_s for o in missing], [0] * len(missing), marker="x", color="red", zorder=3,
                   label="no voice found")
    limit = max([200.0] + [abs(o.offset_ms) * 1.1 for o in measured])
    ax.set_ylim(-limit, limit)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return _save(fig, path)


def reading_speed(record: ReviewRecord, speeds: list[ReadingSpeed], path: Path) -> Path:
    fig, ax = _axes(record, "characters per second")
    ax.bar([s.start_s for s in speeds], [s.cps for s in speeds], width=2.5,
           color=[_scene_colour(record, s.scene_id) for s in speeds])
    comfortable, most, _ = bounds(record.language)
    rule = "the Japanese subtitling rule" if record.language == "ja" else "a comfortable English pace"
    ax.axhline(comfortable, color="#16a34a", ls="--", lw=1, label=f"{comfortable:g}/s: {rule}")
    ax.axhline(most, color="#dc2626", ls="--", lw=1, label=f"{most:g}/s: flagged above")
    ax.set_ylim(0, max([most * 1.3] + [s.cps * 1.1 for s in speeds]))
    fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    return _save(fig, path)


def ocr_similarity(record: ReviewRecord, readings, path: Path) -> Path:
    fig, ax = _axes(record, "similarity to the text")
    ax.scatter([r.frame / record.fps for r in readings], [r.similarity for r in readings], s=14,
               c=[_scene_colour(record, r.scene_id) for r in readings])
    ax.set_ylim(0, 1.05)
    return _save(fig, path)
