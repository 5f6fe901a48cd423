"""Rewording a line in place (studio/line_edit.py) on the real screenplays: every line of the
project's screenplay reworded in turn changes only its own lines of the file (block scalars and
quoting kept), a reading is added and removed, and an edit that would not load, that names a line
the file no longer has as the page showed it, or that the loader refuses leaves the file as it was."""

import pytest

from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.studio.line_edit import EditRefused, LineEdit, apply_edit

from ..conftest import SCREENPLAY, SMALL_SCREENPLAY
from .studio_process import changed_lines


@pytest.fixture
def small(tmp_path):
    path = tmp_path / SMALL_SCREENPLAY.name
    path.write_bytes(SMALL_SCREENPLAY.read_bytes())
    return path


def test_every_line_of_the_screenplay_reworded_changes_only_its_own_lines(tmp_path):
    path = tmp_path / "screenplay.yaml"
    path.write_bytes(SCREENPLAY.read_bytes())
    for scene in load_screenplay(path).scenes:
        for line in scene.lines:
            before = path.read_text(encoding="utf-8")
            apply_edit(path, LineEdit(scene.id, line.id, line.text, line.text + "ね", line.say and line.say + "ね"))
            old, new = before.splitlines(), path.read_text(encoding="utf-8").splitlines()
            changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
            assert len(old) == len(new)
            assert changed and all(new[i] == old[i] + "ね" for i in changed), (scene.id, line.id)
            assert len(changed) == 1 + (line.say is not None), (scene.id, line.id, changed)
            edited = load_screenplay(path).scene(scene.id).line(line.id)
            assert (edited.text, edited.say) == (line.text + "ね", line.say and line.say + "ね")


def test_a_reading_is_added_after_the_text_and_removed_again(small):
    apply_edit(small, LineEdit("s01_hello", "line01", "ねえ、今日は何の話？", "ねえ、今日は何の話？", "ねえ、きょうはなんのはなし？"))
    assert changed_lines(SMALL_SCREENPLAY, small) == ["+        say: ねえ、きょうはなんのはなし？"]
    apply_edit(small, LineEdit("s01_hello", "line01", "ねえ、今日は何の話？", "ねえ、今日は何の話？", ""))
    assert small.read_bytes() == SMALL_SCREENPLAY.read_bytes()


def test_a_text_that_needs_quotes_is_quoted(small):
    apply_edit(small, LineEdit("s01_hello", "topic", "今日はノイズの話をしよう。", "今日は #1: ノイズ", None))
    assert changed_lines(SMALL_SCREENPLAY, small) == ["-        text: 今日はノイズの話をしよう。",
                                                      "+        text: '今日は #1: ノイズ'"]
    assert load_screenplay(small).scene("s01_hello").line("topic").text == "今日は #1: ノイズ"


@pytest.mark.parametrize("edit, stale", [
    (LineEdit("s01_hello", "line01", "ねえ、今日は何の話？", "x₀ はノイズ", None), False),  # the voice cannot read x₀
    (LineEdit("s01_hello", "line01", "ねえ、今日は何の話？", "  ", None), False),
    (LineEdit("s01_hello", "line01", "前に見えていた言葉", "新しい言葉", None), True),  # the file changed since
    (LineEdit("s01_hello", "line09", "ねえ", "新しい言葉", None), True),
    (LineEdit("s09_none", "line01", "ねえ", "新しい言葉", None), True),
])
def test_a_refused_edit_leaves_the_file_as_it_was(small, edit, stale):
    with pytest.raises(EditRefused) as refused:
        apply_edit(small, edit)
    assert refused.value.stale is stale
    assert small.read_bytes() == SMALL_SCREENPLAY.read_bytes()
