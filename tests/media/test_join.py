"""Joining and checking, on small real H.264 files made with PyAV (no Manim): exact frames and
positions, padded narration, and the refusal of anything off the delivery spec."""

import wave

import av
import numpy as np
import pytest

from diffusion_explainer.core.errors import RenderError
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media.join import Chapter, ScenePiece
from diffusion_explainer.media.probe import probe, video_problems
from diffusion_explainer.render.pipeline import join_and_check

SETTINGS = RenderSettings.custom("256,144", 10, silent=True, music=False)  # the narration alone: its timing is checked


def decoded(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def tone_wav(path, seconds, start_s=0.0):
    """48 kHz stereo 16-bit: silence, then a tone from `start_s`."""
    n = round(seconds * 48000)
    t = np.arange(n) / 48000
    x = np.where(t >= start_s, np.sin(2 * np.pi * 440 * t) * 12000, 0).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2), w.setsampwidth(2), w.setframerate(48000)
        w.writeframes(np.stack([x, x], 1).tobytes())
    return path


@pytest.fixture
def three_scenes(tiny_video, tmp_path):
    a = tiny_video("a.mp4", 20, colour=(200, 0, 0))
    b = tiny_video("b.mp4", 30, colour=(0, 200, 0))
    c = tiny_video("c.mp4", 10, colour=(0, 0, 200))
    # scene b's narration is shorter than the scene (1.5 s of 3 s) and speaks from 0.5 s on
    narration = tone_wav(tmp_path / "b.wav", 1.5, start_s=0.5)
    return [ScenePiece("a", a, 0, 20, None), ScenePiece("b", b, 20, 30, narration), ScenePiece("c", c, 50, 10, None)]


def test_joined_file_meets_the_spec_and_every_scene_starts_on_its_frame(three_scenes, tmp_path):
    final = tmp_path / "out.mp4"
    facts = join_and_check(three_scenes, SETTINGS, 6, final, title="t")
    assert video_problems(facts, 256, 144, 10, 6) == []
    assert facts.frames == 60 and facts.video_duration_s == 6.0 and facts.fast_start
    assert (facts.audio_codec, facts.audio_profile, facts.audio_rate, facts.audio_channels) == ("aac", "LC", 48000, 2)
    assert abs(facts.audio_duration_s - 6.0) <= 1024 / 48000

    joined = decoded(final)
    for piece in three_scenes:
        own = decoded(piece.video)
        for i, frame in enumerate(own):  # stream copy: the very same pictures at the scene's frames
            assert np.array_equal(joined[piece.start_frame + i], frame), f"{piece.scene_id} frame {i}"


def test_the_joined_file_carries_one_chapter_per_scene_and_stays_on_spec(three_scenes, tmp_path):
    final = tmp_path / "out.mp4"
    chapters = [Chapter(0, 2000, "タイトル"), Chapter(2000, 5000, "前方過程"), Chapter(5000, 6000, "まとめ")]
    facts = join_and_check(three_scenes, SETTINGS, 6, final, chapters=chapters)
    assert video_problems(facts, 256, 144, 10, 6) == []  # the chapter track changes no length or stream
    with av.open(str(final)) as container:
        read = [(float(c["start"] * c["time_base"]), float(c["end"] * c["time_base"]), c["metadata"]["title"])
                for c in container.chapters()]
    assert read == [(0.0, 2.0, "タイトル"), (2.0, 5.0, "前方過程"), (5.0, 6.0, "まとめ")]


def test_narration_is_padded_to_its_scene_and_starts_at_the_scenes_start(three_scenes, tmp_path):
    final = tmp_path / "out.mp4"
    join_and_check(three_scenes, SETTINGS, 6, final)
    with av.open(str(final)) as container:
        samples = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)[0]
    loud = np.nonzero(np.abs(samples) > 0.05)[0] / 48000
    # scene b starts at 2.0 s and its voice 0.5 s into it; it lasts 1 s; scene c is silent
    assert loud[0] == pytest.approx(2.5, abs=0.005)
    assert loud[-1] == pytest.approx(3.5, abs=0.005)


def test_frame_times_off_the_grid_are_put_back_on_it(tiny_video, tmp_path):
    a = tiny_video("a.mp4", 20, jitter=True)
    b = tiny_video("b.mp4", 30, jitter=True)
    assert not probe(a).on_frame_grid
    facts = join_and_check([ScenePiece("a", a, 0, 20, None), ScenePiece("b", b, 20, 30, None)], SETTINGS, 5,
                           tmp_path / "out.mp4")
    assert facts.on_frame_grid and facts.frames == 50 and facts.video_duration_s == 5.0
    joined = decoded(tmp_path / "out.mp4")
    assert all(np.array_equal(x, y) for x, y in zip(joined, decoded(a) + decoded(b)))


def test_a_scene_with_missing_frames_is_refused_and_the_previous_file_kept(three_scenes, tmp_path):
    final = tmp_path / "out.mp4"
    final.write_bytes(b"the previous video")
    broken = three_scenes[:1] + [ScenePiece("b", three_scenes[1].video, 20, 31, None)] + three_scenes[2:]
    with pytest.raises(RenderError, match="has 30 frames, not 31"):
        join_and_check(broken, SETTINGS, 6, final)
    assert final.read_bytes() == b"the previous video"
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


def test_a_joined_file_of_the_wrong_length_is_refused_and_kept_aside(three_scenes, tmp_path):
    final = tmp_path / "out.mp4"
    final.write_bytes(b"the previous video")
    with pytest.raises(RenderError, match="60 video frames instead of 70") as error:
        join_and_check(three_scenes, SETTINGS, 7, final)  # the scene table says 7 s, the scenes make 6
    assert final.read_bytes() == b"the previous video"
    assert (tmp_path / "out.rejected.mp4").exists() and "rejected" in str(error.value)


def test_scenes_encoded_differently_cannot_be_stream_copied(tiny_video):
    a = tiny_video("a.mp4", 10)
    b = tiny_video("b.mp4", 10, size=(320, 180))
    with pytest.raises(RenderError, match="other parameters"):
        join_and_check([ScenePiece("a", a, 0, 10, None), ScenePiece("b", b, 10, 10, None)], SETTINGS, 2,
                       a.with_name("out.mp4"))


@pytest.mark.parametrize("kwargs, problem", [
    (dict(), "moov"),  # no fast start
    (dict(faststart=True, profile="baseline", audio_s=3.0), "instead of H.264 High"),
    (dict(faststart=True), "no audio stream"),
    (dict(faststart=True, audio_s=2.5), "the audio lasts 2.5"),
])
def test_the_read_back_names_what_is_off(tiny_video, kwargs, problem):
    facts = probe(tiny_video("x.mp4", 30, **kwargs))
    problems = video_problems(facts, 256, 144, 10, 3)
    assert any(problem in p for p in problems), problems


def test_a_file_meeting_the_spec_has_no_problems(tiny_video):
    facts = probe(tiny_video("x.mp4", 30, faststart=True, audio_s=3.0))
    assert video_problems(facts, 256, 144, 10, 3) == []
    assert video_problems(facts, 256, 144, 10, 4)  # and the check can fail


def test_the_soundtrack_is_encoded_once_and_reused_while_the_narration_is_unchanged(three_scenes, tmp_path):
    from diffusion_explainer.sound.soundtrack import soundtrack

    cache = tmp_path / "audio"
    first = soundtrack(three_scenes, 10, cache)
    stamp = first.audio.stat().st_mtime_ns
    other_pictures = [ScenePiece(p.scene_id, p.video.with_name("elsewhere.mp4"), p.start_frame, p.frames, p.audio)
                      for p in three_scenes]
    assert soundtrack(other_pictures, 10, cache) == first and first.audio.stat().st_mtime_ns == stamp
    new_line = tone_wav(tmp_path / "b2.wav", 1.5, start_s=0.25)
    changed = [three_scenes[0], ScenePiece("b", three_scenes[1].video, 20, 30, new_line), three_scenes[2]]
    assert soundtrack(changed, 10, cache) != first


def test_the_soundtrack_encoded_while_scenes_render_is_the_one_the_join_uses(three_scenes, tmp_path):
    from diffusion_explainer.render.pipeline import early_soundtrack
    from diffusion_explainer.sound import soundtrack as module
    from diffusion_explainer.sound.soundtrack import soundtrack

    cache = tmp_path / "audio"
    with early_soundtrack(lambda: three_scenes, SETTINGS, cache) as sound:
        made, cpu_s, costs = sound.result()
    assert cpu_s > 0 and costs.segments_cpu_s == []  # (one job: the segments are encoded in the thread)
    assert made.audio.exists() and [p for p in cache.iterdir() if p.name != module.SEGMENTS_DIR] == [made.folder]
    stamp = made.audio.stat().st_mtime_ns
    assert soundtrack(three_scenes, 10, cache, music=False) == made and made.audio.stat().st_mtime_ns == stamp  # not encoded again


def test_with_more_jobs_the_segments_are_encoded_apart_into_the_same_soundtrack(three_scenes, tmp_path):
    import dataclasses

    from diffusion_explainer.render.pipeline import early_soundtrack

    with early_soundtrack(lambda: three_scenes, SETTINGS, tmp_path / "one") as sound:
        alone, _, _ = sound.result()
    with early_soundtrack(lambda: three_scenes, dataclasses.replace(SETTINGS, jobs=2), tmp_path / "two") as sound:
        apart, cpu_s, costs = sound.result()
    assert len(costs.segments_cpu_s) == len(three_scenes) and all(c > 0 for c in costs.segments_cpu_s)
    assert apart.audio.read_bytes() == alone.audio.read_bytes()


def test_a_render_that_stops_stops_the_soundtrack_encode_and_leaves_nothing(three_scenes, tmp_path):
    import threading
    import time

    from diffusion_explainer.render.pipeline import early_soundtrack
    from diffusion_explainer.sound import aac_segments
    from diffusion_explainer.sound import soundtrack as module

    cache = tmp_path / "audio"
    started = threading.Event()
    real_frame = aac_segments.audio_frame

    def slow_frame(block, position, rate):  # 30 s of audio at 50 ms per AAC frame: about 70 s if never stopped
        started.set()
        time.sleep(0.05)
        return real_frame(block, position, rate)

    aac_segments.audio_frame = slow_frame
    try:
        with pytest.raises(KeyboardInterrupt):
            with early_soundtrack(lambda: [ScenePiece("b", three_scenes[1].video, 0, 300, three_scenes[1].audio)],
                                  SETTINGS, cache) as sound:
                assert started.wait(30)
                raise KeyboardInterrupt  # Ctrl-C while the scenes render
    finally:
        aac_segments.audio_frame = real_frame
    assert isinstance(sound.exception(timeout=0), module.Stopped)
    assert not cache.exists() or [p for p in cache.rglob("*") if p.is_file()] == []  # no track, no segment


def test_a_packets_frame_is_its_time_rounded_as_a_fraction_rounds():
    """The join puts each packet on its frame with integers (a Fraction per packet costs a third of a
    join's time): the same frame as round(Fraction), halves to even."""
    from fractions import Fraction

    from diffusion_explainer.media.join import _nearest

    cases = [(n, d) for d in (1, 2, 3, 4, 256, 15360, 90000) for n in range(-3 * d, 3 * d + 1, max(1, d // 7))]
    cases += [(2 * k + 1, 2) for k in range(-5, 6)] + [(5 * 15360 + 7680, 15360), (7 * 15360 + 7680, 15360)]
    assert all(_nearest(n, d) == round(Fraction(n, d)) for n, d in cases)
