"""Manim's command line, with still frames converted for the encoder once instead of once per frame.

`python -m diffusion_explainer.render.manim_main render ...` is `manim render ...` with one
change. Manim holds a still picture (a wait with nothing moving) by sending the same RGBA frame
n times to its segment encoder, which converts it to yuv420p every time: at 1080p that
conversion costs about as much as encoding the frame (measured ~13 ms of ~30 ms per frame), and
most of this video's frames are still. Here a held or repeated frame is converted once and the
converted frame is encoded again with the next time stamp: the encoder gets the same pixels.
Only Manim 0.22's VideoSegmentEncoder is patched; any other version runs unpatched.
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
            if last is not None and last.shape == pixels.shape and np.array_equal(last, pixels):
                converted = self._last_converted
            else:
                converted = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(
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


def main() -> None:
    _patch_segment_encoder()
    from manim.__main__ import main as manim_main

    sys.argv[0] = "manim"
    manim_main()


if __name__ == "__main__":
    main()
