"""The studio checks the scene files at every save: what the checks found in a file is kept by the
file's content, so an unchanged file is not parsed or linted again, and a changed one always is."""

import shutil
import subprocess

from diffusion_explainer.checks import problems, scene_code
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO

SMALL = REPO / "tests" / "data" / "two_scenes"


def _copy(tmp_path):
    copy = tmp_path / "two_scenes"
    shutil.copytree(SMALL, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return load_screenplay(copy / "noise_in_two_scenes.yaml"), copy / "scenes" / "s02_noise.py"


def _counting_ruff(monkeypatch):
    runs = []
    real = subprocess.run

    def run(args, *rest, **options):
        if "ruff" in str(args[0]):  # (the font check runs fc-match through the same module)
            runs.append(args)
        return real(args, *rest, **options)

    monkeypatch.setattr(scene_code.subprocess, "run", run)
    return runs


def test_an_unchanged_scene_file_is_not_linted_again_and_a_changed_one_is(tmp_path, monkeypatch):
    screenplay, scene = _copy(tmp_path)
    runs = _counting_ruff(monkeypatch)
    assert problems.static_problems(screenplay) == []
    assert problems.static_problems(screenplay) == []
    assert len(runs) == 1  # the second check found the files as the first linted them

    code = scene.read_text(encoding="utf-8")
    scene.write_text(code.replace("spot[1] - 1.8", "botom - 1.8"), encoding="utf-8")
    found = problems.static_problems(screenplay)
    assert len(runs) == 2
    assert [p.message for p in found if "botom" in p.message], found

    scene.write_text(code, encoding="utf-8")  # undone: the first lint's findings, kept
    assert problems.static_problems(screenplay) == []
    assert len(runs) == 2


def test_a_scene_file_is_read_again_when_its_text_changes(tmp_path):
    screenplay, scene = _copy(tmp_path)
    assert problems.static_problems(screenplay) == []
    code = scene.read_text(encoding="utf-8")
    cue = screenplay.scene("s02_noise").cues[-1].id
    scene.write_text(code.replace(f"def {cue}(self", f"def {cue}_renamed(self"), encoding="utf-8")
    found = problems.static_problems(screenplay)
    assert any(f"has no method for the cue '{cue}'" in p.message for p in found), found
    assert any(f"{cue}_renamed" in p.field for p in found), found
