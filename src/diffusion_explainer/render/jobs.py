"""Running one job (a run of consecutive chunks of a scene) in its own `manim` process.

The job gets a folder of its own: the scene's plan file (the frames to draw, where to report),
Manim's media folder seeded with the scene's compiled formulas and texts (so LaTeX does not run
again, and parallel jobs of one scene never write the same file), the log. Manim writes one movie
file per call (play or wait); once it has exited, the scene's report says which calls were drawn
and where each starts, and each chunk's video is its calls' files joined by stream copy.

Everything a job needs travels in its `JobSpec` (the hand-over as JSON, the scene file's text), and
everything it makes comes back in its `JobResult`, so the same function runs in a thread of this
process or as a Ray task on another machine (executors.py). The child's peak memory and CPU time
come from `os.wait4`; progress is the frames in the movie files Manim has finished.

A job's process is started by a `SceneProcesses`: by default a new Python process per job
(`NewProcesses`, which pays Manim's and the package's imports, about 1.2 CPU-s, every time); a
local `render` and the studio hand in processes forked from one that has already imported them
(render/warm_processes.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TextIO

from ..checks.scene_files import SceneFileError, read_scene_file
from ..core import runtime
from ..core.errors import RenderError
from ..core.files import write_bytes
from ..media.join import ScenePiece, concat_video
from ..timing.handover import HandOver, SceneReport
from .chunks import calls_of_chunks
from .faults import job_fault

POLL_S = 0.5
ERROR_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w*(?:Error|Exception|Interrupt)): ?(.*)$")
COMPILED = ("Tex", "texts")  # Manim's folders of compiled formulas and texts (svg files)


@dataclass(frozen=True)
class JobSpec:
    """Everything a job needs, in plain values (it may travel to another machine)."""

    name: str  # s06_text[3-5]
    scene_id: str
    class_name: str
    scene_file: str  # the scene file's path where the render runs
    scene_source: str  # its text, for a worker that does not have the file
    plan: str  # the HandOver as JSON (timing/handover.py), without the job folder's paths
    manim_args: tuple[str, ...]  # size, fps, flags, encoder options
    fps: int
    chunks: tuple[tuple[int, int, int], ...]  # (index, nominal start, nominal end) of the chunks it draws
    frames: int  # nominal frames it draws (for progress)
    environment: dict = field(default_factory=dict)  # extra environment for the child (tests)
    state_file: str | None = None  # the saved state it resumes from (the plan's resume), where the render keeps it


@dataclass
class JobResult:
    name: str
    status: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    log_tail: str
    report: SceneReport | None = None
    chunk_videos: dict[int, Path] = field(default_factory=dict)  # chunk index -> its video (empty chunk: none)
    compiled: dict[str, bytes] = field(default_factory=dict)  # formulas/texts it compiled: "Tex/x.svg" -> bytes
    states: dict[str, Path] = field(default_factory=dict)  # the states it saved at cue starts: file name -> file

    @property
    def error(self) -> str:
        """The error, at the author's own line when the traceback passes through a scene file:
        `scenes/s02_noise.py:33 in closing: ZeroDivisionError: ... (the line: ...)`."""
        summary = error_summary(self.log_tail)
        frame = author_frame(self.log_tail)
        if frame is None or job_fault(self.log_tail):
            return summary
        path, line, function, source = frame
        shown = f"{_shown(path)}:{line} in {function}: {summary}"
        return f"{shown} (the line: {source})" if source else shown


LAUNCHER = "diffusion_explainer.scene.launcher"  # the module a job runs: Manim's command line, patched


class SceneProcess(Protocol):
    """A running job's process, as the executors stop it."""

    returncode: int | None

    def terminate(self) -> None: ...


class SceneProcesses(Protocol):
    """How a job's process starts (`launcher_args`: the launcher's command line after the module
    name, `log`: where its output goes) and how its end is waited for."""

    def start(self, launcher_args: list[str], env: dict, log: TextIO) -> SceneProcess: ...

    def wait(self, child: SceneProcess, each_poll: Callable[[], None]) -> tuple[int, float, float]:
        """(exit code, CPU seconds, peak RSS in MB), calling `each_poll` while it runs."""
        ...


class NewProcesses:
    """Each job a new `python -m diffusion_explainer.scene.launcher` process."""

    def start(self, launcher_args: list[str], env: dict, log: TextIO) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", LAUNCHER, *launcher_args], cwd=runtime.REPO, env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait(self, child: subprocess.Popen, each_poll: Callable[[], None]) -> tuple[int, float, float]:
        return watch(child, each_poll)


NEW_PROCESSES = NewProcesses()


def scene_class_name(scene_file: Path, scene_id: str) -> str:
    """The class in a scene file that sets `scene_id = "<scene_id>"` (read, not imported)."""
    try:
        return read_scene_file(scene_file, scene_id).class_name
    except SceneFileError as e:
        raise RenderError(str(e)) from None


# A frame of Manim's (rich) traceback: `path.py:33 in closing`, which its box may wrap before "in".
FRAME = re.compile(r"([^\s│╭╰]+\.py):(\d+)[\s│]*in (\w+)")


def author_frame(log_text: str) -> tuple[Path, int, str, str] | None:
    """The innermost frame of the traceback in an author's own file (not Manim's, not this
    package's, not the standard library's): its file, line, function and source line."""
    package = Path(__file__).resolve().parents[1]
    found = None
    for match in FRAME.finditer(log_text):
        path = Path(match.group(1))
        if not path.is_file() or "site-packages" in path.parts:
            continue
        if any(path.resolve().is_relative_to(root) for root in (package, sys.prefix, sys.base_prefix)):
            continue
        found = (path, int(match.group(2)), match.group(3))
    if found is None:
        return None
    path, line, function = found
    try:
        source = path.read_text(encoding="utf-8").splitlines()[line - 1].strip()
    except (OSError, IndexError, UnicodeDecodeError):
        source = ""
    return path, line, function, source


def error_summary(log_text: str, limit: int = 400) -> str:
    """The exception a failed Manim run ended with (its last `SomethingError: message`), or the
    log's last line; a full disk or a refused write says so (faults.py)."""
    fault = job_fault(log_text)
    if fault:
        return fault
    lines = [line.strip(" │╭╰─") for line in log_text.splitlines()]
    lines = [line.strip() for line in lines if line.strip()]
    for i in range(len(lines) - 1, -1, -1):
        match = ERROR_LINE.match(lines[i])
        if match and match.group(1) not in ("Traceback",):
            message = " ".join([lines[i]] + [line for line in lines[i + 1 : i + 4] if not ERROR_LINE.match(line)])
            return message[:limit]
    return (lines[-1] if lines else "no output")[:limit]


def execute_job(spec: JobSpec, folder: Path, compiled: dict[str, bytes] | Path | None = None,
                on_frames: Callable[[int], None] = lambda done: None,
                on_start: Callable[[SceneProcess], None] = lambda child: None,
                state: bytes | None = None, processes: SceneProcesses = NEW_PROCESSES) -> JobResult:
    """Run the job in `folder` (made empty first); `compiled`: the scene's compiled formulas and
    texts, as a folder or as files' bytes, to seed Manim's media folder with; `state`: the saved
    state it resumes from, for a worker that does not have the render's file of it; `processes`:
    how its process starts."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    media = folder / "media"
    seeded = _seed(media, compiled)
    scene_file = Path(spec.scene_file)
    if not scene_file.is_file():  # a worker without the checkout's scene files
        scene_file = folder / f"{spec.scene_id}.py"
        scene_file.write_text(spec.scene_source, encoding="utf-8")
    if (saved_again := _saved_again(scene_file, spec)) is not None:
        return saved_again
    plan_path, report_path, log_path = folder / "plan.json", folder / "report.json", folder / "manim.log"
    plan = replace(HandOver.from_json(spec.plan, f"{spec.name}'s plan"), report=report_path,
                   save_states=folder / "states")
    (folder / "states").mkdir()
    if plan.resume and state is not None:
        (folder / "resume.pkl").write_bytes(state)
        plan = replace(plan, resume=replace(plan.resume, state=folder / "resume.pkl"))
    plan.write(plan_path)
    launcher_args = ["render", *spec.manim_args, "--media_dir", str(media), "-o", spec.scene_id, str(scene_file),
                     spec.class_name]
    env = dict(os.environ, **spec.environment)
    env[runtime.PLAN_ENV] = str(plan_path)
    progress_path = folder / "progress.txt"
    progress_path.unlink(missing_ok=True)
    env[runtime.PROGRESS_ENV] = str(progress_path)
    env["COLUMNS"] = "200"  # Manim's rich log wraps at the terminal width; keep messages on one line
    env["PYTHONUNBUFFERED"] = "1"

    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(" ".join([sys.executable, "-m", LAUNCHER, *launcher_args]) + "\n\n")
        log.flush()
        child = processes.start(launcher_args, env, log)
        on_start(child)
        status, cpu_s, peak_mb = processes.wait(child, lambda: on_frames(_frames_done(progress_path)))
    on_frames(_frames_done(progress_path))  # the calls that ended after the last poll (a short job: all of them)
    result = JobResult(spec.name, status, time.monotonic() - started, cpu_s, peak_mb,
                       log_path.read_text(encoding="utf-8", errors="replace")[-20000:])
    if status != 0:
        return result
    if (saved_again := _saved_again(scene_file, spec)) is not None:  # Manim may have read either text
        saved_again.wall_s, saved_again.cpu_s, saved_again.peak_rss_mb = result.wall_s, cpu_s, peak_mb
        return saved_again
    if not report_path.is_file():
        result.status, result.log_tail = -1, result.log_tail + "\nRenderError: the scene wrote no report"
        return result
    result.report = SceneReport.read(report_path)
    result.chunk_videos = _chunk_videos(spec, media, result.report, folder)
    result.compiled = _newly_compiled(media, seeded)
    result.states = {saved.file: folder / "states" / saved.file for saved in result.report.states}
    return result


def _saved_again(scene_file: Path, spec: JobSpec) -> JobResult | None:
    """A failed result if the scene file is no longer the text the render planned and keyed this
    job's chunks with (the author saved it while the render ran): what the job draws from it would
    be kept under the old text's keys. None while it is the same."""
    try:
        same = scene_file.read_text(encoding="utf-8") == spec.scene_source
    except (OSError, UnicodeDecodeError):
        same = False
    if same:
        return None
    return JobResult(spec.name, -1, 0.0, 0.0, 0.0,
                     f"RenderError: {scene_file} was saved again while the render ran; the frames drawn from it "
                     f"are not kept: render again")


def _chunk_videos(spec: JobSpec, media: Path, report: SceneReport, folder: Path) -> dict[int, Path]:
    partials = sorted(media.glob(f"videos/*/*/partial_movie_files/{spec.class_name}"))
    calls = report.calls
    videos = {}
    for index, (first, last, numbers) in calls_of_chunks(report, spec.chunks).items():
        if last == first:
            continue  # no call starts in this chunk: a longer one before it covers its frames
        if len(partials) != 1:
            raise RenderError(f"{spec.name}: Manim's movie files of each call were not found under {media}")
        pieces = [ScenePiece(f"{spec.scene_id} call {n}", partials[0] / f"uncached_{calls[n].play:05d}.mp4",
                             calls[n].first - first, calls[n].frames, None) for n in numbers]
        drawn = sum(piece.frames for piece in pieces)
        if drawn != last - first:
            raise RenderError(f"{spec.name}: chunk {index} has {drawn} drawn frames but spans {last - first} "
                              f"(frames {first}-{last}); the scene's report and its movie files disagree")
        videos[index] = concat_video(pieces, spec.fps, folder / f"chunk-{index:03d}.mp4")
    return videos


def _seed(media: Path, compiled: dict[str, bytes] | Path | None) -> set[str]:
    """Put the scene's compiled formulas and texts where this job's Manim looks for them."""
    names = set()
    if isinstance(compiled, Path):
        for kind in COMPILED:
            for path in (compiled / kind).glob("*.svg"):
                if path.name.startswith("."):  # another job's file being written (keep_compiled): not yet one
                    continue
                target = media / kind / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                names.add(f"{kind}/{path.name}")
    elif compiled:
        for name, data in compiled.items():
            target = media / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            names.add(name)
    return names


def _newly_compiled(media: Path, seeded: set[str]) -> dict[str, bytes]:
    new = {}
    for kind in COMPILED:
        for path in (media / kind).glob("*.svg"):
            name = f"{kind}/{path.name}"
            if name not in seeded:
                new[name] = path.read_bytes()
    return new


def keep_compiled(shared: Path, compiled: dict[str, bytes]) -> None:
    """Add what a job compiled to the scene's shared folder (each file written whole, then renamed)."""
    for name, data in compiled.items():
        target = shared / name
        if not target.exists():
            write_bytes(target, data)


def watch(child: subprocess.Popen, each_poll: Callable[[], None] = lambda: None) -> tuple[int, float, float]:
    """Wait for a child: (exit code, CPU seconds, peak RSS in MB), calling `each_poll` while it runs.

    The peak is the child's own high-water mark (VmHWM) read while it runs: the wait4 figure
    also counts the parent's memory at fork time (Linux carries it across exec)."""
    peak_kb = 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            return child.returncode, usage.ru_utime + usage.ru_stime, (peak_kb or usage.ru_maxrss) / 1024
        peak_kb = max(peak_kb, high_water_kb(child.pid))
        each_poll()
        time.sleep(POLL_S)


def high_water_kb(pid: int) -> int:
    """A running process's peak resident memory so far (VmHWM), in kB; 0 if it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _frames_done(progress: Path) -> int:
    """Frames in the calls the scene has finished: the launcher (manim_main.py) adds each one's to
    `progress` as it closes its movie file."""
    try:
        lines = progress.read_text(encoding="ascii").split("\n")
    except OSError:
        return 0
    return sum(int(line) for line in lines[:-1] if line.isdigit())  # (the last may be half written)


def _shown(path: Path) -> str:
    """A path as the author typed it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
