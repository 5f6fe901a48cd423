"""Captions and chapters against the real screenplay and its real timeline, at two frame rates.

The screenplay is the project's own (or DIFFUSION_EXPLAINER_SCREENPLAY's, as for a render)."""

import datetime

import pytest
import srt
import webvtt

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media import caption_files as captions
from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.subtitles import plain_text
from diffusion_explainer.timing.video_plan import plan_video


@pytest.fixture(scope="module")
def screenplay():
    return load_screenplay()


@pytest.fixture(scope="module", params=[10, 60])
def plan(request, screenplay):
    return plan_video(RenderSettings.custom("256,144", request.param, silent=True), screenplay)


def pages(plan):
    """(scene start, line, page) for every subtitle page of the video, in order."""
    return [(p.scene.start_s, t.line, page) for p in plan.scenes for t in p.timeline.lines for page in t.pages]


def test_srt_has_one_caption_per_page_timed_by_the_timeline(plan):
    subs = list(srt.parse(captions.srt_text(plan)))
    expected = pages(plan)
    assert len(subs) == len(expected) > 50
    for sub, (start_s, line, page) in zip(subs, expected):
        assert sub.start == datetime.timedelta(milliseconds=round(1000 * (start_s + page.span.start / plan.fps)))
        assert sub.end == datetime.timedelta(milliseconds=round(1000 * (start_s + page.span.end / plan.fps)))
        assert sub.content == f"{line.speaker}: {plain_text(page.text)}"
    assert all(a.end <= b.start for a, b in zip(subs, subs[1:])), "captions overlap"
    assert subs[-1].end <= datetime.timedelta(seconds=600)


def test_srt_times_are_on_frames_in_whole_milliseconds(plan):
    text = captions.srt_text(plan)
    assert "00:00:04," in text or "00:00:0" in text  # SRT: a comma before the milliseconds
    for sub in srt.parse(text):
        frames = sub.start.total_seconds() * plan.fps
        assert abs(frames - round(frames)) * 1000 / plan.fps <= 0.5 + 1e-6


def test_webvtt_carries_the_speaker_as_a_voice_and_the_same_times(plan):
    text = captions.vtt_text(plan)
    assert text.startswith("WEBVTT")
    vtt = webvtt.from_string(text)
    subs = list(srt.parse(captions.srt_text(plan)))
    assert len(vtt.captions) == len(subs)
    for caption, sub, (_, line, page) in zip(vtt.captions, subs, pages(plan)):
        assert caption.voice == line.speaker
        assert caption.raw_text.startswith(f"<v {line.speaker}>")
        assert caption.text == plain_text(page.text)
        assert round(caption.start_in_seconds * 1000) // 1000 == int(sub.start.total_seconds())
        assert caption.start_time.in_milliseconds() == sub.start // datetime.timedelta(milliseconds=1)
        assert caption.end_time.in_milliseconds() == sub.end // datetime.timedelta(milliseconds=1)


def test_chapters_follow_the_scene_table(plan, screenplay):
    lines = captions.chapters_text(plan).splitlines()
    assert lines[0] == "0:00 タイトル"
    assert lines == [f"{s.start_s // 60}:{s.start_s % 60:02d} {s.title}" for s in screenplay.scenes]
    starts = [int(m) * 60 + int(s) for m, s in (line.split(" ")[0].split(":") for line in lines)]
    assert len(lines) >= 3 and starts == sorted(starts)
    assert all(b - a >= 10 for a, b in zip(starts, starts[1:] + [600]))  # YouTube: each at least 10 s


@pytest.mark.parametrize("ms, stamp", [(0, "00:00:00.000"), (59_999, "00:00:59.999"), (600_000, "00:10:00.000"),
                                       (3_723_045, "01:02:03.045")])
def test_webvtt_timestamps_carry_hours_minutes_seconds_and_milliseconds(ms, stamp):
    assert captions.vtt_time(ms) == stamp
    [caption] = webvtt.from_string(captions.vtt_document([(ms, ms + 1, "x")])).captions
    assert (caption.start_time.in_milliseconds(), caption.end_time.in_milliseconds(), caption.text) == (ms, ms + 1, "x")
