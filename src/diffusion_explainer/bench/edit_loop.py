"""`edit-bench`: the batch path's one-line edit and its undo, each timed from the command, as an
author runs it: `python -m diffusion_explainer render` in a process of its own (start-up, checks,
speech, drawing, join and side files all counted), on a copy of the screenplay, under build/bench/
(the real build is left alone).

1. the copy's video brought up to date (not timed against a target: a first run draws everything);
2. the last line of Scene 05 reworded in the copy, in words never spoken before (bench/rewording.py):
   its speech is made and its scene's chunks from that line on are drawn again;
3. the copy put back as it was: everything it needs was made before, so nothing should be drawn.

Targets (issue 23, on this 2-core machine): the edit <= 15 s at 480p15 and <= 30 s at 1080p60, its
undo <= 5 s. `bench` runs the same steps at its quality; `make bench` also runs them at 480p15.

    python -m diffusion_explainer edit-bench [--quality l] [--jobs N]
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from ..core import runtime
from ..core.files import write_text
from ..core.settings import RenderSettings
from ..render.chunks import spans_text
from ..screenplay import load_screenplay
from .rewording import EDITED_LINE, REWORDINGS, unspoken_wording

EDIT_TARGETS_S = {"480p15": 15.0, "1080p60": 30.0}  # by the settings' size (RenderSettings.size_key)
UNDO_TARGET_S = 5.0
TAIL_LINES = 30  # of a failed render's output, in the error


def run_edit_loop(settings: RenderSettings, root: Path, source: Path | None = None, edited: str = EDITED_LINE,
                  rewordings: tuple[str, ...] = REWORDINGS) -> dict | None:
    """The edit and its undo timed (module docstring) on a copy of `source` (the screenplay by
    default) whose line holding `edited` is reworded; None when no line holds it any more."""
    source = Path(source or load_screenplay().path)
    text = source.read_text(encoding="utf-8")
    if edited not in text:
        return None  # the screenplay was rewritten: no line to edit
    copy = root / "edited" / source.name  # the same name: the same video
    text = _with_scene_dir(text, source)
    write_text(copy, text)
    results: dict = {"line": "the last line of s05" if edited == EDITED_LINE else f"the line with {edited!r}",
                     "settings": settings.describe(), "size": settings.size_key, "silent": settings.silent,
                     "edit_target_s": EDIT_TARGETS_S.get(settings.size_key), "undo_target_s": UNDO_TARGET_S}
    results["up_to_date"] = timed_render(settings, root, copy)
    wording, spoken_before = unspoken_wording(text, copy.with_name(".wording-probe.yaml"), edited, rewordings)
    results["wording"], results["speech_cached"] = wording, spoken_before
    try:
        write_text(copy, text.replace(edited, wording, 1))
        results["edit"] = timed_render(settings, root, copy)
    finally:
        write_text(copy, text)
    results["undo"] = timed_render(settings, root, copy)
    return results


def timed_render(settings: RenderSettings, root: Path, screenplay: Path) -> dict:
    """`render` of `screenplay` into `root` in a process of its own: its timings (render --timings),
    and `s`, the seconds from the command's start to its exit."""
    timings = root / "edited" / f".timings-{os.getpid()}.json"
    timings.unlink(missing_ok=True)
    command = [sys.executable, "-m", "diffusion_explainer", "render", *settings.command_options(),
               "--screenplay", str(screenplay), "--timings", str(timings)]
    environment = dict(os.environ, **{runtime.BUILD_ENV: str(root)})
    started = time.monotonic()
    done = subprocess.run(command, cwd=runtime.REPO, env=environment, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if done.returncode != 0 or not timings.exists():
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-TAIL_LINES:])
        raise RuntimeError(f"the timed render of {screenplay} failed (exit {done.returncode}):\n{tail}")
    figures = json.loads(timings.read_text(encoding="utf-8"))
    timings.unlink()
    return dict(figures, s=round(seconds, 2))


def _with_scene_dir(text: str, source: Path) -> str:
    """The screenplay's text with its `scene_dir:` made absolute, so that the copy finds the same
    scene files (without one, a screenplay anywhere uses the project's scenes/)."""
    written = re.search(r"(?m)^scene_dir:.*$", text)
    if written is None:
        return text
    scene_dir = Path(load_screenplay(source).scene_dir)
    return text[: written.start()] + f"scene_dir: {json.dumps(str(scene_dir))}" + text[written.end():]


def verdict(seconds: float, target_s: float | None) -> str:
    if target_s is None:
        return "no target at this size"
    return f"target {target_s:.0f} s: " + ("ok" if seconds <= target_s else "OVER TARGET")


def summary(results: dict) -> list[str]:
    """The edit's and the undo's rows of a bench's summary."""
    edit, undo = results["edit"], results["undo"]
    drawn = ", ".join(f"{sid} chunks {spans_text(c)} of {edit.get('chunks_of', {}).get(sid) or '?'}"
                      for sid, c in edit["chunks"].items() if c) or "nothing"
    if results["silent"]:
        spoken, edit_verdict = "silent", verdict(edit["s"], results["edit_target_s"])
    elif results["speech_cached"]:
        spoken, edit_verdict = "its speech cached", "not measured: every rewording's speech is in the cache"
    else:
        spoken, edit_verdict = "new words, spoken for the first time", verdict(edit["s"], results["edit_target_s"])
    restored = "the earlier video put back" if undo.get("restored") else "joined again"
    undrawn = ", ".join(f"{sid} chunks {spans_text(c)}" for sid, c in undo["chunks"].items() if c) or "nothing"
    return [
        f"  {results['line']} edited ({spoken}): {edit['s']:.1f} s from the command ({edit_verdict}); drew {drawn} "
        f"in {len(edit['jobs'])} jobs, {edit['cpu_s']:.1f} CPU-s (start-up and checks "
        f"{edit['s'] - edit['wall_s']:.1f} s, planning and speech {edit['planning_and_speech_s']:.1f} s, scenes "
        f"{edit['scenes_s']:.1f} s, then the soundtrack {edit['soundtrack_after_scenes_s']:.1f} s, join "
        f"{edit['join_s']:.1f} s, side files {edit['side_files_s']:.1f} s)",
        f"  that edit undone: {undo['s']:.1f} s from the command ({verdict(undo['s'], results['undo_target_s'])}); "
        f"drew {undrawn}, {restored}",
    ]


def edit_bench(settings: RenderSettings) -> int:
    """`edit-bench`: the steps under build/bench/, their summary printed and kept as JSON there."""
    root = runtime.build_dir() / "bench"
    results = run_edit_loop(settings, root)
    if results is None:
        print(f"edit-bench: the screenplay no longer has the line it rewords ({EDITED_LINE!r})")
        return 1
    write_text(root / f"edit-bench-{settings.key}.json", json.dumps(results, indent=1, ensure_ascii=False))
    print(f"edit-bench at {results['settings']} (the copy brought up to date in {results['up_to_date']['s']:.1f} s):")
    print("\n".join(summary(results)))
    return 0
