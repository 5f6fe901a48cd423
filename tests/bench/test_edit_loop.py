"""The edit bench on the two-scene example at 256x144, 10 fps, silent: the edit and its undo are
each timed from a render command of their own (its start-up counted); the edit draws the edited
scene's chunks, the undo draws nothing and puts the earlier video back, and the copy of the
screenplay is left as it was."""

from pathlib import Path

import pytest

from diffusion_explainer.bench.edit_loop import run_edit_loop, summary
from diffusion_explainer.core.settings import RenderSettings
from tests.conftest import REPO

pytestmark = pytest.mark.render

SMALL = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"
SETTINGS = RenderSettings.custom("256,144", 10, silent=True, jobs=2)
LAST_LINE, REWORDED = "なるほど！", "なるほど、そうか！"  # s02_noise's last line


def test_the_edit_and_its_undo_are_timed_from_the_command(tmp_path):
    root = tmp_path / "bench"
    results = run_edit_loop(SETTINGS, root, SMALL, LAST_LINE, (REWORDED,))

    assert results["wording"] == REWORDED
    edit, undo = results["edit"], results["undo"]
    assert list(edit["chunks"]) == ["s02_noise"] and edit["jobs"] and edit["cpu_s"] > 0
    assert edit["s"] > edit["wall_s"] > 0  # from the command: its start-up is counted too
    assert not any(undo["chunks"].values()) and undo["jobs"] == [] and undo["restored"]
    copy = root / "edited" / SMALL.name
    assert LAST_LINE in copy.read_text(encoding="utf-8") and REWORDED not in copy.read_text(encoding="utf-8")
    assert not list(copy.parent.glob(".timings-*"))
    assert undo["video"] == edit["video"] and Path(undo["video"]).is_file() and Path(undo["video"]).is_relative_to(root)
    rows = summary(results)
    assert rows[0].startswith("  the line with 'なるほど！' edited (silent)") and "no target at this size" in rows[0]
    assert f"drew s02_noise chunks {edit['chunks']['s02_noise'][0]}" in rows[0] and f" of {edit['chunks_of']['s02_noise']} in " in rows[0] and "drew nothing, the earlier video put back" in rows[1]
    assert "target 5 s" in rows[1]


def test_an_edit_over_its_target_is_called_so():
    figures = dict(s=16.0, wall_s=14.0, chunks={"s05_reverse": [9, 10]}, jobs=[{}], cpu_s=3.0,
                   planning_and_speech_s=4.0, scenes_s=3.0, soundtrack_after_scenes_s=0.5, join_s=0.3,
                   side_files_s=1.0, chunks_of={"s05_reverse": 12})
    results = dict(line="the last line of s05", silent=False, speech_cached=False, edit_target_s=15.0, undo_target_s=5.0, edit=figures,
                   undo=dict(figures, s=4.0, chunks={}, jobs=[], restored=True))
    rows = summary(results)
    assert "(target 15 s: OVER TARGET)" in rows[0] and "chunks 9-10 of 12" in rows[0]
    assert "(target 5 s: ok)" in rows[1]
    rows = summary(dict(results, speech_cached=True))
    assert "not measured" in rows[0] and "OVER TARGET" not in rows[0]
