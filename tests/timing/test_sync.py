"""Scene code syncs to lines by name and to points within them by phrase: placed as the subtitle
pages are, unmoved by lines inserted elsewhere, and refused loudly when gone."""

from pathlib import Path

import pytest

from diffusion_explainer.screenplay import parse_screenplay
from diffusion_explainer.timing.scene_plan import plan_for
from diffusion_explainer.timing.sync import SyncError, line_sync
from tests.conftest import SCREENPLAY

TEXT = SCREENPLAY.read_text(encoding="utf-8")
FILE = Path("scenes/s03_forward.py")


def timeline_of(text, scene_id="s03_forward", fps=30):
    screenplay = parse_screenplay(text, "diffusion_explainer.yaml")
    return plan_for(scene_id, fps, silent=True, screenplay=screenplay).timeline


@pytest.mark.parametrize("fps", [10, 30, 60])
def test_a_phrase_that_opens_a_page_is_reached_on_the_pages_first_frame(fps):
    line = line_sync(timeline_of(TEXT, fps=fps), "dilute_and_add", FILE)
    second = line.timing.pages[1]
    phrase = second.text.replace("\n", "")[:6]
    assert line.page(phrase) == second
    assert line.at(phrase) == second.span.start
    assert line.at(0) == line.start and line.at(1) == line.end
    inside = line.at("その分だけ")  # on the first page, after its start
    assert line.timing.pages[0].span.start < inside < second.span.start


def test_phrases_ignore_spaces_and_emphasis_and_follow_the_text_order():
    line = line_sync(timeline_of(TEXT, "s08_summary"), "five_points", Path("scenes/s08_summary.py"))
    points = [line.at(f"{n}. {word}") for n, word in
              enumerate(("前方過程", "学習", "逆過程", "テキスト条件付け", "潜在空間"), start=1)]
    assert points == sorted(points) and len(set(points)) == 5
    assert line.start <= points[0] and points[-1] < line.end


def test_inserting_a_line_before_a_synced_line_keeps_the_sync_on_its_words():
    inserted = TEXT.replace("      - speaker: ミク\n        text: この数式は？\n",
                            "      - speaker: ミク\n        text: この数式は？\n"
                            "      - speaker: シュウ\n        text: うん、順番に見ていこう。\n", 1)
    assert inserted != TEXT
    before, after = timeline_of(TEXT), timeline_of(inserted)
    assert len(after.lines) == len(before.lines) + 1
    for timeline in (before, after):
        line = line_sync(timeline, "dilute_and_add", FILE)
        assert "その分だけ" in line.timing.line.text
        assert line.start <= line.at("その分だけ") < line.end
    # by position, the fourth line of the cue is now another line: what the old code picked
    cue = after.cue("forward_formula").span
    assert "その分だけ" not in after.lines_in(cue)[1].line.text


def test_unnamed_unknown_and_lost_references_are_refused_with_the_scene_file():
    timeline = timeline_of(TEXT)
    with pytest.raises(SyncError, match=r"scenes/s03_forward.py: 'line03' is a line's position"):
        line_sync(timeline, "line03", FILE)
    with pytest.raises(SyncError, match=r"no line with id 'nope' \(named lines: forward_intro, "):
        line_sync(timeline, "nope", FILE)
    with pytest.raises(SyncError, match=r"has no phrase 「存在しない言葉」"):
        line_sync(timeline, "dilute_and_add", FILE).at("存在しない言葉")
    with pytest.raises(SyncError, match="fraction from 0 to 1"):
        line_sync(timeline, "dilute_and_add", FILE).at(1.5)


@pytest.mark.parametrize("id_value, words", [
    ("line04", "looks like a position"), ("Bad-Name", "lower_case_with_underscores")])
def test_a_line_id_must_be_a_name(id_value, words):
    from diffusion_explainer.screenplay import ScreenplayError

    with pytest.raises(ScreenplayError, match=words):
        parse_screenplay(TEXT.replace("id: dilute_and_add", f"id: {id_value}"), "x.yaml")


def test_a_line_id_is_unique_in_its_scene():
    from diffusion_explainer.screenplay import ScreenplayError

    with pytest.raises(ScreenplayError, match="line id 'dilute_and_add' is used twice"):
        parse_screenplay(TEXT.replace("id: thousand_steps", "id: dilute_and_add"), "x.yaml")


def test_no_scene_file_picks_a_line_or_page_by_position():
    import re

    from tests.conftest import REPO

    positional = re.compile(r"lines_in\(|\.pages\[|\.lines\[|timeline\.lines|\bpages\[")
    for path in sorted((REPO / "scenes").glob("*.py")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not positional.search(text), f"{path.name}:{number}: {text.strip()}"


def test_what_code_uses_of_a_line_is_what_a_chunk_depends_on():
    """A chunk that only waited for a line's start is not redrawn when the line is reworded after
    its start; one that waited for a phrase that moved, or showed its page, is."""
    from diffusion_explainer.render.chunks import read_values

    used = []
    line = line_sync(timeline_of(TEXT), "dilute_and_add", FILE)
    line = type(line)(line.timing, FILE, on_read=lambda what, argument: used.append((what, argument)))
    line.start, line.at("その分だけ"), line.page("その分だけ")
    assert used == [("start", None), ("at", "その分だけ"), ("page", "その分だけ")]

    old = line.timing.line.text
    first_page = line.timing.pages[0].text.replace("\n", "")
    reworded = TEXT.replace(old, old.replace(first_page[:4], first_page[:4] + "ほら、", 1), 1)
    assert reworded != TEXT
    before, after = timeline_of(TEXT), timeline_of(reworded)
    start = [("line_start", "dilute_and_add", None)]
    phrase = [("line_at", "dilute_and_add", "その分だけ")]
    page = [("line_page", "dilute_and_add", "その分だけ")]
    assert read_values(before, start) == read_values(after, start)
    assert read_values(before, page) != read_values(after, page)  # the page's words changed
    assert read_values(before, phrase) != read_values(after, phrase)  # more words before the phrase
    gone = [("line_at", "dilute_and_add", "ない言葉")]
    assert read_values(before, gone) is None, "a phrase no longer in the line: nothing can be reused"


def english_timeline(scene_id="s03_forward", fps=30):
    screenplay = parse_screenplay(TEXT, "diffusion_explainer.yaml")
    return plan_for(scene_id, fps, silent=True, screenplay=screenplay, language="en").timeline


def test_a_japanese_phrase_in_the_english_video_is_as_far_into_the_english_pages_as_into_the_japanese_text():
    from diffusion_explainer.timing.sync import searchable

    line = line_sync(english_timeline(), "dilute_and_add", FILE)
    own, shown = searchable(line.timing.line.text), "".join(searchable(p.text) for p in line.timing.pages)
    assert "その分だけ" not in shown and shown == searchable(line.timing.line.en)  # its pages are its English
    share = own.find("その分だけ") / len(own)
    frame = line.at("その分だけ")  # where the voice is as far into the English line
    page = line.page("その分だけ")
    before = sum(len(searchable(p.text)) for p in line.timing.pages[:line.timing.pages.index(page)])
    assert before <= round(share * len(shown)) < before + len(searchable(page.text))
    assert page.span.start <= frame <= page.span.end and line.start < frame < line.end
    with pytest.raises(SyncError, match="has no phrase 「ない言葉」"):
        line.at("ない言葉")


def test_every_phrase_the_scene_files_sync_to_is_found_in_the_english_video_in_text_order():
    line = line_sync(english_timeline("s08_summary"), "five_points", Path("scenes/s08_summary.py"))
    points = [line.at(f"{n}. {word}") for n, word in
              enumerate(("前方過程", "学習", "逆過程", "テキスト条件付け", "潜在空間"), start=1)]
    assert points == sorted(points) and len(set(points)) == 5
    assert line.start <= points[0] and points[-1] < line.end
    last = line.timing.pages[-1]
    opening = " ".join(last.text.split()[:3])  # an English phrase is found as written: this one opens a page
    assert line.page(opening) == last and line.at(opening) == last.span.start
