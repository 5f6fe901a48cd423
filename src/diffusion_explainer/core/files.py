"""Writing files so that an interruption never leaves a broken one under the final name.

Every output is written to a temporary name in the same directory and renamed over the final
name only when complete (and, for videos, checked): a crash, Ctrl-C or a refused output leaves
the previous file as it was. Temporary names start with a dot and contain `.partial`, so a later
run can sweep the leftovers of an interrupted one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Iterable, Iterator

PARTIAL_MARK = ".partial"


def file_stamps(paths: Iterable[Path]) -> tuple[tuple[str, int, int, int], ...]:
    """What each file is known by while it is unchanged: its path, modification time, size and
    inode (a file written again or renamed over has another); a file that is gone is left out.
    What a process computed from files is kept under these (outside_names, scene_code_files,
    file_digest)."""
    stamps = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        stamps.append((os.fspath(path), stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(stamps)


def temporary_name(final: Path) -> Path:
    """`.name.<pid>.partial.ext` beside `final` (the extension kept: PyAV and Pillow choose the
    format from it)."""
    return final.with_name(f".{final.stem}.{os.getpid()}{PARTIAL_MARK}{final.suffix}")


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `final`, on any error it is removed
    and `final` is untouched."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(final)
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to {tmp}")
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(final: Path, text: str) -> None:
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(final: Path, data: bytes) -> None:
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)


def move_into_place(source: Path, final: Path) -> None:
    """Move a finished file over `final` in one step (a copy first if they are on different
    file systems)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, final)
    except OSError:
        with atomic_path(final) as tmp:
            shutil.copyfile(source, tmp)
        Path(source).unlink(missing_ok=True)


def link_or_copy(source: Path, target: Path) -> None:
    """`target` as a hard link to `source` (no bytes copied), or a copy on a file system without
    hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def oldest_beyond(paths: Iterable[Path], keep: int) -> list[Path]:
    """Of a cache's entries, those to let go of: all but the `keep` most recently used (by
    modification time; names starting with a dot, work in progress, are never counted)."""
    entries = sorted((p for p in paths if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    return entries[: max(0, len(entries) - keep)]


def sweep_partials(directory: Path) -> list[Path]:
    """Remove temporary files an interrupted run left in `directory` (not below it)."""
    removed = []
    if directory.is_dir():
        for path in directory.glob(f".*{PARTIAL_MARK}*"):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
