"""The English of every on-screen text (checks/translations.py, visuals/catalogue.py,
demos/words.py): the project's real catalogue against the real scene files and package modules,
a demo's words translated with its own numbers, and `check`'s warning when a translation is taken
out of a copy of the catalogue."""

import shutil

import pytest
from babel.messages.pofile import read_po, write_po

from diffusion_explainer.checks.translations import (
    bare_texts,
    extract,
    onscreen_files,
    onscreen_text_problems,
    package_files,
    untranslated,
)
from diffusion_explainer.demos import guidance, loss, reverse, training
from diffusion_explainer.demos.words import Words, listed
from diffusion_explainer.engine import metrics
from diffusion_explainer.visuals.catalogue import LOCALE_DIR, catalogue_path, language, tr
from diffusion_explainer.visuals.text import wrapped_lines
from tests.conftest import REPO

SCENES = sorted(p.stem for p in (REPO / "scenes").glob("s*.py"))


def test_every_on_screen_text_of_the_project_has_english(screenplay):
    messages = extract(onscreen_files(screenplay))
    assert len({m.text for m in messages}) > 100  # the scenes' and the demos' texts, not an empty extraction
    missing = [f"{m.path.relative_to(REPO)}:{m.line}: {m}: {why}" for m, why in untranslated(messages, "en")]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("path", [REPO / "scenes" / f"{s}.py" for s in SCENES] + package_files(),
                         ids=lambda p: p.name)
def test_no_japanese_reaches_the_screen_without_tr(path):
    assert bare_texts(path) == []


def test_the_package_words_its_texts_through_words_and_tr():
    """The demos' captions and the diagrams' notes are in the extraction, with their keyword."""
    found = {(m.path.name, m.keyword, m.text) for m in extract(package_files())}
    assert ("reverse.py", "Words", "引くのは予測ノイズの {share:.0f}% だけ：すこしだけきれいになる") in found
    assert ("diagram.py", "tr", "（この動画の模型では、U-Net ではなく小さな全結合ネットワーク）") in found


# -- a demo's words: the English pattern, the same numbers --------------------------------------------


def test_a_demos_words_are_japanese_text_and_translate_with_their_numbers():
    first, second = reverse.change_words(0.02, 0.01, 0.10, 0.141, 0.15)
    assert first == "引くのは予測ノイズの 2% だけ：すこしだけきれいになる" and isinstance(first, str)
    assert tr(first) == first  # a Japanese render shows the text itself
    with language("en"):
        assert tr(first) == "Only 2% of the predicted noise is subtracted: a little cleaner"
        assert "σ = 0.141" in tr(second) and "0.15" in tr(second) and "(0.10)" in tr(second)


def test_words_inside_words_and_lists_are_translated_too():
    caption = training.difference_caption(0.19)  # the words for the size are Words themselves
    assert caption == "差（小さいが 0 ではない：ずれは値1個あたり約 0.19）"
    points = [metrics.GuidancePoint(scale=s, fidelity=f, diversity=0.4, accuracy=1.0)
              for s, f in ((0.0, 0.29), (1.0, 0.29), (3.0, 0.29), (7.0, 0.5), (9.0, 0.6))]
    (breaks,) = guidance.sweep_caveat(points)
    assert breaks.text == "s = 7、9 で絵が崩れ始める"
    with language("en"):
        assert tr(caption) == "Difference (small, but not 0: off by about 0.19 per value)"
        assert tr(breaks.text) == "s = 7, 9: pictures start to break down"
        assert tr(loss.Y_LABEL) == "Loss (per value)"
        assert tr(listed(["1"])) == "1"


def test_words_kept_on_disk_come_back_with_their_pattern():
    import pickle

    caption = Words("{n} 回", n=250)
    again = pickle.loads(pickle.dumps(caption))
    assert again == "250 回" and again.pattern == "{n} 回" and again.values == {"n": 250}
    with language("en"):
        assert tr(again) == "250 times"


# -- `check` names an untranslated text: what and where ------------------------------------------------


@pytest.fixture
def catalogue_without_one(tmp_path):
    """A copy of the English catalogue with one translation taken out: 「テキストエンコーダ」."""
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, locale)
    path = catalogue_path("en", locale)
    with open(path, "rb") as f:
        catalog = read_po(f)
    assert catalog["テキストエンコーダ"].string == "Text encoder"
    catalog["テキストエンコーダ"].string = ""
    with open(path, "wb") as f:
        write_po(f, catalog, width=100)
    return locale


def test_check_names_the_text_whose_translation_is_gone(screenplay, catalogue_without_one):
    scene = REPO / "scenes" / "s06_text.py"
    line = next(i for i, row in enumerate(scene.read_text(encoding="utf-8").splitlines(), 1)
                if 'tr("テキストエンコーダ")' in row)
    full = onscreen_text_problems(screenplay)
    problems = onscreen_text_problems(screenplay, catalogue_without_one)
    new = [p for p in problems if p not in full]
    assert len(problems) == len(full) + 1  # the count is one more: that text, at its one place
    (problem,) = new
    assert (problem.line, problem.field) == (line, 'tr("テキストエンコーダ")')
    assert f's06_text.py:{line}: tr("テキストエンコーダ"): not translated in ' in str(problem)  # what and where
    assert str(problem).endswith("locale/en/LC_MESSAGES/scenes.po")
    with language("en"):  # the real catalogue is untouched
        assert tr("テキストエンコーダ") == "Text encoder"


def test_each_bare_text_is_its_own_warning_with_its_line(tmp_path):
    scene = tmp_path / "s09_bare.py"
    scene.write_text('label("ノイズ")\nlabel(tr("猫"))\nlabel(f"t = {t} 回")\nself.line("x").at("ノイズの話")\n'
                     'SEPARATORS = "、。：）」"\nmixed("$x_t$（$t = 1$）")\nre.search(r"「(.+)」", cue)\n', encoding="utf-8")
    assert bare_texts(scene) == [(1, "ノイズ"), (3, "f't = {t} 回'"), (6, "$x_t$（$t = 1$）")]


# -- English captions break between words -------------------------------------------------------------


def test_an_english_caption_breaks_between_words_and_keeps_an_equation_whole():
    lines = wrapped_lines("At s = 7, pictures start to break down", 20)
    assert lines == ["At s = 7, pictures", "start to break down"]
    clip = wrapped_lines("Stable Diffusion v1 uses CLIP's text encoder: a prompt becomes 77 tokens × 768 numbers", 30)
    assert all(len(line) <= 30 for line in clip) and any(line.endswith("encoder:") for line in clip)
    assert any("tokens × 768" in line for line in clip)
    assert not any(line.endswith((" the", " a", " of")) for line in wrapped_lines(
        "This model's text encoder is a learned table of 16 numbers for each of the 5 prompts it knows", 25))


def test_an_english_caption_holds_its_brackets_to_the_math_and_japanese_is_set_as_before():
    from manim import RIGHT, VGroup

    from diffusion_explainer.visuals.mixed_text import GAP, HUG, mixed

    def gaps(caption):
        return [round(float(b.get_left()[0] - a.get_right()[0]), 3) for a, b in zip(caption, caption[1:])]

    with language("en"):
        assert gaps(mixed(tr("$x_t$（$t = {t}$）").format(t=700))) == [GAP, HUG, HUG]  # "$x_t$ ($t = 700$)"
    japanese = mixed("$x_t$（$t = {t}$）".format(t=700))
    assert gaps(japanese) == [GAP, GAP, GAP]  # the full-width bracket has its own space
    arranged = VGroup(*[part.copy() for part in japanese]).arrange(RIGHT, buff=GAP)
    assert [round(float(p.get_x()), 4) for p in japanese] == [round(float(p.get_x()), 4) for p in arranged]


def test_a_demos_words_go_on_screen_untranslated_too():
    """A scene that shows a demo's Words without tr() gets its Japanese (Pango takes only a str)."""
    from diffusion_explainer.visuals.text import jp, label

    caption = loss.TrainingLoss(iterations=None, loss=None, window=100, total_iterations=1000).caption
    assert type(caption) is Words
    assert jp(caption).original_text == label(str(caption)).original_text == "値1個あたりの二乗誤差（100 回ごとの平均）"
