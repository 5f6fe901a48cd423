"""The English captions of the Japanese video, on the two-scene example: each translated line over
its Japanese voice, in pages at word boundaries, parsed back with srt and webvtt-py."""

import datetime
import itertools
import re
import shutil

import pytest
import srt
import webvtt

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media import caption_files as captions
from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.subtitles import plain_text
from diffusion_explainer.timing.video_plan import plan_video
from tests.conftest import SMALL_SCREENPLAY


@pytest.fixture(scope="module", params=[10, 30])
def plan(request):
    return plan_video(RenderSettings.custom("256,144", request.param, silent=True), load_screenplay(SMALL_SCREENPLAY))


def spoken_lines(plan):
    """(line, its speech's first and last millisecond in the video, English speaker) in order."""
    names = {c.name: c.en_name for c in plan.screenplay.characters}
    return [(t.line, 1000 * (p.scene.start_s * plan.fps + t.speech.start) / plan.fps,
             1000 * (p.scene.start_s * plan.fps + t.speech.end) / plan.fps, names[t.line.speaker])
            for p in plan.scenes for t in p.timeline.lines]


def ms(delta: datetime.timedelta) -> int:
    return delta // datetime.timedelta(milliseconds=1)


def test_each_english_line_is_shown_over_its_japanese_voice_in_pages(plan):
    subs = list(srt.parse(captions.english_srt_text(plan)))
    lines = spoken_lines(plan)
    assert all(line.en for line, *_ in lines) and len(subs) > len(lines)  # one line is two pages
    at = 0
    for line, start, end, speaker in lines:
        pages = []
        while at < len(subs) and ms(subs[at].start) < end:
            pages.append(subs[at])
            at += 1
        assert pages, line.id
        assert abs(ms(pages[0].start) - start) <= 0.5 and abs(ms(pages[-1].end) - end) <= 0.5, line.id
        assert all(a.end == b.start for a, b in itertools.pairwise(pages)), f"{line.id}: its pages leave gaps"
        for page in pages:
            assert start - 0.5 <= ms(page.start) < ms(page.end) <= end + 0.5
            first, *rest = page.content.split("\n")
            assert first.startswith(f"{speaker}: ") and len(rest) <= 1
            assert all(len(row) <= captions.ENGLISH_ROW_CHARACTERS for row in page.content.split("\n"))
        text = " ".join(" ".join(p.content.split("\n")).removeprefix(f"{speaker}: ") for p in pages)
        assert text == plain_text(line.en)
    assert at == len(subs)


def test_a_short_page_is_shown_long_enough_to_be_read(plan):
    # 「If you keep adding a little noise to a picture, in the end it becomes nothing but noise.」: two
    # pages sharing the voice by their characters; no page of the video under 0.5 s
    for sub in srt.parse(captions.english_srt_text(plan)):
        assert ms(sub.end - sub.start) >= 500, sub.content


def test_the_english_webvtt_names_the_speaker_as_a_voice_with_the_same_times(plan):
    text = captions.english_vtt_text(plan)
    vtt = webvtt.from_string(text)
    subs = list(srt.parse(captions.english_srt_text(plan)))
    assert len(vtt.captions) == len(subs)
    for caption, sub in zip(vtt.captions, subs):
        speaker, rows = sub.content.split(": ", 1)
        assert caption.voice == speaker in ("Shu", "Miku")
        assert caption.raw_text.startswith(f"<v {speaker}>")
        assert caption.text == rows
        assert (caption.start_time.in_milliseconds(), caption.end_time.in_milliseconds()) == (ms(sub.start), ms(sub.end))


def test_the_mp4_tracks_carry_both_languages_as_the_srt_files_have_them(plan):
    japanese, english = captions.subtitle_tracks(plan)
    assert (japanese.language, english.language) == ("jpn", "eng")
    for track, text in ((japanese, captions.srt_text(plan)), (english, captions.english_srt_text(plan))):
        assert [(s, e, t) for s, e, t in track.events] == [(ms(x.start), ms(x.end), x.content) for x in srt.parse(text)]


def test_a_screenplay_without_english_has_no_english_captions_or_track(screenplay_without_english):
    plan = plan_video(RenderSettings.custom("256,144", 10, silent=True), screenplay_without_english)
    assert captions.english_caption_cues(plan) == [] and captions.english_srt_text(plan) == ""
    assert [t.language for t in captions.subtitle_tracks(plan)] == ["jpn"]


@pytest.fixture
def screenplay_without_english(tmp_path):
    shutil.copytree(SMALL_SCREENPLAY.parent, tmp_path / "small")
    path = tmp_path / "small" / SMALL_SCREENPLAY.name
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^en:\n(  .*\n)+", "", text, flags=re.MULTILINE)  # the video's English title
    text = re.sub(r"^( +)en:( .*)?\n(\1  .*\n)*", "", text, flags=re.MULTILINE)
    assert "en:" not in text
    path.write_text(text, encoding="utf-8")
    return load_screenplay(path)
