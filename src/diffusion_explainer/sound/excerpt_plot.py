"""A picture of an excerpt of the soundtrack, to look at what cannot be listened to here: the
mix's spectrogram, the music stem's spectrogram, and the levels of the mix, the narration and
the music over time (with the scene changes and chord changes marked). A click or a hard edge
shows as a vertical line through every frequency in a spectrogram; ducking as the music's level
falling under each stretch of speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .measure import levels_db


def excerpt_plot(mix: np.ndarray, narration: np.ndarray, music: np.ndarray | None, rate: int, start_s: float,
                 seconds: float, out_path: Path, marks: dict[str, list[float]] | None = None) -> Path:
    """Write a PNG of [start_s, start_s + seconds). marks: name -> times in seconds (scene
    changes, chord changes, effects) drawn as vertical lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.signal import spectrogram

    a, b = round(start_s * rate), round((start_s + seconds) * rate)
    panels = 3 if music is not None else 2
    fig, axes = plt.subplots(panels, 1, figsize=(16, 3.2 * panels), sharex=True, constrained_layout=True)
    sources = [("mix", mix)] + ([("music and effects", music)] if music is not None else [])
    for ax, (name, samples) in zip(axes, sources):
        part = samples[a:b].reshape(b - a, -1).mean(axis=1)
        f, t, power = spectrogram(part, fs=rate, nperseg=2048, noverlap=1536)
        image = ax.pcolormesh(t + start_s, f, 10 * np.log10(power + 1e-16), shading="auto", vmin=-130, vmax=-40,
                              cmap="magma")
        ax.set_yscale("symlog", linthresh=200)
        ax.set_ylim(40, rate / 2)
        ax.set_ylabel(f"{name}\nHz")
        fig.colorbar(image, ax=ax, label="dB")
    ax = axes[-1]
    window = 0.05
    for name, samples, colour, width in (("mix", mix, "0.75", 3.0), ("narration", narration, "#3b82f6", 1.0),
                                         ("music and effects", music, "#e94560", 1.0)):
        if samples is None:
            continue
        level = levels_db(samples[a:b], rate, window)
        ax.plot(start_s + (np.arange(len(level)) + 0.5) * window, level, color=colour, lw=width, label=name)
    ax.axhline(-50, color="k", ls=":", lw=0.8)
    ax.set_ylim(-80, 0)
    ax.set_ylabel("RMS dBFS (50 ms)")
    ax.set_xlabel("seconds into the video")
    for (name, times), style in zip((marks or {}).items(), ("-", "--", ":")):
        for i, time in enumerate(x for x in times if start_s <= x <= start_s + seconds):
            for each in axes:
                each.axvline(time, color="w" if each is not ax else "k", ls=style, lw=0.7, alpha=0.7,
                             label=name if (i == 0 and each is ax) else None)
    ax.legend(loc="lower right", ncol=4, fontsize=8)
    ax.set_xlim(start_s, start_s + seconds)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_path, dpi=80)
    plt.close(fig)
    return out_path
