"""The Manim launcher's one change (still frames converted once) leaves every pixel as Manim's
own encoder writes it, and keeps the frame count."""

from fractions import Fraction

import av
import numpy as np
import pytest

from manim._config.video_encoder import VideoEncoderSpec
from manim.scene.video_segment_encoder import VideoSegmentEncoder

from diffusion_explainer.render import manim_main


def frames_of(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def encode(path, pictures):
    spec = VideoEncoderSpec("mp4", "libx264", "yuv420p", 256, 144, Fraction(10), (("crf", "23"), ("preset", "veryfast")))
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


def pictures():
    rng = np.random.default_rng(0)
    still = np.zeros((144, 256, 4), np.uint8)
    still[..., 3] = 255
    still[40:100, 60:200, :3] = (250, 204, 21)
    moving = [np.where(rng.random((144, 256, 1)) < 0.5, still, 255 - still).astype(np.uint8) for _ in range(5)]
    # a held frame, a run of moving frames, the same frame sent twice, and another hold
    return [(still, 12)] + [(m, 1) for m in moving] + [(moving[-1], 1), (still, 7)]


def test_still_frames_converted_once_give_the_same_video(tmp_path, patched):
    ours = encode(tmp_path / "patched.mp4", pictures())
    VideoSegmentEncoder.write_frame = manim_main._original_write_frame  # Manim's own again
    manims = encode(tmp_path / "manim.mp4", pictures())
    assert len(ours) == len(manims) == 12 + 5 + 1 + 7
    assert all(np.array_equal(a, b) for a, b in zip(ours, manims))
