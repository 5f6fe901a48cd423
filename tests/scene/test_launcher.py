"""The Manim launcher's one change (frames converted once, copied into the frame through a view) leaves every pixel as Manim's
own encoder writes it, and keeps the frame count."""

from fractions import Fraction

import av
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
