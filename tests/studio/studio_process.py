"""A studio started as a person starts it (`python -m diffusion_explainer studio`), on a copy of the
two-scene example in a temporary folder, at 256x144, 10 fps, silent, on a free port of 127.0.0.1.

Every process it starts carries a marker in its environment, so a test can find any of them left
behind after it stopped (the forkserver and the jobs forked from it included)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "tests" / "data" / "two_scenes"
MARKER = "DIFFUSION_EXPLAINER_STUDIO_TEST"
URL = re.compile(r"open (http://127\.0\.0\.1:(\d+)/\?token=(\S+))")


@dataclass
class StudioProcess:
    process: subprocess.Popen
    folder: Path  # the copy of the example
    url: str  # with the token
    port: int
    token: str
    marker: str
    output: list[str] = field(default_factory=list)

    @property
    def screenplay(self) -> Path:
        return self.folder / "noise_in_two_scenes.yaml"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout_s: float = 30) -> int:
        """Ctrl-C, as a person stops it; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout_s)

    def marked_processes(self) -> list[int]:
        """Processes still running with this studio's marker (the studio itself included)."""
        found = []
        needle = f"{MARKER}={self.marker}".encode()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if needle in (entry / "environ").read_bytes() and not _zombie(entry):
                        found.append(int(entry.name))
                except OSError:
                    continue
        return found


def changed_lines(before: Path, after: Path) -> list[str]:
    """The lines `git diff` shows removed (-) and added (+) between two files."""
    diff = subprocess.run(["git", "diff", "--no-index", "--unified=0", str(before), str(after)],
                          check=False, capture_output=True, text=True).stdout  # (exit 1: they differ)
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def _zombie(entry: Path) -> bool:
    try:
        return (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


TINY = ("--resolution", "256,144", "--fps", "10")


def start_studio(tmp: Path, size: tuple[str, ...] = TINY, silent: bool = True, timeout_s: float = 120) -> StudioProcess:
    """`size`: the studio's size options (TINY, or ("--quality", "l")); `silent`: no speech."""
    folder = tmp / "screenplay"
    shutil.copytree(EXAMPLE, folder)
    marker = uuid.uuid4().hex
    env = dict(os.environ, DIFFUSION_EXPLAINER_BUILD=str(tmp / "build"), PYTHONUNBUFFERED="1", **{MARKER: marker})
    env.pop("DIFFUSION_EXPLAINER_SILENT", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "diffusion_explainer", "studio", "--screenplay", str(folder / "noise_in_two_scenes.yaml"),
         *size, *(["--silent"] if silent else []), "--port", "0"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    output: list[str] = []

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the studio printed no address:\n" + "".join(output))
        match = URL.search(line)
        if match:
            return StudioProcess(process, folder, match.group(1), int(match.group(2)), match.group(3), marker, output)
