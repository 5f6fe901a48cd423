"""Manim's LaTeX mobjects work in a scene file as any Manim user writes them (plain `MathTex`,
`Tex`, `Matrix`), not only through `formula()`: the scene base sets the project's TeX template,
which needs only texlive-latex-base, as Manim's default."""

import shutil

from diffusion_explainer.checks.scene_files import read_scene_file
from diffusion_explainer.scene.layout_check import record_layout
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import SMALL_SCREENPLAY


def test_plain_mathtex_tex_and_matrix_build_in_a_scene(tmp_path):
    copy = tmp_path / "two_scenes"
    shutil.copytree(SMALL_SCREENPLAY.parent, copy)
    scene_file = copy / "scenes" / "s01_hello.py"
    code = scene_file.read_text(encoding="utf-8")
    code = code.replace("from manim import ", "from manim import MathTex, Matrix, Tex, ")
    anchor = "        self.play(Write(title), run_time=1.0)\n"
    assert anchor in code, "the test's anchor is not in the example scene any more"
    code = code.replace(anchor, anchor + "        plain = [MathTex(r\"x_t = \\sqrt{\\bar\\alpha_t}\\,x_0\"), Tex(r\"$\\beta_t$ noise\"),\n"
                                         "                 Matrix([[1, 0], [0, 1]])]\n"
                                         "        self.add(*(m.scale(0.3).to_corner([-1, 1, 0]) for m in plain))\n"
                                         "        self.remove(*plain)\n")
    scene_file.write_text(code, encoding="utf-8")
    screenplay = load_screenplay(copy / SMALL_SCREENPLAY.name)
    record_layout(scene_file, "s01_hello", read_scene_file(scene_file, "s01_hello").class_name, tmp_path / "run",
                  screenplay, media=tmp_path / "media")
    compiled = list((tmp_path / "media").rglob("*.svg"))
    assert len(compiled) >= 3, compiled  # the three LaTeX mobjects were typeset
