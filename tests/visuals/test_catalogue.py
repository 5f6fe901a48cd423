"""On-screen texts from the message catalogue (visuals/catalogue.py) and its check
(checks/translations.py): the project's real English catalogue, Babel's real extractor on a copy of
the two-scene example's scene files, and `check` run as a user runs it."""

import shutil
import subprocess
import sys

import pytest

from diffusion_explainer.checks.translations import (
    bare_texts,
    extract,
    onscreen_text_problems,
    untranslated,
    update_catalogue,
)
from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.visuals import catalogue
from diffusion_explainer.visuals.catalogue import catalogue_path, language, tr
from tests.conftest import REPO, SMALL_SCREENPLAY


def test_a_translated_text_comes_back_in_english_and_japanese_by_default():
    assert catalogue.current_language() == "ja"
    assert tr("ノイズ") == "ノイズ"
    with language("en"):
        assert tr("ノイズ") == "Noise"
        assert tr("くり返す：t = {t}").format(t=250) == "Repeat: t = 250"  # the number stays computed
        assert tr("まだ訳のない言葉") == "まだ訳のない言葉"  # untranslated: stays Japanese
    assert tr("ノイズ") == "ノイズ"


def test_the_catalogue_is_read_from_the_po_as_it_is_now(tmp_path):
    po = catalogue_path("en", tmp_path)
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "猫"\nmsgstr "Cat"\n\n#, fuzzy\nmsgid "犬"\nmsgstr "Doge"\n', encoding="utf-8")
    assert catalogue.translations("en", tmp_path).gettext("猫") == "Cat"
    assert catalogue.translations("en", tmp_path).gettext("犬") == "犬"  # a fuzzy translation is not shown
    po.write_text(po.read_text(encoding="utf-8").replace('"Cat"', '"A cat"'), encoding="utf-8")
    assert catalogue.translations("en", tmp_path).gettext("猫") == "A cat"
    assert catalogue.translations("fr", tmp_path).gettext("猫") == "猫"  # no catalogue: as written


@pytest.fixture
def small_copy(tmp_path):
    """The two-scene example with its texts through tr(): 「ノイズ」 (as the example has it, translated
    in the project's catalogue), 「犬」 (not) and a counted label."""
    copy = tmp_path / "two_scenes"
    shutil.copytree(SMALL_SCREENPLAY.parent, copy)
    for name, old, new in (("s01_hello.py", 'jp(tr("ノイズ")', None), ("s02_noise.py", '"猫"', 'tr("犬")')):
        scene = copy / "scenes" / name
        code = scene.read_text(encoding="utf-8")
        assert old in code, f"the test's anchor {old!r} is not in {name} any more"
        code = code.replace(old, new or old, 1).replace("\nclass ", "\nLABEL = tr(\"くり返す：t = {t}\")\n\n\nclass ", 1)
        code = code.replace("from diffusion_explainer.scene.toolbox import",
                            "from diffusion_explainer.visuals.catalogue import tr\nfrom diffusion_explainer.scene.toolbox import", 1)
        scene.write_text(code, encoding="utf-8")
    return copy


def test_extraction_finds_the_tr_calls_with_their_lines(small_copy):
    scenes = sorted((small_copy / "scenes").glob("*.py"))
    found = [(m.path.name, m.text) for m in extract(scenes)]
    assert found == [("s01_hello.py", "くり返す：t = {t}"), ("s01_hello.py", "ノイズ"),
                     ("s02_noise.py", "くり返す：t = {t}"), ("s02_noise.py", "犬")]
    for message in extract(scenes):
        assert f'tr("{message.text}")' in message.path.read_text(encoding="utf-8").splitlines()[message.line - 1]
    assert [bare_texts(p) for p in scenes] == [[], []]  # every Japanese text now goes through tr()
    assert bare_texts(SMALL_SCREENPLAY.parent / "scenes" / "s01_hello.py") == []  # the example's word through tr()


def test_check_lists_an_untranslated_text_and_still_lets_the_render_start(small_copy):
    scene = small_copy / "scenes" / "s02_noise.py"
    line = next(i for i, row in enumerate(scene.read_text(encoding="utf-8").splitlines(), 1) if 'tr("犬")' in row)
    problems = onscreen_text_problems(load_screenplay(small_copy / SMALL_SCREENPLAY.name))
    assert [(p.field, p.line) for p in problems] == [('tr("犬")', line)]
    assert "not translated" in problems[0].message and "scenes.po" in problems[0].message

    result = subprocess.run([sys.executable, "-m", "diffusion_explainer", "check", str(small_copy / SMALL_SCREENPLAY.name)],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr  # the Japanese video needs no translation
    listing = result.stdout.split("warning — 1 on-screen text without English", 1)[1].splitlines()[1:]  # the count
    assert listing[0].strip().startswith(f'{scene}:{line}: tr("犬"): not translated')
    assert "check: no problems" in result.stdout


def test_a_translation_that_loses_a_number_is_reported(small_copy, tmp_path):
    locale = tmp_path / "locale"
    po = catalogue_path("en", locale)
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "くり返す：t = {t}"\nmsgstr "Repeat"\n\nmsgid "ノイズ"\nmsgstr "Noise"\n', encoding="utf-8")
    messages = extract([small_copy / "scenes" / "s01_hello.py"])
    ((message, why),) = untranslated(messages, "en", locale)
    assert message.text == "くり返す：t = {t}" and "['t']" in why


def test_updating_a_catalogue_adds_new_texts_and_keeps_translations(small_copy, tmp_path):
    locale = tmp_path / "locale"
    shutil.copytree(catalogue_path("en").parents[2], locale)
    scenes = sorted((small_copy / "scenes").glob("*.py"))
    texts, missing = update_catalogue(scenes, "en", locale)
    assert missing == 1  # 「犬」
    with language("en"):
        assert catalogue.translations("en", locale).gettext("ノイズ") == "Noise"
    po = catalogue_path("en", locale).read_text(encoding="utf-8")
    assert 'msgid "犬"\nmsgstr ""' in po and "#, python-brace-format" in po
    assert texts >= 3
