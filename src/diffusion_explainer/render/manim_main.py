"""Manim's command line, with frames handed to the encoder more cheaply.

`python -m diffusion_explainer.render.manim_main render ...` is `manim render ...` with one
change, to Manim 0.22's VideoSegmentEncoder.write_frame (any other version runs unpatched):
- a held or repeated frame is converted to yuv420p once, and the converted frame is encoded
  again with the next time stamp. Manim holds a still picture (a wait with nothing moving) by
  sending the same RGBA frame n times, converting it every time; most of this video's frames
  are still.
- a new frame is copied into an RGBA VideoFrame's plane through a NumPy view instead of with
  `VideoFrame.from_ndarray`, which takes 12-15 ms per 1080p frame in PyAV 18 (the view: 0.8 ms).
The encoder gets the same pixels either way (tests/render/test_manim_main.py).
"""

from __future__ import annotations

import sys
from fractions import Fraction

import av
import numpy as np

PATCHED_MANIM = "0.22.0"
_original_write_frame = None  # Manim's own, kept for the test that compares the two


def _patch_segment_encoder() -> bool:
    import manim
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    if manim.__version__ != PATCHED_MANIM or not hasattr(VideoSegmentEncoder, "write_frame"):
        return False

    global _original_write_frame
    _original_write_frame = _original_write_frame or VideoSegmentEncoder.write_frame

    def write_frame(self, pixels, *, repeat: int = 1) -> None:
        self._validate_frame(pixels, repeat)
        time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
        try:
            last = getattr(self, "_last_rgba", None)
            if last is not None and (last is pixels or (last.shape == pixels.shape and np.array_equal(last, pixels))):
                converted = self._last_converted
            else:
                converted = rgba_frame(pixels).reformat(
                    format=self.spec.pixel_format, width=self.spec.width, height=self.spec.height)
                self._last_rgba, self._last_converted = pixels, converted
            for _ in range(repeat):
                converted.pts = self._next_pts
                converted.time_base = time_base
                self._next_pts += 1
                for packet in self._stream.encode(converted):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error

    VideoSegmentEncoder.write_frame = write_frame
    return True


def rgba_frame(pixels: np.ndarray) -> av.VideoFrame:
    """An RGBA VideoFrame holding `pixels` (height x width x 4 uint8), rows copied past any padding."""
    height, width = pixels.shape[:2]
    frame = av.VideoFrame(width, height, "rgba")
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8).reshape(height, plane.line_size)
    rows[:, : width * 4] = pixels.reshape(height, width * 4)
    return frame


def main() -> None:
    _patch_segment_encoder()
    from manim.__main__ import main as manim_main

    sys.argv[0] = "manim"
    manim_main()


if __name__ == "__main__":
    main()
