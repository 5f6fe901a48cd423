"""A scene that fails while it renders is reported at the author's own line: the scene file, the
line, the cue method and the source line, not only the log's path."""

import shutil
import subprocess
import sys

from tests.conftest import REPO, SMALL_SCREENPLAY


def test_a_failing_cue_names_its_file_line_and_source(tmp_path):
    copy = tmp_path / "two_scenes"
    shutil.copytree(SMALL_SCREENPLAY.parent, copy)
    scene = copy / "scenes" / "s02_noise.py"
    anchor = "self.clear_stage(run_time=1.0)"
    code = scene.read_text(encoding="utf-8")
    assert anchor in code, "the test's anchor is not in the example scene any more"
    scene.write_text(code.replace(anchor, "self.clear_stage(run_time=1.0 / len([]))"), encoding="utf-8")
    line = next(i for i, text in enumerate(scene.read_text(encoding="utf-8").splitlines(), 1) if "len([])" in text)
    env = {**__import__("os").environ, "DIFFUSION_EXPLAINER_BUILD": str(tmp_path / "build")}
    result = subprocess.run([sys.executable, "-m", "diffusion_explainer", "render", "--screenplay",
                             str(copy / SMALL_SCREENPLAY.name), "--resolution", "128,72", "--fps", "5", "--silent",
                             "--jobs", "1"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]
    error = result.stderr.strip().splitlines()[-1]
    assert f"{scene}:{line} in closing: ZeroDivisionError" in error, error
    assert "(the line: self.clear_stage(run_time=1.0 / len([])))" in error, error
