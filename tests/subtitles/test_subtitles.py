"""Subtitle pages: at most two rows, never wider than the frame, broken at phrase boundaries with
the kinsoku rules, for every line of the screenplay and at several frame shapes."""

import pytest

from diffusion_explainer.core.fonts import text_width_em
from diffusion_explainer.core.style import FRAME_HEIGHT, Layout
from diffusion_explainer.subtitles import SubtitleFitter, display_text, paginate, plain_text
from diffusion_explainer.subtitles.paging import MIN_ROW_LETTERS, NO_ROW_END, NO_ROW_START


@pytest.mark.parametrize("aspect", [16 / 9, 4 / 3])
def test_every_page_of_every_line_fits_two_rows(screenplay, aspect):
    layout = Layout(FRAME_HEIGHT * aspect, screenplay.style.subtitle_size)
    fitter = SubtitleFitter(layout, screenplay.style.font)
    capacity_em = layout.subtitle_width / layout.text_height
    for scene in screenplay.scenes:
        for line in scene.lines:
            pages = fitter.pages(line)
            joined = "".join(plain_text(r) for p in pages for r in p.rows)
            assert joined.replace(" ", "") == plain_text(display_text(line.text)).replace("\n", "").replace(" ", "")
            for page in pages:
                assert 1 <= len(page.rows) <= 2
                assert fitter.page_width_em(line.speaker, page) <= capacity_em, (scene.id, line.id, page)
                for row in page.rows[1:]:
                    assert plain_text(row)[0] not in NO_ROW_START, (scene.id, line.id, page)
                for row in page.rows[:-1]:
                    assert plain_text(row)[-1] not in NO_ROW_END, (scene.id, line.id, page)


def test_long_lines_become_several_pages_at_sentence_ends(screenplay):
    fitter = SubtitleFitter(Layout(FRAME_HEIGHT * 16 / 9), screenplay.style.font)
    line = next(l for s in screenplay.scenes for l in s.lines if l.text.startswith("いい表現だね"))
    pages = fitter.pages(line)
    assert len(pages) >= 3
    assert plain_text(pages[0].rows[-1]).endswith("。")  # the first sentence ends its page


def test_phrases_are_not_split():
    # 12 ems per row: BudouX keeps 「広がる」プロセスの together
    pages = paginate("拡散モデルは、この「広がる」プロセスの逆をやるんだ。", lambda r: text_width_em(r, "Noto Sans CJK JP") <= 12)
    rows = [plain_text(r) for p in pages for r in p.rows]
    assert any("「広がる」プロセスの" in r for r in rows), rows


def test_kinsoku_moves_punctuation_up():
    pages = paginate("あいうえお。かきくけこ", lambda r: len(r) <= 5)
    rows = [r for p in pages for r in p.rows]
    assert rows[0] == "あいうえお。" and rows[1] == "かきくけこ"


def test_emphasis_is_kept_balanced_and_spacing_removed():
    assert display_text("プロセスの  **逆**  をやるんだ") == "プロセスの**逆**をやるんだ"
    pages = paginate("ああああ**いいいいうう**ええ", lambda r: len(r) <= 6)
    for p in pages:
        for r in p.rows:
            assert r.count("**") % 2 == 0


def test_newlines_force_pages(screenplay):
    fitter = SubtitleFitter(Layout(FRAME_HEIGHT * 16 / 9), screenplay.style.font)
    points = next(l for l in screenplay.scene("s08_summary").lines if l.text.startswith("1."))
    pages = fitter.pages(points)
    assert [plain_text(p.rows[0])[:2] for p in pages] == ["1.", "2.", "3.", "4.", "5."]


def test_a_long_sentence_is_split_evenly_without_an_orphan(screenplay):
    fitter = SubtitleFitter(Layout(FRAME_HEIGHT * 16 / 9), screenplay.style.font)
    line = next(l for s in screenplay.scenes for l in s.lines if l.text.startswith("十分なステップ"))
    pages = fitter.pages(line)
    lengths = [len(plain_text("".join(p.rows))) for p in pages]
    assert len(pages) == 2 and min(lengths) >= 0.3 * max(lengths), [p.rows for p in pages]
    assert plain_text(pages[0].rows[-1])[-1] in "、。", "the page break should fall after a comma"


def test_no_row_after_a_break_is_a_stray_fragment(screenplay):
    # 「…学習データの / 準備）」 and 「…方向を / ガイド」: a last row of two or three letters
    fitter = SubtitleFitter(Layout(FRAME_HEIGHT * 16 / 9, screenplay.style.subtitle_size), screenplay.style.font)
    points = next(l for l in screenplay.scene("s08_summary").lines if l.text.startswith("1."))
    rows = [plain_text(r) for p in fitter.pages(points) for r in p.rows]
    assert "（学習データの準備）" in rows and "方向をガイド" in rows, rows
    for scene in screenplay.scenes:
        for line in scene.lines:
            for page in fitter.pages(line):
                for row in page.rows[1:]:
                    assert _letters(row) >= MIN_ROW_LETTERS, (scene.id, line.id, page.rows)


def test_a_short_last_row_takes_words_from_the_row_above():
    narrow = lambda r: text_width_em(r, "Noto Sans CJK JP") <= 16  # noqa: E731
    pages = paginate("プロンプトでノイズ除去の方向をガイド", narrow)
    rows = [plain_text(r) for p in pages for r in p.rows]
    assert len(rows) == 2 and all(_letters(r) >= MIN_ROW_LETTERS for r in rows), rows
    assert "".join(rows) == "プロンプトでノイズ除去の方向をガイド"


def _letters(row: str) -> int:
    return sum(1 for c in plain_text(row) if not c.isspace() and c not in NO_ROW_START | NO_ROW_END and c not in "、。，．,.")
