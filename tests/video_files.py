"""Tiny real videos made with PyAV (no Manim), for the tests that join, probe and check videos."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_video(path: Path, frames: int, fps: int = 10, size=(256, 144), colour=(40, 80, 160), *,
                profile: str | None = None, faststart: bool = False, audio_s: float | None = None,
                jitter: bool = False) -> Path:
    """An H.264 (libx264, yuv420p) MP4 of `frames` frames whose colour steps every frame, so frames
    can be told apart; optionally with an AAC track of `audio_s` seconds, and with frame times a
    few ticks off the frame grid now and then (as Manim's joined partial movies have them)."""
    width, height = size
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), mode="w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "veryfast", **({"profile": profile} if profile else {})})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        tick = Fraction(1, fps * 1024)
        stream.codec_context.time_base = tick
        audio = None
        if audio_s is not None:
            audio = container.add_stream("aac", rate=48000, layout="stereo")
        for i in range(frames):
            image = np.zeros((height, width, 3), np.uint8)
            image[:] = colour
            image[: height // 2, : (i * 7) % width] = 255
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = i * 1024 - (5 if jitter and i % 7 == 3 else 0), tick
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if audio is not None:
            total = round(audio_s * 48000)
            for start in range(0, total, 1024):
                n = min(1024, total - start)
                block = av.AudioFrame.from_ndarray(np.zeros((2, n), np.float32), format="fltp", layout="stereo")
                block.sample_rate, block.pts, block.time_base = 48000, start, Fraction(1, 48000)
                container.mux(audio.encode(block))
            container.mux(audio.encode(None))
    return path
