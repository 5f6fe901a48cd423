"""Checks made before rendering: Manim only warns (or draws empty boxes) where these fail; and the
disk space a render needs, so that a full disk stops it at its first line and not minutes in."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from ..core import runtime
from ..core.errors import SetupError
from ..core.fonts import font_file

# Bytes of H.264 per pixel-second when no render at this size has been measured: measured 0.12-0.22
# at 480p15 (s04 to s06, with held frames written as skipped pictures); twice the dearest, rounded up.
BYTES_PER_PIXEL_SECOND = 0.5
COPIES = 3  # a frame is on disk as a chunk video, in its scene's video and in the joined video
SOUND_BYTES_PER_S = 48_000 * 2 * 5  # 16-bit WAVs: the mono narration, the stereo music and mix
MARGIN_BYTES = 20_000_000  # Manim's logs, compiled formulas, saved states, the side files


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


# Disk space


def space_needed(width: int, height: int, fps: int, seconds: float, silent: bool,
                 bytes_per_frame: float | None = None) -> int:
    """The bytes a render of `seconds` of video may write: COPIES of its frames at the bytes per
    frame of earlier renders at this size (`bytes_per_frame`), or else BYTES_PER_PIXEL_SECOND; its
    sound stems; MARGIN_BYTES."""
    per_frame = bytes_per_frame or BYTES_PER_PIXEL_SECOND * width * height / fps
    sound = 0 if silent else SOUND_BYTES_PER_S * seconds
    return int(per_frame * seconds * fps * COPIES + sound + MARGIN_BYTES)


def check_disk_space(folder: Path, needed: int, build_root: Path | None = None) -> None:
    """Refuse a render whose files cannot fit on the file system of `folder`."""
    if free_bytes(folder) < needed:
        raise SetupError(disk_full(folder, build_root or folder, needed))


def megabytes(size: float) -> str:
    return f"{size / 1e6:,.1f} MB" if size < 10e9 else f"{size / 1e9:,.1f} GB"


def folder_bytes(folder: Path) -> int:
    total = 0
    for base, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(base, name)).st_blocks * 512
    return total


def free_bytes(folder: Path) -> int:
    """What the file system of `folder` (or of its nearest existing parent) has free."""
    folder = Path(folder)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def caches_held(build_root: Path) -> str:
    """`…/build/cache/ holds 312.0 MB (svg 124.0 MB, manim 119.0 MB, …): all of it is safe to
    delete`, for the build's cache folder and the cache root when that is elsewhere."""
    parts = []
    for root in dict.fromkeys([Path(build_root) / "cache", runtime.cache_root()]):
        if not root.is_dir():
            continue
        sizes = sorted(((folder_bytes(p), p.name) for p in root.iterdir() if p.is_dir()), reverse=True)
        inside = ", ".join(f"{name} {megabytes(size)}" for size, name in sizes[:4] if size)
        parts.append(f"{root}/ holds {megabytes(sum(s for s, _ in sizes))}" + (f" ({inside})" if inside else ""))
    if not parts:
        return "There is no cache to delete."
    return f"{'; '.join(parts)}: all of it is safe to delete (a render makes again what it needs)."


def disk_full(folder: Path, build_root: Path, needed: int | None = None) -> str:
    """The message of a full disk: which folder, what is free, what the caches hold."""
    free = free_bytes(folder)
    need = f", and this render needs about {megabytes(needed)}" if needed else ""
    return (f"the disk is full: not enough space left on the file system of {folder} ({megabytes(free)} free{need}). "
            f"{caches_held(build_root)} Older chunk versions under scenes/*/chunks/ are safe to delete too. "
            f"Free some space, or render into another folder (DIFFUSION_EXPLAINER_BUILD, DIFFUSION_EXPLAINER_CACHE). "
            f"The previous video, if any, is kept.")
