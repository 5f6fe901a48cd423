"""Dead air (a still picture while nobody speaks, 3 s or more): measured on a synthetic video with
still stretches at known frames and a synthetic narration with voice at known times, then on the
tiny renders as the report writes it after every render."""

import json
from fractions import Fraction

import av
import numpy as np
import pytest

from diffusion_explainer.core.store import Store
from diffusion_explainer.narration.audio_files import write_wav
from diffusion_explainer.review.dead_air import (
    Span,
    block_power,
    clock,
    dead_air,
    quiet_spans,
    still_spans,
    voice_spans,
    wav_block_power,
    window_key,
)

FPS = 10
SECONDS = 20
# 0-4 s moving, 4-10 still, 10-12 moving, 12-15 still (exactly 3 s), 15-16 moving, 16-20 still (to the end)
STILL = [(4, 10), (12, 15), (16, 20)]
VOICE = [(0.0, 6.0), (13.0, 13.8)]


def still_video(path, fps=FPS, seconds=SECONDS, still=STILL, size=(256, 144), preset="veryfast"):
    """An H.264 MP4 whose picture moves (a bar grows every frame) except in the `still` spans
    (seconds), where it holds the spans' first frame."""
    width, height = size
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": preset})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        held = None
        for i in range(fps * seconds):
            span = next(((a, b) for a, b in still if a * fps <= i < b * fps), None)
            if span is None or held is None or held[0] != span:
                image = np.full((height, width, 3), (40, 80, 160), np.uint8)
                image[: height // 2, : (i * 7) % width] = 255
                image[height // 2:, : (i * 13) % width] = (250, 200, 0)
                held = (span, image)
            frame = av.VideoFrame.from_ndarray(held[1], format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def narration(path, voice=VOICE, seconds=SECONDS, rate=48000):
    """A mono WAV of a 220 Hz tone at -20 dBFS where the voice is, a breath of noise at -60 dBFS
    elsewhere (under the -45 dBFS bar)."""
    t = np.arange(seconds * rate) / rate
    samples = np.random.default_rng(1).normal(0, 10 ** (-60 / 20), len(t))
    for a, b in voice:
        inside = (t >= a) & (t < b)
        samples[inside] = 10 ** (-20 / 20) * np.sqrt(2) * np.sin(2 * np.pi * 220 * t[inside])
    return write_wav(path, samples.astype(np.float32), rate)


def spans_of(found):
    return [(round(s.start_s, 2), round(s.end_s, 2)) for s in found.spans]


def test_the_spans_found_are_exactly_the_still_ones_without_voice(tmp_path):
    video = still_video(tmp_path / "v.mp4")
    power = wav_block_power(narration(tmp_path / "narration.wav"))
    # voice 0-6 and 13-13.8: quiet 6-13 and 13.8-20. Still and quiet: 6-10 (4 s) and 16-20 (4 s, to
    # the end); 12-13 and 13.8-15 are still but too short, 4-6 still under the voice.
    assert spans_of(dead_air(video, SECONDS, power, "narration.wav")) == [(6.0, 10.0), (16.0, 20.0)]


def test_a_silent_render_has_no_voice_so_every_still_stretch_of_3_s_counts(tmp_path):
    video = still_video(tmp_path / "v.mp4")
    found = dead_air(video, SECONDS, None, "none")
    assert spans_of(found) == [(4.0, 10.0), (12.0, 15.0), (16.0, 20.0)]  # 12-15 is exactly 3 s: it counts
    assert found.to_report()["count"] == 3 and found.to_report()["spans"][0]["start"] == "0:04.0"


def test_voice_gaps_under_0_3_s_are_bridged_and_quiet_spans_are_3_s_or_more():
    rate = 48000
    samples = np.zeros(10 * rate)
    for a, b in [(1.0, 2.0), (2.25, 3.0), (3.5, 4.0)]:  # a 0.25 s gap (bridged), a 0.5 s gap (not)
        samples[int(a * rate):int(b * rate)] = 0.1
    voice = voice_spans(block_power(samples, rate))
    assert voice == [Span(1.0, 3.0), Span(3.5, 4.0)]
    assert quiet_spans(voice, 10.0) == [Span(4.0, 10.0)]  # 0-1 and 3-3.5 are under 3 s
    assert quiet_spans([], 10.0) == [Span(0.0, 10.0)]


def test_a_still_window_is_measured_from_its_own_start(tmp_path):
    video = still_video(tmp_path / "v.mp4")
    # the window starts inside the 4-10 still: the still counts from the window's start, and only
    # up to its end
    assert still_spans(video, Span(5.0, 9.5)) == [Span(5.0, 9.5)]
    assert still_spans(video, Span(7.5, 12.0)) == []  # 7.5-10: 2.5 s


def test_each_quiet_span_is_decoded_once_and_again_only_when_its_pictures_change(tmp_path):
    """The store keeps each quiet span's answer under its encoded pictures: the same video again
    decodes nothing; a video that differs only after 16 s decodes only the quiet span 13.8-20 (the
    encoder is `ultrafast`, which looks at no later frame, as the render's encoder)."""
    store = Store(tmp_path / "store")
    power = wav_block_power(narration(tmp_path / "narration.wav"))
    first = still_video(tmp_path / "a.mp4", preset="ultrafast")
    measured = dead_air(first, SECONDS, power, "narration.wav", store)
    assert spans_of(measured) == [(6.0, 10.0), (16.0, 20.0)] and measured.quiet_s == pytest.approx(13.2)

    again = dead_air(first, SECONDS, power, "narration.wav", store)
    assert spans_of(again) == spans_of(measured) and again.quiet_s == 0

    moving_at_the_end = still_video(tmp_path / "b.mp4", still=[(4, 10), (12, 15)], preset="ultrafast")
    assert window_key(moving_at_the_end, Span(6.0, 13.0)) == window_key(first, Span(6.0, 13.0))
    assert window_key(moving_at_the_end, Span(13.8, 20.0)) != window_key(first, Span(13.8, 20.0))
    changed = dead_air(moving_at_the_end, SECONDS, power, "narration.wav", store)
    assert spans_of(changed) == [(6.0, 10.0)] and changed.quiet_s == pytest.approx(6.2)


def test_a_window_key_changes_with_the_window(tmp_path):
    video = still_video(tmp_path / "v.mp4", preset="ultrafast")
    assert window_key(video, Span(6.0, 13.0)) != window_key(video, Span(6.0, 12.0))
    assert window_key(video, Span(6.0, 13.0)) != window_key(video, Span(6.5, 13.0))


def test_clock_rounds_to_tenths():
    assert [clock(t) for t in (0, 75.25, 59.96, 271.3)] == ["0:00.0", "1:15.2", "1:00.0", "4:31.3"]


@pytest.mark.render
def test_the_report_and_the_page_show_the_dead_air_of_a_narrated_render(small_narrated_render):
    outputs = small_narrated_render[0]
    report = json.loads(outputs.report.read_text(encoding="utf-8"))
    dead = report["dead_air"]
    assert dead["voice_source"] == "narration.wav (the narration stem)"
    measured = dead_air(outputs.video, 20, wav_block_power(outputs.narration_stem), "stem")
    assert dead["count"] == len(measured.spans) == len(dead["spans"])
    assert [(s["start_s"], s["end_s"]) for s in dead["spans"]] == [(s.start_s, s.end_s) for s in measured.spans]
    voice = voice_spans(wav_block_power(outputs.narration_stem))
    for span in measured.spans:  # 3 s or more, and nobody speaks in it
        assert span.duration_s >= 3.0
        assert not any(v.start_s < span.end_s and span.start_s < v.end_s for v in voice)
    flagged = [p for p in report["problems"] if p.startswith("dead air")]
    assert len(flagged) == dead["count"]
    page = outputs.page.read_text(encoding="utf-8")
    assert "<h3>Dead air</h3>" in page
    for s in dead["spans"]:  # each span a link that seeks the player
        assert f'data-start="{s["start_s"]:.3f}">{s["start"]}</a>' in page


@pytest.mark.render
@pytest.mark.full_video
def test_a_silent_render_counts_every_still_stretch(tiny_render, tmp_path):
    outputs = tiny_render[0]
    dead = json.loads(outputs.report.read_text(encoding="utf-8"))["dead_air"]
    assert dead["voice_source"].startswith("none")
    assert dead["count"] == len(still_spans(outputs.video, Span(0.0, 600.0))) > 0
    # with nobody speaking, the whole video is one quiet span, decoded whole when no answer is kept
    # (the report's own figure is 0 when the cache of an earlier run has the answers)
    measured = dead_air(outputs.video, 600, None, "none", store=Store(tmp_path / "dead_air"))
    assert measured.quiet_s == 600.0 and len(measured.spans) == dead["count"]
    assert dead["quiet_s_decoded"] in (0.0, 600.0)
