"""Held frames written as skipped pictures (held_frames.py, launcher.py): the packets are the
ones x264 writes for a picture it finds unchanged, the video decodes strictly to the held picture,
a stream the writer does not cover goes through the encoder, and a render without the shortcut
decodes to the same frames up to the final hold."""

import io
import os
import subprocess
import sys
from fractions import Fraction

import av
import numpy as np
import pytest
from manim._config.video_encoder import VideoEncoderSpec
from manim.scene.video_segment_encoder import VideoSegmentEncoder

from diffusion_explainer.core import runtime
from diffusion_explainer.core.settings import ENCODER_OPTIONS, RenderSettings
from diffusion_explainer.scene import held_frames
from diffusion_explainer.scene import launcher as manim_main

STRICT = {"err_detect": "crccheck+bitstream+buffer+explode"}


def still_picture(width=320, height=192):
    """Flat colours, a gradient and thin lines, like a frame of the video."""
    y, x = np.mgrid[:height, :width]
    rgb = np.full((height, width, 3), 24, np.uint8)
    rgb[30:150, 40:280] = np.stack([x[30:150, 40:280] * 0.7, y[30:150, 40:280], 160 + 0 * x[30:150, 40:280]], -1).astype(np.uint8)
    rgb[((x - 160) ** 2 + (y - 90) ** 2 < 50 ** 2) & ((x - 160) ** 2 + (y - 90) ** 2 > 46 ** 2)] = (250, 204, 21)
    rgb[160:163, :] = (233, 69, 96)
    return rgb


def x264_packets(options, frames=120):
    """x264's packets for one picture held `frames` times, and the stream's headers."""
    stream_out = av.open(io.BytesIO(), "w", format="mp4")
    stream = stream_out.add_stream("libx264", rate=60, options=options)
    rgb = still_picture()
    stream.height, stream.width = rgb.shape[:2]
    stream.pix_fmt = "yuv420p"
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    packets = []
    for pts in range(frames):
        frame.pts = pts
        packets += [bytes(p) for p in stream.encode(frame)]
    packets += [bytes(p) for p in stream.encode()]
    headers = held_frames.StreamHeaders.from_extradata(bytes(stream.codec_context.extradata))
    stream_out.close()
    return packets, headers


def slice_fields(packet, headers):
    """frame_num, nal_ref_idc, cabac_init_idc and slice QP of a P slice as x264 wrote them."""
    unit = held_frames.nal_units(packet)[0]
    r = held_frames._BitReader(held_frames.unescape(unit[1:]))
    r.ue(), r.ue(), r.ue()
    frame_num = r.u(headers.log2_max_frame_num)
    if r.u(1):  # num_ref_idx_active_override_flag
        r.ue()
    r.u(1), r.u(1)  # ref_pic_list_modification_flag_l0, adaptive_ref_pic_marking_mode_flag
    cabac_init_idc = r.ue() if headers.cabac else 0
    return frame_num, unit[0] >> 5, cabac_init_idc, headers.pic_init_qp + r.se()


def same_but_x264s_last_bit(ours, theirs):
    """x264 ends a CABAC slice with a pseudo-random bit after the stop bit (its cabac flush:
    0x35a4e4f5 >> frame number); everything before and including the stop bit must agree."""
    stop = ours[-1] & -ours[-1]
    return len(ours) == len(theirs) and ours[:-1] == theirs[:-1] and theirs[-1] & ~(stop - 1) == ours[-1]


@pytest.mark.parametrize("entropy", ["cabac=1:8x8dct=1", "cabac=0"])
def test_a_skipped_picture_is_the_packet_x264_writes_for_an_unchanged_one(entropy):
    options = dict(ENCODER_OPTIONS, **{"x264-params": entropy})
    packets, headers = x264_packets(options)
    assert headers.cabac == entropy.startswith("cabac=1") and headers.poc_type == 2
    matched = exact = 0
    for packet in packets[1:]:
        frame_num, ref, init, qp = slice_fields(packet, headers)
        ours = held_frames.skip_frame(headers, frame_num, nal_ref_idc=ref, qp=qp, cabac_init_idc=init)
        matched += same_but_x264s_last_bit(ours, packet)  # the others: x264 still refining the picture
        exact += ours == packet
    # x264 finds most of the held frames unchanged and skips every macroblock: those packets are ours
    assert matched > 60
    assert (exact > 0) if headers.cabac else (exact == matched)


def test_the_frame_numbers_continue_and_wrap_after_the_encoders_last_picture():
    packets, headers = x264_packets(dict(ENCODER_OPTIONS), frames=3)
    last = held_frames.SliceStart.of_packet(packets[-1], headers)
    assert (last.frame_num, last.idr) == (2, False) and last.nal_ref_idc > 0
    assert held_frames.next_frame_num(last, headers) == 3
    wrap = held_frames.SliceStart(last.nal_ref_idc, False, (1 << headers.log2_max_frame_num) - 1)
    assert held_frames.next_frame_num(wrap, headers) == 0
    with pytest.raises(held_frames.Unsupported):
        held_frames.next_frame_num(held_frames.SliceStart(0, False, 5), headers)


def test_a_stream_with_b_frames_is_not_covered():
    with pytest.raises(held_frames.Unsupported, match="picture order count type 0"):
        x264_packets({"preset": "veryfast", "crf": "23"}, frames=2)


def test_emulation_prevention_round_trips():
    rbsp = bytes([0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 7])
    escaped = held_frames.escape(rbsp)
    assert escaped == bytes([0, 0, 3, 0, 0, 3, 1, 0, 0, 3, 2, 0, 0, 3, 3, 0, 0, 4, 7])
    assert held_frames.unescape(escaped) == rbsp


# Through Manim's encoder, as a scene hands it frames --------------------------------------------

@pytest.fixture
def patched():
    write_frame, finish = VideoSegmentEncoder.write_frame, VideoSegmentEncoder.finish
    assert manim_main._patch_segment_encoder()
    yield
    VideoSegmentEncoder.write_frame, VideoSegmentEncoder.finish = write_frame, finish


def encode(path, pictures, options):
    height, width = pictures[0][0].shape[:2]
    spec = VideoEncoderSpec("mp4", "libx264", "yuv420p", width, height, Fraction(30), tuple(options.items()))
    encoder = VideoSegmentEncoder(target=path, spec=spec)
    for pixels, repeat in pictures:
        encoder.write_frame(pixels, repeat=repeat)
    encoder.finish()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = STRICT
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return decoded, float(stream.duration * stream.time_base)


def call_pictures():
    """A call as a scene makes one: a hold, moving frames, one sent again, and a hold to its end."""
    rgba = np.dstack([still_picture(), np.full(still_picture().shape[:2], 255, np.uint8)])
    rng = np.random.default_rng(0)
    moving = [np.roll(rgba, 8 * i, axis=1) for i in range(1, 5)]
    moving = [np.ascontiguousarray(m) for m in moving]
    last = moving[-1].copy()
    last[rng.random(last.shape[:2]) < 0.02] = 255
    return [(rgba, 10), *[(m, 1) for m in moving], (moving[-1], 1), (last, 1), (last.copy(), 44)]


def test_a_hold_at_the_end_of_a_call_is_written_as_copies_and_the_rest_as_manim_encodes_it(tmp_path, patched):
    ours, ours_duration = encode(tmp_path / "ours.mp4", call_pictures(), ENCODER_OPTIONS)
    VideoSegmentEncoder.write_frame, VideoSegmentEncoder.finish = manim_main._original_write_frame, manim_main._original_finish
    manims, manims_duration = encode(tmp_path / "manim.mp4", call_pictures(), ENCODER_OPTIONS)
    assert len(ours) == len(manims) == 10 + 4 + 1 + 1 + 44 and ours_duration == manims_duration == 2.0
    held_from = 10 + 4 + 1
    # up to the last picture's first frame the encoder saw the same frames: the same video
    assert all(np.array_equal(a, b) for a, b in zip(ours[:held_from + 1], manims[:held_from + 1]))
    # then copies of it, where x264 would have spent its time refining the same picture
    assert all(np.array_equal(frame, ours[held_from]) for frame in ours[held_from + 1:])
    assert not all(np.array_equal(frame, ours[held_from]) for frame in manims[held_from + 1:])
    source = call_pictures()[-1][0][..., :3].astype(float)
    # and the copies are within 1 dB of what x264's 44 refinements reach (0.3 dB here)
    psnr = [10 * np.log10(255 ** 2 / ((frame - source) ** 2).mean()) for frame in (ours[-1], manims[-1])]
    assert psnr[0] > psnr[1] - 1


def test_a_call_of_one_held_picture_is_one_encoded_frame_and_copies(tmp_path, patched):
    rgba = np.dstack([still_picture(), np.full(still_picture().shape[:2], 255, np.uint8)])
    ours, duration = encode(tmp_path / "still.mp4", [(rgba, 300)], ENCODER_OPTIONS)
    assert len(ours) == 300 and duration == 10.0
    assert all(np.array_equal(frame, ours[0]) for frame in ours)
    assert (tmp_path / "still.mp4").stat().st_size < 40_000


def test_with_b_frames_the_encoder_still_holds_the_picture_itself(tmp_path, patched):
    options = {"preset": "veryfast", "crf": "23"}
    ours, _ = encode(tmp_path / "ours.mp4", call_pictures(), options)
    VideoSegmentEncoder.write_frame, VideoSegmentEncoder.finish = manim_main._original_write_frame, manim_main._original_finish
    manims, _ = encode(tmp_path / "manim.mp4", call_pictures(), options)
    assert len(ours) == len(manims) == 60
    assert all(np.array_equal(a, b) for a, b in zip(ours, manims))


# A real render through the launcher, with the shortcut and without it ------------------------------

HOLD_SCENE = """
from manim import LEFT, RIGHT, YELLOW, Scene, Square


class Hold(Scene):
    def construct(self):
        square = Square(color=YELLOW, fill_opacity=0.6).shift(LEFT * 2)
        self.add(square)
        self.play(square.animate.shift(RIGHT * 4).rotate(0.5), run_time=1.0)
        self.wait(1.5)
"""
MOVING_FRAMES, HELD_FRAMES = 10, 15  # at 10 fps


def render_through_launcher(folder, scene_file, fallback: bool):
    """Render the scene with the launcher; `fallback`: as on a Manim whose encoder lacks a piece of
    what held frames are written into, so the launcher leaves Manim's encoder alone."""
    broken = "launcher.ENCODER_STATE += ('_no_such_state',); " if fallback else ""
    code = f"import sys; from diffusion_explainer.scene import launcher; {broken}launcher.main()"
    frame_log = folder / "frames"
    env = dict(os.environ, **{runtime.FRAME_LOG_ENV: str(frame_log), runtime.CACHE_ENV: str(folder / "cache")})
    for name in (runtime.PLAN_ENV, runtime.PROGRESS_ENV):
        env.pop(name, None)
    args = RenderSettings.custom("128,72", 10, silent=True).manim_args()
    result = subprocess.run([sys.executable, "-c", code, "render", *args, "--media_dir", str(folder / "media"),
                             "-o", "hold", str(scene_file), "Hold"], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    [video] = [p for p in (folder / "media").rglob("hold.mp4") if "partial_movie_files" not in p.parts]
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = STRICT
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    logged = list(folder.glob("frames.*"))
    return frames, result.stderr, logged


@pytest.mark.render
def test_a_render_without_the_shortcut_gives_the_same_frames_up_to_the_final_hold(tmp_path):
    scene_file = tmp_path / "hold.py"
    scene_file.write_text(HOLD_SCENE, encoding="utf-8")
    (tmp_path / "on").mkdir()
    (tmp_path / "off").mkdir()
    ours, ours_err, ours_log = render_through_launcher(tmp_path / "on", scene_file, fallback=False)
    plain, plain_err, plain_log = render_through_launcher(tmp_path / "off", scene_file, fallback=True)
    # the shortcut ran in the first render (the patched encoder logs the frames it is handed) and
    # not in the second, which said why in one line
    assert "warning" not in ours_err and ours_log, ours_err
    warnings = [line for line in plain_err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "_no_such_state" in warnings[0] and not plain_log, plain_err
    assert len(ours) == len(plain) == MOVING_FRAMES + HELD_FRAMES
    first_held = MOVING_FRAMES
    for k in range(first_held + 1):
        assert np.array_equal(ours[k], plain[k]), f"frame {k} differs"
    assert all(np.array_equal(frame, ours[first_held]) for frame in ours[first_held + 1:])
