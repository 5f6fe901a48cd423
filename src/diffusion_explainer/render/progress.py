"""What a person watching a render sees: which scenes and chunks render and why, how far each job
has got, how long each took, and the total.

In a terminal, a live display (rich, which Manim installs): a bar per running job and one for all
the frames to draw, with the time left estimated from the frames drawn so far. Anywhere else
(through a pipe, in a log or CI), one line per event plus a status line every few seconds, so the
log reads the same everywhere.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TextIO


def clock(seconds: float) -> str:
    """12.3 -> '12.3 s', 75 -> '1:15'."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes}:{rest:02d}"


@dataclass
class _Job:
    frames: int
    started: float | None = None
    done: int = 0
    finished: bool = False
    bar: object = None


@dataclass
class Progress:
    stream: TextIO | None = None
    interval_s: float = 10.0
    quiet: bool = False
    live: bool | None = None  # None: live bars when the stream is a terminal
    _jobs: dict[str, _Job] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _ticker: threading.Thread | None = None
    _display: object = None
    _started: float | None = None

    def __post_init__(self):
        self.stream = self.stream or sys.stdout
        if self.live is None:
            self.live = not self.quiet and hasattr(self.stream, "isatty") and self.stream.isatty()

    def say(self, message: str) -> None:
        if self.quiet:
            return
        with self._lock:
            if self._display is not None:
                self._display.console.print(message, highlight=False, markup=False)
            else:
                print(message, file=self.stream, flush=True)

    # --- jobs ------------------------------------------------------------------------------------

    def job_queued(self, name: str, frames: int) -> None:
        with self._lock:
            self._jobs[name] = _Job(frames)

    def job_frames(self, name: str, done: int) -> None:
        with self._lock:
            job = self._jobs.get(name)
            if job is None:
                return
            if job.started is None:
                job.started = time.monotonic()
                self._started = self._started or job.started
                if self._display is not None:
                    job.bar = self._display.add_task(name, total=job.frames)
            job.done = min(done, job.frames)
            self._update(name, job)
        if self._display is None:
            self._ensure_ticker()

    def job_finished(self, name: str, seconds_of_video: float, wall_s: float, cpu_s: float, peak_rss_mb: float) -> None:
        with self._lock:
            job = self._jobs.get(name)
            if job is not None:
                job.done, job.finished = job.frames, True
                self._update(name, job)
                if self._display is not None and job.bar is not None:
                    self._display.remove_task(job.bar)
        self.say(f"  done    {name:<22} {seconds_of_video:5.1f} s of video in {clock(wall_s)} wall, {cpu_s:.1f} CPU-s, "
                 f"peak {peak_rss_mb:.0f} MB")

    def job_failed(self, name: str, wall_s: float, reason: str) -> None:
        with self._lock:
            job = self._jobs.pop(name, None)
            if job is not None and self._display is not None and job.bar is not None:
                self._display.remove_task(job.bar)
        self.say(f"  FAILED  {name} after {clock(wall_s)}: {reason}")

    def totals(self) -> tuple[int, int]:
        """(frames drawn, frames to draw) over every job queued."""
        return sum(j.done for j in self._jobs.values()), sum(j.frames for j in self._jobs.values())

    def eta_s(self) -> float | None:
        done, total = self.totals()
        if not done or self._started is None:
            return None
        return (time.monotonic() - self._started) * (total - done) / done

    def status_line(self) -> str:
        with self._lock:
            running = {n: j for n, j in self._jobs.items() if j.started is not None and not j.finished}
            parts = [f"{name} {100 * j.done // max(1, j.frames)}% ({j.done}/{j.frames} frames, "
                     f"{clock(time.monotonic() - j.started)})" for name, j in running.items()]
            done, total = self.totals()
        if not parts:
            return ""
        eta = self.eta_s()
        whole = f"all: {100 * done // max(1, total)}% of {total} frames" + (f", about {clock(eta)} left" if eta else "")
        return "  ...     " + "; ".join(parts) + f" | {whole}"

    # --- plain lines: the periodic status line ------------------------------------------------------

    def _ensure_ticker(self) -> None:
        if self._ticker is None and not self.quiet:
            self._ticker = threading.Thread(target=self._tick, name="render-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.interval_s):
            line = self.status_line()
            if line:
                self.say(line)

    # --- a terminal: live bars ------------------------------------------------------------------------

    def start_live(self) -> None:
        """Show live bars from now on (in a terminal only)."""
        if not self.live or self._display is not None:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bars

        self._display = Bars(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("frames"), TimeRemainingColumn(),
                             console=Console(file=self.stream), transient=True)
        _, total = self.totals()
        self._whole = self._display.add_task("all jobs", total=max(1, total))
        self._display.start()

    def _update(self, name: str, job: _Job) -> None:
        if self._display is None:
            return
        if job.bar is not None:
            self._display.update(job.bar, completed=job.done)
        done, total = self.totals()
        self._display.update(self._whole, completed=done, total=max(1, total))

    def close(self) -> None:
        """Stop the status line or the live bars (a later job starts them again)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1)
        if self._display is not None:
            self._display.stop()
            self._display = None
        self._ticker, self._stop = None, threading.Event()
        self._jobs.clear()
        self._started = None
