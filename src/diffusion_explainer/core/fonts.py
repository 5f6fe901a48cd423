"""Finding fonts on the system and measuring text with them (for subtitle line breaking)."""

from __future__ import annotations

import functools
import shutil
import subprocess

from PIL import ImageFont

from .errors import SetupError


@functools.lru_cache(maxsize=None)
def font_file(family: str) -> tuple[str, int]:
    """(path, face index) of an installed font family, or SetupError saying what to install."""
    if shutil.which("fc-list") is None:
        raise SetupError("fontconfig (fc-list) is not installed: run `make setup` (Debian package fontconfig)")
    families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    installed = {name.strip() for row in families.splitlines() for name in row.split(",")}
    if family not in installed:
        raise SetupError(
            f"the font '{family}' is not installed, and without it Japanese text renders as empty boxes: "
            f"run `make setup` (Debian package fonts-noto-cjk) or set style.font in the screenplay to an "
            f"installed Japanese font (`fc-list :lang=ja family` lists them)"
        )
    out = subprocess.run(["fc-match", "--format=%{file}|%{index}", family], capture_output=True, text=True, check=True)
    path, index = out.stdout.split("|")
    return path, int(index or 0)


@functools.lru_cache(maxsize=None)
def _measuring_font(family: str) -> ImageFont.FreeTypeFont:
    path, index = font_file(family)
    return ImageFont.truetype(path, size=100, index=index)


@functools.lru_cache(maxsize=1 << 16)
def text_width_em(text: str, family: str) -> float:
    """Width of a single row of text, in ems (1.0 = one full-width Japanese character). Kept: paging
    every line of a video measures the same candidate rows again at each plan (half a second)."""
    return _measuring_font(family).getlength(text) / 100.0
