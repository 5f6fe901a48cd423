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

Every call's movie file is kept (Manim deletes all but the newest 100 by default): a chunk's
video is made of them.

And one change to the Cairo renderer: a call that is skipped (a chunk's scene runs through the
calls before its frames without drawing them) is not rasterised at all. Manim would still draw
its static picture and first frame, only to throw them away; every drawn frame starts from the
background, so nothing drawn depends on them.

And the SVGs of texts and formulas are parsed once per video, not once per process: their curves
are kept in the cache (svg_cache.py).

With DIFFUSION_EXPLAINER_FRAME_LOG set (tests), a hash of every frame handed to the encoder is
appended to a file of that name (one per job, see _frame_log_path), so two ways of rendering can be
compared pixel for pixel.
"""

from __future__ import annotations

import hashlib
import os
import sys
from fractions import Fraction

import av
import numpy as np

from ..runtime import FRAME_LOG_ENV, PLAN_ENV, PROGRESS_ENV, cache_dir
from . import svg_cache

PATCHED_MANIM = "0.22.0"
_original_write_frame = None  # Manim's own, kept for the test that compares the two
_original_finish = None


def _patch_segment_encoder() -> bool:
    import manim
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    if manim.__version__ != PATCHED_MANIM or not hasattr(VideoSegmentEncoder, "write_frame"):
        return False

    global _original_write_frame, _original_finish
    _original_write_frame = _original_write_frame or VideoSegmentEncoder.write_frame
    _original_finish = _original_finish or VideoSegmentEncoder.finish

    frame_log = _frame_log_path()

    def write_frame(self, pixels, *, repeat: int = 1) -> None:
        self._validate_frame(pixels, repeat)
        if frame_log:
            with open(frame_log, "a", encoding="ascii") as log:
                log.write(f"{hashlib.sha1(pixels.tobytes()).hexdigest()}\n" * repeat)
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

    progress = os.environ.get(PROGRESS_ENV)

    def finish(self) -> None:
        """As Manim's, then the call's frames added to the progress file the render reads (one line
        each): counting them by opening every call's movie file cost the render a tenth of a CPU."""
        done = not self._closed
        _original_finish(self)
        if progress and done:
            with open(progress, "a", encoding="ascii") as f:
                f.write(f"{self._next_pts}\n")

    VideoSegmentEncoder.write_frame = write_frame
    VideoSegmentEncoder.finish = finish
    return True


def _frame_log_path() -> str | None:
    """<DIFFUSION_EXPLAINER_FRAME_LOG>.<first frame this process draws, 8 digits>: one file per
    job, so jobs running at once do not interleave, and sorting the names orders the frames."""
    base = os.environ.get(FRAME_LOG_ENV)
    if not base:
        return None
    plan = os.environ.get(PLAN_ENV)
    start = 0
    if plan:
        import json

        with open(plan, encoding="utf-8") as f:
            start = (json.load(f).get("draw") or [0])[0]
    return f"{base}.{start:08d}"


def _skip_drawing_skipped_calls() -> None:
    from manim.renderer.cairo_renderer import CairoRenderer

    update_frame, save_static_frame_data = CairoRenderer.update_frame, CairoRenderer.save_static_frame_data

    def update_frame_unless_skipping(self, scene, *args, **kwargs):
        if not self.skip_animations:
            update_frame(self, scene, *args, **kwargs)

    def save_static_frame_data_unless_skipping(self, scene, static_mobjects):
        if self.skip_animations:
            self.static_image = None
            return None
        return save_static_frame_data(self, scene, static_mobjects)

    CairoRenderer.update_frame = update_frame_unless_skipping
    CairoRenderer.save_static_frame_data = save_static_frame_data_unless_skipping


def rgba_frame(pixels: np.ndarray) -> av.VideoFrame:
    """An RGBA VideoFrame holding `pixels` (height x width x 4 uint8), rows copied past any padding."""
    height, width = pixels.shape[:2]
    frame = av.VideoFrame(width, height, "rgba")
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8).reshape(height, plane.line_size)
    rows[:, : width * 4] = pixels.reshape(height, width * 4)
    return frame


def main() -> None:
    from manim import config

    config.max_files_cached = -1  # keep every call's movie file: chunks are made from them (Manim prunes at 100)
    _patch_segment_encoder()
    _skip_drawing_skipped_calls()
    svg_cache.install(cache_dir("svg"))
    from manim.__main__ import main as manim_main

    sys.argv[0] = "manim"
    manim_main()


if __name__ == "__main__":
    main()
