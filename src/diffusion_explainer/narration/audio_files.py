"""Reading and writing WAV files: float samples in [-1, 1], shape (frames, channels), and
writes that never leave a half-written file under the final name (temp file, then rename)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from ..core.files import atomic_path


def read_wav(path: Path, dtype=np.float64) -> tuple[np.ndarray, int]:
    """(samples as `dtype` of shape (frames, channels), sample rate) of a 16-bit PCM WAV."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit PCM, got {8 * wav.getsampwidth()}-bit")
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return pcm.reshape(-1, wav.getnchannels()).astype(dtype) / dtype(32768.0), wav.getframerate()


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Write float samples (frames,) or (frames, channels) as 16-bit PCM, atomically."""
    samples = samples.reshape(len(samples), -1)
    pcm = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(samples.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return path
