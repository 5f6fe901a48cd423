"""The Manim launcher's one change (frames converted once, copied into the frame through a view) leaves every pixel as Manim's
own encoder writes it, and keeps the frame count; it writes into Manim's private encoder state, which the installed
Manim must still have, and without it the launcher says so and runs Manim's own encoder."""

from fractions import Fraction

import av
import manim
import numpy as np
import pytest
from manim._config.video_encoder import VideoEncoderSpec
from manim.scene.video_segment_encoder import VideoSegmentEncoder

from diffusion_explainer.scene import launcher as manim_main


def frames_of(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def encode(path, pictures):
    height, width = pictures[0][0].shape[:2]
    spec = VideoEncoderSpec("mp4", "libx264", "yuv420p", width, height, Fraction(10), (("crf", "23"), ("preset", "veryfast")))
    encoder = VideoSegmentEncoder(target=path, spec=spec)
    for pixels, repeat in pictures:
        encoder.write_frame(pixels.copy(), repeat=repeat)
    encoder.finish()
    return frames_of(path)


@pytest.fixture
def patched():
    original = VideoSegmentEncoder.write_frame
    assert manim_main._patch_segment_encoder()
    yield
    VideoSegmentEncoder.write_frame = original


def pictures(width=256, height=144):
    rng = np.random.default_rng(0)
    still = np.zeros((height, width, 4), np.uint8)
    still[..., 3] = 255
    still[40:100, 60:200, :3] = (250, 204, 21)
    moving = [np.where(rng.random((height, width, 1)) < 0.5, still, 255 - still).astype(np.uint8) for _ in range(5)]
    # a held frame, a run of moving frames, the same frame sent twice, and another hold
    return [(still, 12)] + [(m, 1) for m in moving] + [(moving[-1], 1), (still, 7)]


# 250 px: PyAV pads each RGBA row of 1000 bytes to 1008, which the copy into the plane must skip
@pytest.mark.parametrize("width, height", [(256, 144), (250, 140)])
def test_still_frames_converted_once_give_the_same_video(tmp_path, patched, width, height):
    ours = encode(tmp_path / "patched.mp4", pictures(width, height))
    VideoSegmentEncoder.write_frame = manim_main._original_write_frame  # Manim's own again
    manims = encode(tmp_path / "manim.mp4", pictures(width, height))
    assert len(ours) == len(manims) == 12 + 5 + 1 + 7
    assert all(np.array_equal(a, b) for a, b in zip(ours, manims))


def test_manims_encoder_still_has_what_the_launcher_writes_into(tmp_path):
    """Read from a real encoder of the installed Manim: if this fails, the launcher runs Manim's own
    encoder (slower) until write_frame and finish are adapted to the new encoder."""
    assert manim.__version__ == manim_main.PATCHED_MANIM, (
        f"Manim {manim.__version__}: the launcher is written for {manim_main.PATCHED_MANIM}; check the names below "
        "against its VideoSegmentEncoder and update PATCHED_MANIM")
    spec = VideoEncoderSpec("mp4", "libx264", "yuv420p", 64, 64, Fraction(10), (("preset", "ultrafast"),))
    encoder = VideoSegmentEncoder(target=tmp_path / "probe.mp4", spec=spec)
    try:
        for name in manim_main.ENCODER_METHODS:
            assert callable(getattr(VideoSegmentEncoder, name, None)), f"Manim's VideoSegmentEncoder has no method {name}"
        for name in manim_main.ENCODER_STATE:
            assert hasattr(encoder, name), f"Manim's VideoSegmentEncoder has no attribute {name} (the launcher writes into it)"
        for name in manim_main.SPEC_FIELDS:
            assert hasattr(encoder.spec, name), f"Manim's VideoEncoderSpec has no field {name}"
        assert isinstance(encoder._stream, av.video.stream.VideoStream), "_stream is not the PyAV video stream"
        assert isinstance(encoder._container, av.container.OutputContainer), "_container is not the PyAV output file"
        assert encoder._next_pts == 0 and encoder._closed is False, "_next_pts or _closed changed meaning"
    finally:
        encoder.abort()
    # and the launcher's own check, from the class's source, agrees
    assert manim_main.missing_encoder_parts(VideoSegmentEncoder, VideoEncoderSpec) == []


class EncoderWithoutNextPts:
    """Manim's encoder as a later version might write it: its frame counter renamed."""

    def __init__(self, *, target, spec):
        self.spec, self._pts, self._closed = spec, 0, False
        self._container = self._stream = None

    def write_frame(self, pixels, *, repeat=1):
        self._pts += repeat

    def finish(self):
        self._closed = True

    def _validate_frame(self, pixels, repeat):
        pass

    def _operation_error(self, operation, error):
        return RuntimeError(operation)


def test_an_encoder_without_what_the_launcher_writes_into_is_left_alone_with_one_warning(capsys):
    write_frame, finish = EncoderWithoutNextPts.write_frame, EncoderWithoutNextPts.finish
    assert manim_main.missing_encoder_parts(EncoderWithoutNextPts, VideoEncoderSpec) == ["_next_pts"]
    assert not manim_main._patch_segment_encoder(EncoderWithoutNextPts)
    assert (EncoderWithoutNextPts.write_frame, EncoderWithoutNextPts.finish) == (write_frame, finish)
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 1 and "EncoderWithoutNextPts has no _next_pts" in warning[0], warning
    assert "Manim's own encoder" in warning[0]
