"""Failures of the machine rather than of the screenplay or the code, said in the project's words.

A full disk, a folder the render may not write and a file that vanished under it surface as an
OSError in the render's own process (its errno: ENOSPC or EDQUOT, EACCES or EPERM or EROFS,
ENOENT), as a PyAV error wrapped in a RenderError (the OSError is its context), or as a line of a
Manim job's log ("No space left on device"). Each becomes one paragraph that says what happened,
where, and what to do: for a full disk, the folder, what its file system has free, and what the
caches hold (all of it safe to delete).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from ..checks.preflight import check_disk_space, disk_full, space_needed
from ..core.errors import RenderError

DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
NO_PERMISSION = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
VANISHED = frozenset({errno.ENOENT})
KNOWN = DISK_FULL | NO_PERMISSION | VANISHED
# How each shows in a log (strerror, as Python, FFmpeg and Manim print it)
LOG_SIGNS = {os.strerror(code): code for code in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS)}


def describe(code: int, path: str | Path | None, build_root: Path) -> str:
    where = Path(path) if path else Path(build_root)
    if code in DISK_FULL:
        return disk_full(where.parent if where.suffix else where, build_root)
    if code in NO_PERMISSION:
        why = "the file system is read-only" if code == errno.EROFS else "permission denied"
        return (f"no permission to write {where} ({why}): check its owner and mode (`ls -ld {where.parent}`), or "
                f"render into a folder of your own (DIFFUSION_EXPLAINER_BUILD, DIFFUSION_EXPLAINER_CACHE). "
                f"The previous video, if any, is kept.")
    return (f"{where} vanished while the render was using it (did another program or a cleanup remove it?). "
            f"Render again: whatever is missing is made again.")


def os_error_in(error: BaseException) -> OSError | None:
    """The OSError of a known kind an error is or was raised from (a RenderError that wraps PyAV's)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in KNOWN:
            return error
        error = error.__cause__ or error.__context__
    return None


def log_fault(text: str) -> int | None:
    """The errno a log's text shows (a Manim job that could not write), or None."""
    text = text.lower()
    for sign, code in LOG_SIGNS.items():
        if sign.lower() in text:
            return code
    return None


def job_fault(log_text: str) -> str | None:
    """A job's failure as the machine's fault, for its one-line summary; None if it is not one."""
    code = log_fault(log_text)
    if code in DISK_FULL:
        return "no space left on device: the job could not write its movie files"
    if code in NO_PERMISSION:
        return f"{os.strerror(code).lower()}: the job could not write its files"
    return None


def check_space(outputs, settings, seconds: float) -> None:
    """Refuse, at a render's first line, a render the build folder's disk cannot hold: its bytes
    estimated from the bytes per frame of the scene videos rendered before at this size (the
    dearest scene's), else from checks/preflight.py's constant per pixel-second."""
    from .inputs import Manifest

    recorded = [entry for entry in Manifest(outputs.scenes_manifest).entries.values()
                if isinstance(entry, dict) and entry.get("frames") and entry.get("bytes")]
    per_frame = max((e["bytes"] / e["frames"] for e in recorded), default=None)
    needed = space_needed(settings.width, settings.height, settings.fps, seconds, settings.silent, per_frame)
    check_disk_space(outputs.root, needed, outputs.root)


@contextlib.contextmanager
def system_errors(build_root: Path) -> Iterator[None]:
    """Turn a full disk, a refused permission or a vanished file into a RenderError that says so."""
    try:
        yield
    except RenderError as e:
        cause = os_error_in(e)
        code = cause.errno if cause is not None else log_fault(str(e))
        if code in DISK_FULL or code in NO_PERMISSION:
            where = cause.filename if cause is not None else None
            raise RenderError(f"{describe(code, where, build_root)} (What stopped: {e})") from e
        raise
    except OSError as e:
        if e.errno in KNOWN:
            raise RenderError(describe(e.errno, e.filename, build_root)) from e
        raise
