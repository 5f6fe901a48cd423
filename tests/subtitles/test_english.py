"""English subtitle pages (subtitles/english.py): rows break at spaces, fit, keep every word in
order, balance emphasis, and pages follow sentences."""

import re

import pytest

from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.subtitles.english import paginate_english


def fits(row: str) -> bool:
    return len(row.replace("**", "")) <= 48


LINES = [line.en for scene in load_screenplay().scenes for line in scene.lines]


@pytest.mark.parametrize("text", LINES, ids=[f"line{i:02d}" for i in range(len(LINES))])
def test_every_english_line_pages_into_fitting_rows_with_every_word_in_order(text):
    pages = paginate_english(text, fits)
    rows = [row for page in pages for row in page.rows]
    assert all(1 <= len(page.rows) <= 2 for page in pages)
    assert all(fits(row) for row in rows), rows
    assert " ".join(rows).replace("**", "").split() == text.replace("**", "").split()
    assert all(row.count("**") % 2 == 0 for row in rows), rows


def test_pages_follow_sentences_and_the_summary_list_items():
    pages = paginate_english("Diffusion models? Like something spreading out?", fits)
    assert [p.rows for p in pages] == [("Diffusion models?", "Like something spreading out?")]
    summary = next(text for text in LINES if text.startswith("1. **Forward process**"))
    pages = paginate_english(summary, fits)
    assert [re.match(r"\d\.", p.rows[0]).group() for p in pages] == ["1.", "2.", "3.", "4.", "5."]


def test_emphasis_over_two_words_is_closed_and_reopened_across_a_row_break():
    pages = paginate_english("We take the **whole forward process** and run it backwards.", lambda r: len(r) <= 30)
    rows = [row for page in pages for row in page.rows]
    assert all(row.count("**") % 2 == 0 for row in rows), rows
    assert " ".join(rows).replace("**", "") == "We take the whole forward process and run it backwards."


def test_a_row_does_not_end_on_a_word_that_leans_on_the_next():
    (page,) = paginate_english("It starts from uniform noise and restores a clean image.", fits)
    assert not page.rows[0].split()[-1] in {"and", "a", "the", "from"}, page.rows


def test_the_english_videos_pages_fit_the_band_in_the_latin_font_beside_the_english_name():
    """Every translated line of the real screenplay, paged as the English video burns it in (the
    fitter of an English render, at 16:9): each page fits the band with the speaker's English name,
    measured in DejaVu Sans, and the pages say the line's English, word for word."""
    from diffusion_explainer.subtitles import plain_text
    from diffusion_explainer.subtitles.language import ENGLISH_FONT
    from diffusion_explainer.timing.scene_plan import fitter_for

    screenplay = load_screenplay()
    fitter = fitter_for(screenplay, 16 / 9, "en")
    capacity = fitter.layout.subtitle_width / fitter.layout.text_height
    assert fitter.shown_name("シュウ") == "Shu" and fitter.shown_name("ミク") == "Miku"
    for line in (line for scene in screenplay.scenes for line in scene.lines):
        pages = fitter.pages(line)
        assert all(fitter.page_width_em(line.speaker, page, ENGLISH_FONT) <= capacity for page in pages), line.id
        assert " ".join(plain_text(row) for page in pages for row in page.rows).split() == plain_text(line.en).split()


def test_a_line_without_english_is_shown_in_japanese_in_the_english_video():
    from dataclasses import replace

    from diffusion_explainer.timing.scene_plan import fitter_for, voicing

    screenplay = load_screenplay()
    line = replace(screenplay.scenes[1].lines[0], en=None, en_say=None)
    pages = fitter_for(screenplay, 16 / 9, "en").pages(line)
    assert pages == fitter_for(screenplay, 16 / 9, "ja").pages(line)  # as the Japanese video pages it
    spoken = voicing(line, screenplay, "en")
    assert line.speaker == "ミク"
    assert (spoken.engine, spoken.voice, spoken.reading) == ("kokoro", "jf_alpha", line.reading)
