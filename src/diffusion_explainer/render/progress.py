"""What a person watching a render sees: which scenes render and why, how far each has got,
how long each took, and the total. One line per event, plus a status line every few seconds
while scenes are rendering, so it reads the same in a terminal, through make and in a CI log."""

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
class _Running:
    frames: int
    started: float = field(default_factory=time.monotonic)
    done: int = 0


class Progress:
    def __init__(self, stream: TextIO | None = None, interval_s: float = 10.0, quiet: bool = False):
        self.stream = stream or sys.stdout
        self.interval_s = interval_s
        self.quiet = quiet
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def say(self, message: str) -> None:
        if not self.quiet:
            with self._lock:
                print(message, file=self.stream, flush=True)

    # --- scenes ----------------------------------------------------------------------------------

    def scene_started(self, scene_id: str, frames: int, seconds: int, reasons: list[str]) -> None:
        with self._lock:
            self._running[scene_id] = _Running(frames)
        self.say(f"  render  {scene_id:<16} {seconds:>4} s video, {frames} frames ({', '.join(reasons)})")
        self._ensure_ticker()

    def scene_frames(self, scene_id: str, done: int) -> None:
        with self._lock:
            if scene_id in self._running:
                self._running[scene_id].done = done

    def scene_finished(self, scene_id: str, seconds_of_video: int, wall_s: float, peak_rss_mb: float) -> None:
        with self._lock:
            self._running.pop(scene_id, None)
        self.say(f"  done    {scene_id:<16} in {clock(wall_s)} ({wall_s / seconds_of_video:.2f} s per video second, "
                 f"peak {peak_rss_mb:.0f} MB)")

    def scene_failed(self, scene_id: str, wall_s: float, reason: str) -> None:
        with self._lock:
            self._running.pop(scene_id, None)
        self.say(f"  FAILED  {scene_id:<16} after {clock(wall_s)}: {reason}")

    def status_line(self) -> str:
        with self._lock:
            now = time.monotonic()
            parts = [f"{sid} {100 * r.done // max(1, r.frames)}% ({r.done}/{r.frames} frames, {clock(now - r.started)})"
                     for sid, r in self._running.items()]
        return "  ...     " + "; ".join(parts) if parts else ""

    # --- the periodic status line ------------------------------------------------------------------

    def _ensure_ticker(self) -> None:
        if self._ticker is None and not self.quiet:
            self._ticker = threading.Thread(target=self._tick, name="render-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.interval_s):
            line = self.status_line()
            if line:
                self.say(line)

    def close(self) -> None:
        """Stop the status line (a later scene_started starts it again)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1)
        self._ticker, self._stop = None, threading.Event()
