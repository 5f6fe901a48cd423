"""Manim's command line, with frames handed to the encoder more cheaply.

`python -m diffusion_explainer.scene.launcher render ...` is `manim render ...` with one
change, to Manim 0.22's VideoSegmentEncoder.write_frame and finish. They write into the encoder's
private state (ENCODER_STATE); another version of Manim, or one whose encoder lacks any of it, runs
Manim's own encoder instead, with one warning line (tests/scene/test_launcher.py checks the
installed Manim has it all):
- a held or repeated frame is converted to yuv420p once, and the converted frame is encoded
  again with the next time stamp. Manim holds a still picture (a wait with nothing moving) by
  sending the same RGBA frame n times, converting it every time; most of this video's frames
  are still.
- a new frame is copied into an RGBA VideoFrame's plane through a NumPy view instead of with
  `VideoFrame.from_ndarray`, which takes 12-15 ms per 1080p frame in PyAV 18 (the view: 0.8 ms).
The encoder gets the same pixels either way (tests/scene/test_launcher.py).
- frames that hold a call's last picture to its end are not encoded at all: they are written as
  pictures that copy the previous one (held_frames.py). x264 spends ~6 ms on each 1080p frame even
  when it repeats the last one exactly, and 61% of this video's frames are such repeats. A hold
  followed by another picture in the same call still goes through x264, whose frame numbers the
  next picture continues. Measured on Scene 03 at 1080p60: 94 instead of 119 CPU-s; every frame
  within 50 dB (luma PSNR) of x264's own, which goes on refining a held picture a little
  (tests/scene/test_held_frames.py).

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

import ast
import hashlib
import inspect
import os
import sys
from contextlib import suppress
from fractions import Fraction

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from ..core.runtime import FRAME_LOG_ENV, PLAN_ENV, PROGRESS_ENV, cache_dir
from . import held_frames, svg_cache

PATCHED_MANIM = "0.22.0"
# What the patched write_frame and finish use of Manim's VideoSegmentEncoder besides its public
# methods: its methods, the attributes its methods set on the encoder, and the spec's fields.
ENCODER_METHODS = ("write_frame", "finish", "_validate_frame", "_operation_error")
ENCODER_STATE = ("spec", "_stream", "_container", "_next_pts", "_closed")
SPEC_FIELDS = ("pixel_format", "width", "height", "frame_rate")
_original_write_frame = None  # Manim's own, kept for the test that compares the two
_original_finish = None


def missing_encoder_parts(encoder_class, spec_class) -> list[str]:
    """What the patch writes into or calls that `encoder_class` does not have: a method it lacks, an
    attribute of ENCODER_STATE none of its methods assigns to `self`, a field `spec_class` lacks."""
    missing = [name for name in ENCODER_METHODS if not callable(getattr(encoder_class, name, None))]
    try:
        tree = ast.parse(inspect.getsource(encoder_class))
    except (OSError, TypeError, SyntaxError):
        assigned = set()  # no source to read: nothing can be vouched for
    else:
        assigned = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                    and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) and node.value.id == "self"}
    missing += [name for name in ENCODER_STATE if name not in assigned]
    fields = getattr(spec_class, "__dataclass_fields__", {})
    missing += [f"spec.{name}" for name in SPEC_FIELDS if name not in fields]
    return missing


def _patch_segment_encoder(encoder_class=None) -> bool:
    """Patch `encoder_class` (Manim's VideoSegmentEncoder); False, with one warning line on stderr,
    when this Manim is not the one the patch is written for or its encoder lacks what it uses."""
    import manim
    from manim._config.video_encoder import VideoEncoderSpec
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    encoder_class = encoder_class or VideoSegmentEncoder
    if manim.__version__ != PATCHED_MANIM:
        problem = f"Manim {manim.__version__} is not {PATCHED_MANIM}, the version it is written for"
    elif missing := missing_encoder_parts(encoder_class, VideoEncoderSpec):
        problem = f"{encoder_class.__name__} has no {', '.join(missing)}"
    else:
        problem = None
    if problem:
        print(f"warning: {problem}: frames go through Manim's own encoder, without the launcher's shortcuts "
              "(held frames are encoded, slower)", file=sys.stderr)
        return False

    global _original_write_frame, _original_finish
    _original_write_frame = _original_write_frame or encoder_class.write_frame
    _original_finish = _original_finish or encoder_class.finish

    frame_log = _frame_log_path()

    def write_frame(self, pixels, *, repeat: int = 1) -> None:
        self._validate_frame(pixels, repeat)
        if frame_log:
            with open(frame_log, "a", encoding="ascii") as log:
                log.write(f"{hashlib.sha1(pixels.tobytes()).hexdigest()}\n" * repeat)
        try:
            last = getattr(self, "_last_rgba", None)
            if last is not None and (last is pixels or (last.shape == pixels.shape and np.array_equal(last, pixels))):
                self._held += repeat  # encoded when the picture changes, or written as copies at the end
                return
            _encode(self, getattr(self, "_last_converted", None), getattr(self, "_held", 0))
            # one converter for the encoder's life: a frame's own makes a new swscale context every
            # time, more than half of the conversion's cost (0.9 of 1.6 ms a frame at 480p)
            reformatter = self.__dict__.get("_reformatter")
            if reformatter is None:
                reformatter = self._reformatter = VideoReformatter()
            converted = reformatter.reformat(rgba_frame(pixels), format=self.spec.pixel_format,
                                             width=self.spec.width, height=self.spec.height)
            self._last_rgba, self._last_converted = pixels, converted
            _encode(self, converted, 1)
            self._held = repeat - 1
        except BaseException as error:
            raise self._operation_error("encode", error) from error

    progress = os.environ.get(PROGRESS_ENV)

    def finish(self) -> None:
        """As Manim's, with the frames that hold the last picture to the end written as copies of
        it (held_frames.py), then the call's frames added to the progress file the render reads
        (one line each): counting them by opening every call's movie file cost the render a tenth
        of a CPU."""
        done = not self._closed
        if done and getattr(self, "_held", 0):
            try:
                headers = held_frames.StreamHeaders.from_extradata(bytes(self._stream.codec_context.extradata))
            except held_frames.Unsupported:
                headers = None  # e.g. B-frames: the encoder repeats the picture itself
            try:
                if headers is None:
                    _encode(self, self._last_converted, self._held)
                else:
                    _finish_with_copies(self, headers)
            except BaseException as error:
                with suppress(Exception):
                    self._container.close()
                self._closed = True
                raise self._operation_error("finish", error) from error
        _original_finish(self)
        if progress and done:
            with open(progress, "a", encoding="ascii") as f:
                f.write(f"{self._next_pts}\n")

    encoder_class.write_frame = write_frame
    encoder_class.finish = finish
    return True


def _time_base(encoder) -> Fraction:
    return Fraction(encoder.spec.frame_rate.denominator, encoder.spec.frame_rate.numerator)


def _mux(encoder, packets) -> None:
    """Into the file, keeping the last packet's bytes: the held frames continue its frame numbers."""
    for packet in packets:
        encoder._last_packet = bytes(packet)
        encoder._container.mux(packet)


def _encode(encoder, converted: av.VideoFrame | None, count: int) -> None:
    """`count` more frames of `converted` through the encoder, at the next time stamps."""
    for _ in range(count):
        converted.pts = encoder._next_pts
        converted.time_base = _time_base(encoder)
        encoder._next_pts += 1
        _mux(encoder, encoder._stream.encode(converted))


def _finish_with_copies(encoder, headers: held_frames.StreamHeaders) -> None:
    """Flush the encoder, write the held frames as pictures that copy its last one, and close the
    file (Manim's finish then has nothing left to do: a second flush would be an error)."""
    _mux(encoder, encoder._stream.encode())
    previous = held_frames.SliceStart.of_packet(encoder._last_packet, headers)
    first = held_frames.next_frame_num(previous, headers)
    time_base = _time_base(encoder)
    for k in range(encoder._held):
        frame_num = (first + k) % (1 << headers.log2_max_frame_num)
        packet = av.Packet(held_frames.skip_frame(headers, frame_num, nal_ref_idc=previous.nal_ref_idc))
        packet.stream = encoder._stream
        packet.time_base = time_base
        packet.pts = packet.dts = encoder._next_pts
        packet.duration = 1
        encoder._next_pts += 1
        encoder._container.mux(packet)
    encoder._held = 0
    encoder._closed = True
    encoder._container.close()


def _frame_log_path() -> str | None:
    """<DIFFUSION_EXPLAINER_FRAME_LOG>.<first frame this process draws, 8 digits>: one file per
    job, so jobs running at once do not interleave, and sorting the names orders the frames."""
    base = os.environ.get(FRAME_LOG_ENV)
    if not base:
        return None
    plan = os.environ.get(PLAN_ENV)
    start = 0
    if plan:
        from ..timing.handover import HandOver

        draw = HandOver.read(plan).draw
        start = draw.start if draw else 0
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


_installed = False


def install_speedups() -> None:
    """The encoder patch, the skipped calls left undrawn and the parsed-text cache, once per process:
    by main() for a render's jobs, and by the scene base when a scene runs under plain `manim`."""
    global _installed
    if _installed:
        return
    _installed = True
    _patch_segment_encoder()
    _skip_drawing_skipped_calls()
    svg_cache.install(cache_dir("svg"))


def _no_joined_movie() -> None:
    """A render's job leaves its calls' movie files as they are: the render joins them into chunk
    videos itself (render/jobs.py), so Manim's own joining of them into the scene's movie, at the
    end of every job, would be thrown away (about 5 % of a job's CPU)."""
    from manim.scene.scene_file_writer import SceneFileWriter

    SceneFileWriter.combine_to_movie = lambda self: None


def installed() -> bool:
    return _installed


def main() -> None:
    from manim import config

    config.max_files_cached = -1  # keep every call's movie file: chunks are made from them (Manim prunes at 100)
    # no request to pypi.org after every job for Manim's newest version (up to 10 s offline)
    config.notify_outdated_version = False
    install_speedups()
    if os.environ.get(PLAN_ENV):  # a render's job (the launcher run by hand makes Manim's movie)
        _no_joined_movie()
    from manim.__main__ import main as manim_main

    sys.argv[0] = "manim"
    manim_main()


if __name__ == "__main__":
    # run as the package's module, not as __main__: the scene base asks the package's module whether
    # the speed-ups are installed (a second copy of this module would install them twice)
    from diffusion_explainer.scene.launcher import main as package_main

    package_main()
