"""The video's voice track: every line's clip placed at its second on one silent track of
exactly the video's length, 48 kHz stereo 16-bit, at -16 LUFS with true peak at most -1 dBTP
(loud enough for phones and YouTube, which turns louder uploads down).

Clips are decoded with pydub (any WAV, or anything ffmpeg reads) but summed in floating point
with numpy: pydub's overlay adds 16-bit samples with saturation and places them by the
millisecond, and a track that is normalised afterwards must neither clip early nor drift.
"""

from __future__ import annotations

import warnings
from math import gcd
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.signal import resample_poly

from .audio_files import read_wav, write_wav
from .loudness import integrated_loudness, normalise, true_peak_db

MIX_RATE = 48000
TARGET_LUFS = -16.0
TRUE_PEAK_CEILING_DB = -1.0
# A scene's track is brought to TARGET_LUFS in steps of this gain (within a quarter dB of it, far
# under what a listener hears between scenes; the soundtrack levels the whole video again): a
# reworded line keeps the gain of the rest of its scene, whose mixed and encoded sound is then
# reused (sound/mixdown.py, sound/aac_segments.py) instead of made again for the whole scene.
GAIN_STEP_DB = 0.5
# A clip may run this far past the track's end (its trimmed tail is near silence); more means
# the timeline did not give the line enough time, which is an error, not something to cut.
OVERRUN_TOLERANCE_S = 0.060


def mix_track(placements: Sequence[tuple[float, Path]], duration_s: float, out_path: Path) -> Path:
    """Write the track: each (start second, clip path) placed on round(duration_s * 48000)
    frames of silence, normalised; no placements give a silent track of the same length."""
    frames = round(duration_s * MIX_RATE)
    track = np.zeros((frames, 2))
    for start_s, clip_path in placements:
        if start_s < 0:
            raise ValueError(f"clip {clip_path} starts at {start_s} s, before the track")
        clip = _load_clip(Path(clip_path))
        first = round(start_s * MIX_RATE)
        overrun = (first + len(clip) - frames) / MIX_RATE
        if overrun > OVERRUN_TOLERANCE_S:
            raise ValueError(
                f"clip {clip_path} at {start_s:.3f} s lasts {len(clip) / MIX_RATE:.3f} s and ends "
                f"{overrun:.3f} s after the track's end at {duration_s:.3f} s"
            )
        clip = clip[: max(0, frames - first)]
        track[first : first + len(clip)] += clip
    return write_wav(Path(out_path), normalise(track, MIX_RATE, TARGET_LUFS, TRUE_PEAK_CEILING_DB, GAIN_STEP_DB), MIX_RATE)


def measure_loudness(path: Path) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) of a 16-bit WAV; -inf for silence."""
    samples, rate = read_wav(Path(path))
    return integrated_loudness(samples, rate), true_peak_db(samples)


def _load_clip(path: Path) -> np.ndarray:
    """A clip as float stereo at MIX_RATE."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Couldn't find ffmpeg": WAV needs none
        from pydub import AudioSegment
    segment = AudioSegment.from_file(path)
    samples = np.array(segment.get_array_of_samples(), dtype=np.float64)
    samples = samples.reshape(-1, segment.channels) / float(1 << (8 * segment.sample_width - 1))
    if segment.channels == 1:
        samples = np.repeat(samples, 2, axis=1)
    elif segment.channels != 2:
        raise ValueError(f"clip {path} has {segment.channels} channels; mono or stereo only")
    if segment.frame_rate != MIX_RATE:
        common = gcd(MIX_RATE, segment.frame_rate)
        samples = resample_poly(samples, MIX_RATE // common, segment.frame_rate // common, axis=0)
    return samples
