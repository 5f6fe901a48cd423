"""Checks made before rendering: Manim only warns (or draws empty boxes) where these fail."""

from __future__ import annotations

import shutil

from ..core.errors import SetupError
from ..core.fonts import font_file


def check_font(family: str) -> None:
    font_file(family)  # raises SetupError naming the package to install


def check_tex() -> None:
    missing = [tool for tool in ("latex", "dvisvgm") if shutil.which(tool) is None]
    if missing:
        raise SetupError(
            f"{' and '.join(missing)} not found: formulas (MathTex) need LaTeX. Run `make setup` "
            f"(Debian packages texlive-latex-base and dvisvgm)"
        )


def check_all(font: str) -> None:
    check_font(font)
    check_tex()
