"""Rendering one scene in its own `manim` process, watching it, and keeping its video only if it
is right.

Each scene renders into its own Manim media directory (so parallel processes never share a file,
and its LaTeX and text caches survive to the next render). Progress is the number of frames in
the partial movie files Manim has finished (with one encoder in flight, a file is complete once
the next one exists). The child's peak memory and CPU time come from `os.wait4`. The video is
read back; only a video of exactly the planned frames, size and codec replaces the previous one,
and only then is the manifest updated.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import av

from .. import paths
from ..errors import RenderError
from ..scene_files import SceneFileError, read_scene_file
from ..scene_plan import SCENE_SOUND_ENV, SILENT_ENV
from ..screenplay.loader import SCREENPLAY_ENV
from .atomic import move_into_place
from .inputs import Manifest, SceneInputs
from .probe import probe, scene_problems
from .progress import Progress
from .settings import RenderSettings

POLL_S = 0.5
ERROR_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w*(?:Error|Exception|Interrupt)): ?(.*)$")


@dataclass(frozen=True)
class SceneJob:
    scene_id: str
    scene_file: Path
    frames: int
    seconds: int
    inputs: SceneInputs
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SceneRun:
    scene_id: str
    seconds_of_video: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float

    @property
    def wall_per_video_s(self) -> float:
        return self.wall_s / self.seconds_of_video


def scene_class_name(scene_file: Path, scene_id: str) -> str:
    """The class in a scene file that sets `scene_id = "<scene_id>"` (read, not imported)."""
    try:
        return read_scene_file(scene_file, scene_id).class_name
    except SceneFileError as e:
        raise RenderError(str(e)) from None


def error_summary(log_text: str, limit: int = 400) -> str:
    """The exception a failed Manim run ended with (its last `SomethingError: message`), or the
    log's last line."""
    lines = [line.strip(" │╭╰─") for line in log_text.splitlines()]
    lines = [line.strip() for line in lines if line.strip()]
    for i in range(len(lines) - 1, -1, -1):
        match = ERROR_LINE.match(lines[i])
        if match and match.group(1) not in ("Traceback",):
            message = " ".join([lines[i]] + [line for line in lines[i + 1 : i + 4] if not ERROR_LINE.match(line)])
            return message[:limit]
    return (lines[-1] if lines else "no output")[:limit]


class SceneRenderer:
    """Renders scenes into `scenes_dir` (one video per scene plus the manifest)."""

    def __init__(self, settings: RenderSettings, scenes_dir: Path, work_root: Path, manifest: Manifest,
                 progress: Progress, screenplay_path: Path | None = None):
        self.settings = settings
        self.screenplay_path = screenplay_path  # the scenes read their screenplay from here
        self.scenes_dir = scenes_dir
        self.work_root = work_root
        self.manifest = manifest
        self.progress = progress
        self._children: dict[str, subprocess.Popen] = {}

    def video_path(self, scene_id: str) -> Path:
        return self.scenes_dir / f"{scene_id}.mp4"

    def log_path(self, scene_id: str) -> Path:
        return self.scenes_dir / "logs" / f"{scene_id}.log"

    def command(self, job: SceneJob, media_dir: Path) -> list[str]:
        return [sys.executable, "-m", "diffusion_explainer.render.manim_main", "render", *self.settings.manim_args(), "--media_dir", str(media_dir),
                "-o", job.scene_id, str(job.scene_file), scene_class_name(job.scene_file, job.scene_id)]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env[SILENT_ENV] = "1" if self.settings.silent else "0"
        env[SCENE_SOUND_ENV] = "0"
        env["COLUMNS"] = "200"  # Manim's rich log wraps at the terminal width; keep messages on one line
        env["PYTHONUNBUFFERED"] = "1"
        env.setdefault("DIFFUSION_EXPLAINER_BUILD", str(paths.BUILD))
        if self.screenplay_path is not None:
            env[SCREENPLAY_ENV] = str(Path(self.screenplay_path).resolve())
        return env

    def render(self, job: SceneJob) -> SceneRun:
        media_dir = self.work_root / job.scene_id
        videos_dir = media_dir / "videos"
        shutil.rmtree(videos_dir, ignore_errors=True)  # no leftover from an earlier run can be taken for this one
        log_path = self.log_path(job.scene_id)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        command = self.command(job, media_dir)

        self.progress.scene_started(job.scene_id, job.frames, job.seconds, list(job.reasons))
        started = time.monotonic()
        with open(log_path, "w", encoding="utf-8") as log:
            log.write(" ".join(command) + "\n\n")
            log.flush()
            child = subprocess.Popen(command, cwd=paths.REPO, env=self.environment(), stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            self._children[job.scene_id] = child
            try:
                status, cpu_s, peak_mb = self._wait(child, job, videos_dir)
            finally:
                self._children.pop(job.scene_id, None)
        wall = time.monotonic() - started
        run = SceneRun(job.scene_id, job.seconds, wall, cpu_s, peak_mb)

        if status != 0:
            reason = error_summary(log_path.read_text(encoding="utf-8", errors="replace"))
            self.progress.scene_failed(job.scene_id, wall, reason)
            raise RenderError(
                f"scene {job.scene_id} failed (manim exit {status}): {reason}. Full log: {log_path}. "
                f"Its previous video, if any, is kept and nothing was joined.")
        self._keep(job, videos_dir, run)
        self.progress.scene_finished(job.scene_id, job.seconds, wall, run.peak_rss_mb)
        shutil.rmtree(videos_dir, ignore_errors=True)
        return run

    def _wait(self, child: subprocess.Popen, job: SceneJob, videos_dir: Path):
        """(exit code, CPU seconds, peak RSS in MB) of the child, reporting its progress meanwhile."""
        counted: dict[str, int] = {}
        return watch(child, lambda: self.progress.scene_frames(job.scene_id, _frames_done(videos_dir, counted)))

    def _keep(self, job: SceneJob, videos_dir: Path, run: SceneRun) -> None:
        outputs = [p for p in videos_dir.glob(f"*/*/{job.scene_id}.mp4")]
        if len(outputs) != 1:
            raise RenderError(f"scene {job.scene_id}: manim exited normally but wrote {len(outputs)} videos "
                              f"under {videos_dir}; see {self.log_path(job.scene_id)}")
        facts = probe(outputs[0])
        problems = scene_problems(facts, self.settings.width, self.settings.height, self.settings.fps, job.frames)
        if problems:
            raise RenderError(f"scene {job.scene_id} rendered, but its video is wrong: {'; '.join(problems)}. "
                              f"Its previous video, if any, is kept ({outputs[0]} is the rejected one).")
        final = self.video_path(job.scene_id)
        move_into_place(outputs[0], final)
        self.manifest.record(job.scene_id, {
            "inputs": job.inputs.digest,
            "parts": job.inputs.parts,
            "frames": facts.frames,
            "bytes": final.stat().st_size,
            "render_wall_s": round(run.wall_s, 2),
            "render_cpu_s": round(run.cpu_s, 2),
            "peak_rss_mb": round(run.peak_rss_mb, 1),
            "rendered_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        })

    def stop_all(self) -> None:
        """Stop every manim process this renderer started (on Ctrl-C or another scene's failure)."""
        for child in list(self._children.values()):
            if child.returncode is None:
                child.terminate()


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


def _frames_done(videos_dir: Path, counted: dict[str, int]) -> int:
    """Frames in the finished partial movie files (all but the newest, which is being written)."""
    files = sorted(videos_dir.glob("*/*/partial_movie_files/*/*.mp4"))
    for path in files[:-1]:
        if path.name not in counted:
            try:
                with av.open(str(path)) as container:
                    counted[path.name] = container.streams.video[0].frames
            except (av.error.FFmpegError, OSError, IndexError):
                counted[path.name] = 0
    return sum(counted.values())
