"""A missing Japanese font or LaTeX stops rendering with a message saying what to install."""

import os
import subprocess
import sys

import pytest

from diffusion_explainer.checks.problems import preflight
from diffusion_explainer.core.errors import SetupError
from diffusion_explainer.core.fonts import font_file
from tests.conftest import REPO


def test_installed_font_is_found():
    path, _ = font_file("Noto Sans CJK JP")
    assert path.endswith((".ttc", ".otf", ".ttf"))


def test_missing_font_names_the_package():
    with pytest.raises(SetupError) as err:
        preflight.check_font("No Such Font JP")
    assert "No Such Font JP" in str(err.value) and "fonts-noto-cjk" in str(err.value)


def test_missing_tex_names_the_packages(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SetupError) as err:
        preflight.check_tex()
    assert "latex" in str(err.value) and "texlive-latex-base" in str(err.value)


def test_render_with_a_missing_font_fails_before_drawing(tmp_path):
    broken = tmp_path / "screenplay.yaml"
    text = (REPO / "script" / "diffusion_explainer.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("font: Noto Sans CJK JP", "font: No Such Font JP"), encoding="utf-8")
    env = dict(os.environ, DIFFUSION_EXPLAINER_SILENT="1", DIFFUSION_EXPLAINER_SCREENPLAY=str(broken))
    result = subprocess.run(
        [sys.executable, "-m", "manim", "render", "-r", "128,72", "--fps", "5", "--disable_caching",
         "--media_dir", str(tmp_path / "media"), "--progress_bar", "none", "scenes/s03_forward.py"],
        cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "No Such Font JP" in result.stdout + result.stderr
    assert not list((tmp_path / "media").rglob("ForwardProcess.mp4"))
