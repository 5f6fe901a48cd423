"""Dead air: the picture stands still while nobody speaks, for 3 s or more (where viewers leave).

Measured as two things intersected:
- the voice: 50 ms blocks of the narration stem (or, without one, of the video's soundtrack) whose
  RMS is above -45 dBFS, gaps under 0.3 s bridged (the breath inside a sentence is not a pause);
  a silent render has no voice at all;
- a still picture: ffmpeg's `freezedetect` (noise -50 dB: a mean absolute difference under
  0.3 % of full scale against the first frame of the still) on a 320-px-wide copy, run only on
  the quiet spans of 3 s or more, each from a seek to its start: what is still inside a quiet span
  is exactly the intersection, and the frames under the voice are never decoded.

Each quiet span's answer is kept in the store (core/store.py, `cache/dead_air/`) under the digest
of what decides it: the encoded pictures from the key frame before the span to its end (their
bytes and times relative to that key frame) and the measure's settings. The joined video is its
scenes' videos copied, not encoded again, so after an edit only the quiet spans of the scenes
drawn again are decoded: on the 1080p60 video, all of them take about 30 s; reading the packets to
key them, well under a second.

Why ffmpeg and not PyAV: on a 90 s 480p15 scene, ffmpeg's freezedetect took 1.1 CPU-s (1.1 s),
PyAV decoding a scaled copy and comparing frames in NumPy by the same rule 1.9 CPU-s (3.2 s).
Both are mostly the H.264 decoding, so a 1080p60 video costs about that many frames' decoding.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import time
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..core import runtime
from ..core.errors import RenderError
from ..core.store import Store

VOICE_BLOCK_S = 0.05
VOICE_DBFS = -45.0
VOICE_BRIDGE_S = 0.3
FREEZE_NOISE_DB = -50
FREEZE_WIDTH = 320
MIN_DEAD_AIR_S = 3.0
KEEP_MEASURES = 2000  # quiet spans' answers kept in the store (a few hundred bytes each)
MEASURE = (f"a still picture (ffmpeg freezedetect, noise {FREEZE_NOISE_DB} dB, on a {FREEZE_WIDTH} px wide copy) "
           f"with no voice ({VOICE_BLOCK_S * 1000:g} ms RMS above {VOICE_DBFS:g} dBFS, gaps under "
           f"{VOICE_BRIDGE_S:g} s bridged) for {MIN_DEAD_AIR_S:g} s or more")

_FREEZE_LINE = re.compile(r"lavfi\.freezedetect\.freeze_(start|end): (\S+)")


@dataclass(frozen=True)
class Span:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def clock(seconds: float) -> str:
    """m:ss.s (75.25 -> 1:15.3)."""
    minutes, tenths = divmod(round(seconds * 10), 600)
    return f"{minutes}:{tenths / 10:04.1f}"


def block_power(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of each whole 50 ms block of `samples` ((frames,) or (frames, channels), full
    scale 1), all channels together."""
    samples = samples.reshape(len(samples), -1)
    block = round(VOICE_BLOCK_S * rate)
    blocks = len(samples) // block
    return np.mean(np.square(samples[: blocks * block], dtype=np.float64).reshape(blocks, -1), axis=1)


def wav_block_power(path: Path) -> np.ndarray:
    """block_power of a 16-bit PCM WAV, read a minute at a time (10 minutes as float would be
    230 MB)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise RenderError(f"{path}: expected 16-bit PCM, got {8 * wav.getsampwidth()}-bit")
        rate, channels = wav.getframerate(), wav.getnchannels()
        step = round(VOICE_BLOCK_S * rate) * 1200
        powers = []
        while chunk := wav.readframes(step):
            pcm = np.frombuffer(chunk, "<i2").reshape(-1, channels).astype(np.float32) / 32768.0
            powers.append(block_power(pcm, rate))
    return np.concatenate(powers) if powers else np.zeros(0)


def voice_spans(power: np.ndarray) -> list[Span]:
    """Where the voice is, from block_power: blocks above -45 dBFS, gaps under 0.3 s bridged."""
    loud = power > 10 ** (VOICE_DBFS / 10)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8), [0]))))
    spans: list[Span] = []
    for start, end in zip(edges[::2], edges[1::2]):
        span = Span(start * VOICE_BLOCK_S, end * VOICE_BLOCK_S)
        if spans and span.start_s - spans[-1].end_s < VOICE_BRIDGE_S:
            spans[-1] = Span(spans[-1].start_s, span.end_s)
        else:
            spans.append(span)
    return spans


def quiet_spans(voice: list[Span], duration_s: float, min_s: float = MIN_DEAD_AIR_S) -> list[Span]:
    """The spans of at least `min_s` between the voice's spans, within [0, duration_s]."""
    quiet, at = [], 0.0
    for span in [*voice, Span(duration_s, duration_s)]:
        if span.start_s - at >= min_s:
            quiet.append(Span(at, min(span.start_s, duration_s)))
        at = max(at, span.end_s)
    return quiet


def still_spans(video: Path, window: Span, min_s: float = MIN_DEAD_AIR_S) -> list[Span]:
    """The still stretches of at least `min_s` inside `window` of `video`, by ffmpeg's freezedetect
    (a stretch still at the window's end ends there)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RenderError("ffmpeg is missing: the dead-air measure runs its freezedetect (`make setup` installs it)")
    graph = (f"trim=end={window.end_s:.3f},scale={FREEZE_WIDTH}:-2,"
             f"freezedetect=n={FREEZE_NOISE_DB}dB:d={min_s / 2:g}")  # shorter ones are cut at min_s below
    command = [ffmpeg, "-hide_banner", "-nostats", "-copyts", "-ss", f"{window.start_s:.3f}", "-i", str(video),
               "-an", "-sn", "-dn", "-vf", graph, "-f", "null", "-"]
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if done.returncode:
        raise RenderError(f"ffmpeg's freezedetect failed on {video}: {done.stderr.strip()[-500:]}")
    spans, start = [], None
    for kind, value in _FREEZE_LINE.findall(done.stderr):
        if kind == "start":
            start = max(float(value), window.start_s)
        elif start is not None:
            spans.append(Span(start, min(float(value), window.end_s)))
            start = None
    if start is not None:
        spans.append(Span(start, window.end_s))
    return [s for s in spans if s.duration_s >= min_s - 1e-6]


@dataclass(frozen=True)
class DeadAir:
    spans: tuple[Span, ...]
    voice_source: str
    quiet_s: float  # the quiet spans of 3 s or more decoded (those whose answer the store did not have)
    seconds: float  # wall time of the measure

    def to_report(self) -> dict:
        return {
            "measure": MEASURE,
            "voice_source": self.voice_source,
            "count": len(self.spans),
            "total_s": round(sum(s.duration_s for s in self.spans), 2),
            "spans": [asdict(s) | {"duration_s": round(s.duration_s, 2), "start": clock(s.start_s),
                                   "end": clock(s.end_s)} for s in self.spans],
            "quiet_s_decoded": round(self.quiet_s, 1),
            "seconds": round(self.seconds, 1),
        }


def dead_air(video: Path, duration_s: float, voice_power: np.ndarray | None, voice_source: str,
             store: Store | None = None) -> DeadAir:
    """The dead-air spans of `video`: still for 3 s or more while the voice (its block_power; None:
    no voice at all) is quiet. `store`: where each quiet span's answer is kept (default the cache's
    dead_air/)."""
    started = time.monotonic()
    store = store if store is not None else Store(runtime.cache_dir("dead_air"), keep=KEEP_MEASURES)
    quiet = quiet_spans(voice_spans(voice_power) if voice_power is not None else [], duration_s)
    spans, decoded = [], 0.0
    for window in quiet:
        key = window_key(video, window)
        kept = store.get_object(key) if key else None
        if kept is None:
            found = still_spans(video, window)
            decoded += window.duration_s
            if key:
                store.put_object(key, [(s.start_s - window.start_s, s.end_s - window.start_s) for s in found])
        else:
            found = [Span(window.start_s + a, window.start_s + b) for a, b in kept]
        spans.extend(found)
    return DeadAir(tuple(spans), voice_source, decoded, time.monotonic() - started)


def window_key(video: Path, window: Span) -> str | None:
    """The digest of what decides freezedetect's answer on `window` of `video`: the encoded
    pictures from the key frame at or before its start to its end (bytes, and times relative to
    that key frame), the stream's parameters and the measure's settings. None: not readable so."""
    import av

    digest = hashlib.sha256(f"{MEASURE}|{FREEZE_NOISE_DB}|{FREEZE_WIDTH}".encode())
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            base = stream.time_base
            context = stream.codec_context
            digest.update(f"{context.name}|{context.width}x{context.height}|{stream.average_rate}".encode())
            digest.update(bytes(context.extradata or b""))
            container.seek(int(window.start_s / base), stream=stream, backward=True, any_frame=False)
            first = None
            for packet in container.demux(stream):
                if packet.pts is None or packet.size == 0:
                    continue
                at = float(packet.pts * base)
                if first is None:
                    if not packet.is_keyframe:
                        return None
                    first = at
                if at >= window.end_s:
                    break
                digest.update(f"{at - first:.6f}|".encode())
                digest.update(bytes(packet))
    except (OSError, av.FFmpegError):
        return None
    if first is None:
        return None
    digest.update(f"window {window.start_s - first:.6f} {window.end_s - first:.6f}".encode())
    return digest.hexdigest()
