"""The author's loop, timed: from a file's save to the studio telling the page to play.

The studio (studio/session.py) runs in this process on a copy of the screenplay and the scene files
(the real ones are not touched), with its warm workers, at the preview quality (480p15 unless told),
and the edits an author makes are made to the copy's files, each timed from the write to the moment
the studio publishes the new preview (the page's player loads it and plays from the first changed
moment when the event arrives):

1. the first preview (every chunk of the copy's own studio build that is not cached yet): the
   baseline the edits are compared with, measured in the same run;
2. a late line of Scene 05 reworded in words never spoken before (its speech is made, its scene's
   chunks from that line on are drawn again);
3. that edit undone (everything it needs was made before: nothing should be drawn);
4. the last cue method of Scene 05 edited (a statement added to its body);
5. that edit undone.

The cue edit changes the method's code, not its pixels: the chunks from that cue on are drawn
again (what the edit costs). Its undo finds the earlier chunks kept and draws nothing; the page
reloads the earlier drawing.

Targets (issue 23, 480p15 on this 2-core machine): a reworded line <= 8 s, a cue edit <= 6 s, an
undo <= 3 s. Each edit is also given as a fraction of the first preview's time, so runs on machines
of other speeds compare.

    python -m diffusion_explainer studio-loop [--quality l] [--no-music] [--folder build/bench/studio-loop]
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..core import runtime
from ..core.files import write_text
from ..core.settings import RenderSettings
from ..screenplay import load_screenplay
from .rewording import EDITED_LINE, unspoken_wording

SCENE = "s05_reverse"
TARGETS_S = {"reworded line": 8.0, "line undone": 3.0, "cue method edited": 6.0, "cue method undone": 3.0}
TIMEOUT_S = 900.0
SETTLE_S = 1.0  # between one edit's preview and the next write, so that the watcher sees them apart


@dataclass
class Published:
    """Every state the studio has published, in order, as the page receives them."""

    condition: threading.Condition = field(default_factory=threading.Condition)
    states: list[dict] = field(default_factory=list)
    log: list[tuple[float, str]] = field(default_factory=list)  # the render's progress lines, timed

    def __call__(self, event: str, data: dict) -> None:
        if event == "log":
            self.log.append((time.monotonic(), data["line"]))
            return
        if event != "state":
            return
        with self.condition:
            self.states.append(data)
            self.condition.notify_all()

    def count(self) -> int:
        with self.condition:
            return len(self.states)

    def build_after(self, first: int, timeout_s: float = TIMEOUT_S) -> dict:
        """The state that ends the first build started after state number `first` (ready with a
        preview, or problems, or failed)."""
        def ended() -> dict | None:
            later = self.states[first:]
            started = next((i for i, s in enumerate(later) if s.get("status") in {"checking", "rendering"}), None)
            if started is None:
                return None
            return next((s for s in later[started:] if s.get("status") in {"problems", "failed"}
                         or (s.get("status") == "ready" and s.get("preview"))), None)

        with self.condition:
            if not self.condition.wait_for(lambda: ended() is not None, timeout_s):
                last = self.states[-1] if self.states else {}
                raise TimeoutError(f"the studio did not finish a build in {timeout_s:.0f} s: status "
                                   f"{last.get('status')!r}, problems {last.get('problems')}")
            return ended()


def copy_project(folder: Path) -> Path:
    """The screenplay and the scene files, copied into `folder`; the copy's screenplay path."""
    source = load_screenplay()
    shutil.rmtree(folder, ignore_errors=True)
    scenes = folder / "scenes"
    shutil.copytree(Path(source.scene_dir), scenes, ignore=shutil.ignore_patterns("__pycache__"))
    text = Path(source.path).read_text(encoding="utf-8")
    screenplay = folder / Path(source.path).name  # the same name: the same video
    write_text(screenplay, text.replace("\ntitle:", "\nscene_dir: scenes\ntitle:", 1))
    return screenplay


def last_cue_method(source: str, cue_id: str) -> tuple[int, str]:
    """The line and indentation of the first statement of the method named after `cue_id` in a
    scene file's `source`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == cue_id:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):  # a docstring
                first = node.body[1]
            line = source.splitlines()[first.lineno - 1]
            return first.lineno, line[: len(line) - len(line.lstrip())]
    raise LookupError(f"the scene file has no method {cue_id}()")


def run_studio_loop(settings: RenderSettings, folder: Path) -> dict:
    from ..render.warm_processes import WarmProcesses
    from ..studio.session import Studio

    screenplay_path = copy_project(folder)
    screenplay = load_screenplay(screenplay_path)
    scene = screenplay.scene(SCENE)
    scene_file = Path(screenplay.scene_file(SCENE))
    last_cue = scene.cues[-1].id
    original_text, original_code = screenplay_path.read_text(encoding="utf-8"), scene_file.read_text(encoding="utf-8")
    if EDITED_LINE not in original_text:
        raise LookupError(f"the screenplay no longer has the line the bench rewords ({EDITED_LINE!r})")

    published = Published()
    warm = WarmProcesses()
    studio = Studio(screenplay_path, settings, published, warm)
    results: dict = {"settings": settings.describe(), "folder": str(folder), "scene": SCENE, "cue": last_cue}
    try:
        results["warm_start_s"] = round(warm.start_server(), 2)
        started = time.monotonic()
        studio.start()
        state = published.build_after(0)
        if state.get("status") != "ready":
            raise RuntimeError(f"the first preview: the studio reports {state.get('problems')}")
        results["first_preview_s"] = round(time.monotonic() - started, 2)

        def timed(what: str, path: Path, text: str) -> dict:
            first, lines = published.count(), len(published.log)
            started = time.monotonic()
            write_text(path, text)
            state = published.build_after(first)
            seconds = time.monotonic() - started
            if state.get("status") != "ready":
                raise RuntimeError(f"{what}: the studio reports {state.get('problems')}")
            preview = state["preview"]
            return {"what": what, "s": round(seconds, 2), "target_s": TARGETS_S[what],
                    "of_first_preview": round(seconds / results["first_preview_s"], 3),
                    "jobs": preview["jobs"], "job_cpu_s": preview["job_cpu_s"], "plays_from_ms": preview["start_ms"],
                    "why": preview["why"],
                    "log": [f"{t - started:6.2f} s  {line.strip()}" for t, line in published.log[lines:]]}

        wording, spoken_before = unspoken_wording(original_text, screenplay_path.with_name(".wording-probe.yaml"))
        line, indent = last_cue_method(original_code, last_cue)
        code_lines = original_code.splitlines(keepends=True)
        edited_code = "".join(code_lines[: line - 1] + [f"{indent}self.bench_edit = {int(time.time())}\n"]
                              + code_lines[line - 1:])
        edits = [("reworded line", screenplay_path, original_text.replace(EDITED_LINE, wording, 1)),
                 ("line undone", screenplay_path, original_text),
                 ("cue method edited", scene_file, edited_code),
                 ("cue method undone", scene_file, original_code)]
        results["edits"] = []
        for what, path, text in edits:
            time.sleep(SETTLE_S)
            results["edits"].append(timed(what, path, text))
        results["wording"], results["speech_cached"] = wording, spoken_before
    finally:
        write_text(screenplay_path, original_text)
        write_text(scene_file, original_code)
        studio.stop()
        warm.close()
    return results


def summary(results: dict) -> str:
    rows = [(f"studio loop at {results['settings']} (first preview {results['first_preview_s']:.1f} s, "
             f"warm workers {results['warm_start_s']:.1f} s):")]
    for edit in results.get("edits", []):
        verdict = "ok" if edit["s"] <= edit["target_s"] else "OVER TARGET"
        if edit["what"] == "reworded line" and results.get("speech_cached"):
            verdict = "not measured: every rewording's speech is in the cache, so nothing was spoken"
        rows.append(f"  {edit['what']:<18} {edit['s']:6.2f} s  (target {edit['target_s']:.0f} s: {verdict}; "
                    f"{edit['of_first_preview']:.2f} of the first preview; {edit['jobs']} jobs, "
                    f"{edit['job_cpu_s']:.1f} CPU-s; plays from {edit['plays_from_ms'] / 1000:.1f} s)")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m diffusion_explainer studio-loop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="l", help="Manim's quality letter of the preview (default l: 480p15)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-music", action="store_true", help="previews with the narration alone (the studio's --no-music)")
    parser.add_argument("--folder", type=Path, default=None, help="where the copy goes (default build/bench/studio-loop)")
    args = parser.parse_args(argv)
    settings = RenderSettings.from_quality(args.quality, jobs=args.jobs, music=not args.no_music)
    folder = args.folder or runtime.build_dir() / "bench" / "studio-loop"
    results = run_studio_loop(settings, folder)
    name = settings.key + ("" if settings.music else "-no-music")
    write_text(folder / f"studio-loop-{name}.json", json.dumps(results, indent=1))
    print(summary(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
