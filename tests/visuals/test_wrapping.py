"""Captions wrapped to a width: every line fits, nothing is lost, and lines break where Japanese
reads well (after a clause or a particle), never inside a number or 「s = 0」."""

import pytest

from diffusion_explainer.core import style
from diffusion_explainer.core.fonts import text_width_em
from diffusion_explainer.demos import guidance, training
from diffusion_explainer.visuals.text import SMALL_EM, balanced_lines, wrapped, wrapped_lines

CAPTIONS = [
    training.difference_caption(0.19),
    "s = 3 → 7 で多様性の値が上がる",
    "学習画像との距離 0.46（s = 3 では 0.29）",
    "s = 0 では絵がまとまらない",
    "絵はノイズそのものではなく、その予測ノイズを引いて得られる完成図の予想（デコードして表示）",
]


def joined(lines):
    return "".join(lines).replace(" ", "")


@pytest.mark.parametrize("text", CAPTIONS)
@pytest.mark.parametrize("width", [1.6, 2.4, 3.2])
def test_every_line_fits_and_nothing_is_lost(text, width):
    lines = balanced_lines(text, width, SMALL_EM)
    assert joined(lines) == text.replace(" ", "")
    for line in lines:
        # a line wider than the width only when a single unbreakable run is (never here)
        assert text_width_em(line, style.FONT) * SMALL_EM <= width + 1e-9, (line, width)
        assert line[0] not in "、。：）」", line


def test_numbers_and_latin_runs_are_never_cut():
    lines = wrapped_lines("学習画像との距離 0.46（s = 3 では 0.29）", 6)
    assert any("0.46" in line for line in lines) and any("0.29" in line for line in lines)
    assert any("s = 3" in line for line in lines)


def test_a_line_breaks_after_a_particle_rather_than_inside_a_word():
    assert balanced_lines("s = 0 では絵がまとまらない", 2.4, SMALL_EM) == ["s = 0 では", "絵がまとまらない"]
    assert balanced_lines("s = 3 → 7 で多様性の値が上がる", 2.4, SMALL_EM) == ["s = 3 → 7 で", "多様性の値が上がる"]


def test_a_quoted_name_or_an_aside_is_kept_whole_when_it_can_be():
    assert balanced_lines("生成された絵「夕焼けの中を歩く猫」", 3.4, 0.26) == ["生成された絵", "「夕焼けの中を歩く猫」"]
    assert balanced_lines("学習画像との距離 0.46（s = 3 では 0.29）", 2.4, SMALL_EM) == [
        "学習画像との距離 0.46", "（s = 3 では 0.29）"]


def test_one_more_line_rather_than_a_word_cut_in_two():
    # two lines would fit only by cutting 「ではなく」; the aside takes three
    lines = balanced_lines("（この動画の模型では、U-Net ではなく小さな全結合ネットワーク）", 3.2, SMALL_EM)
    assert lines == ["（この動画の模型では、", "U-Net ではなく小さな", "全結合ネットワーク）"]


def test_a_caption_that_fits_stays_one_line():
    assert balanced_lines("多様性 0.39 → 0.60", 2.4, SMALL_EM) == ["多様性 0.39 → 0.60"]


def test_the_sweeps_notes_fit_beside_the_columns():
    # the real clauses, at the width scene 06 gives them: two or three lines each, never a lone character
    for clause in guidance.sweep_caveat(guidance.scale_sweep()):
        for text in (clause.text, clause.numbers):
            lines = balanced_lines(text, 2.4, SMALL_EM)
            assert len(lines) <= 3 and min(len(line.replace(" ", "")) for line in lines) >= 3, lines


def test_wrapped_draws_the_lines_left_aligned_within_the_width():
    group = wrapped(CAPTIONS[-1], 3.0, SMALL_EM)
    assert len(group) >= 2 and group.width <= 3.0 * 1.03  # Pango and the measuring font differ by ~2%
    assert len({round(line.get_left()[0], 3) for line in group}) == 1
