"""Scene jobs in processes that have already imported Manim and the package.

A render's job is normally a new `python -m diffusion_explainer.scene.launcher` process, which
spends about 1.2 CPU-s importing Manim, NumPy, the scene toolbox and the engine before it draws a
frame: most of a studio edit's cost at a preview size. Here a multiprocessing forkserver is started
once with those modules preloaded; each job is a fork of it (a few milliseconds), which then runs
the launcher's `main()` as the new process would, with the job's environment, working folder and log.

The forkserver is a single-threaded process of its own, so forking it is safe (forking the studio,
which has the web server's and the watcher's threads, would not be). Everything a job reads from the
environment is read when `main()` runs, after the job's environment is in place, except Rich's
console width, which Manim sets up at import: the forkserver is started with the width a job's log
needs (COLUMNS=200, as jobs.py sets it).

`WarmProcesses` is a `render.jobs.SceneProcesses`: hand it to `LocalExecutor` and the render runs as
it always does. The studio keeps one for all its edits; a `render` on this machine starts one
while it speaks and plans (`started_early`).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from ..core import runtime
from .jobs import POLL_S, high_water_kb

# What a job imports before it draws: Manim and its command line, the launcher and everything a
# scene file takes from the package (the toolbox, the engine's pictures and the demos).
PRELOAD = ["manim", "manim.__main__", "diffusion_explainer.scene.launcher", "diffusion_explainer.scene.toolbox",
           "diffusion_explainer.engine.pictures", "diffusion_explainer.demos", __name__]
LOG_COLUMNS = "200"  # Manim's Rich console wraps at this width, set when the forkserver imports it


def _run_launcher(launcher_args: list[str], env: dict, log_path: str, usage_path: str) -> None:
    """In the forked job: become the launcher's process (environment, folder, output) and run it."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(runtime.REPO)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    sys.argv = ["manim", *launcher_args]
    status = 1
    try:
        from tqdm import tqdm

        from ..scene import launcher

        # Manim's progress bars would make tqdm's lock a multiprocessing one, registered with the
        # parent's resource tracker and never released by this process's os._exit: the parent would
        # warn of a "leaked semaphore" per job at exit. A job draws in one thread.
        tqdm.set_lock(threading.RLock())

        launcher.main()
        status = 0
    except SystemExit as e:  # Manim's command line ends with sys.exit
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 (its traceback goes to the job's log, as a new process's would)
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        Path(usage_path).write_text(json.dumps({
            "cpu_s": mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime,
            "peak_kb": mine.ru_maxrss}), encoding="ascii")
    os._exit(status)  # no interpreter teardown: nothing of this process is needed after its files


class WarmProcess:
    """A job forked from the forkserver, stopped and waited for as a `subprocess.Popen` would be."""

    def __init__(self, process: multiprocessing.process.BaseProcess, usage_path: Path):
        self.process, self.usage_path = process, usage_path

    @property
    def pid(self) -> int | None:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.exitcode

    def terminate(self) -> None:
        if self.process.exitcode is None:
            self.process.terminate()


class WarmProcesses:
    """Jobs forked from one forkserver that has imported Manim and the package (start() is called
    once, early, so the first edit does not pay for it; close() stops every job and the server)."""

    def __init__(self):
        self._context = multiprocessing.get_context("forkserver")
        self._running: set[WarmProcess] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._starting = threading.Lock()  # (held while the server starts)
        self._started = False

    def start_server(self) -> float:
        """Start the forkserver and wait until its imports are done; the seconds it took (0 if it
        was started before)."""
        with self._starting:
            if self._started:
                return 0.0
            started = time.monotonic()
            self._context.set_forkserver_preload(PRELOAD)
            width = os.environ.get("COLUMNS")
            os.environ["COLUMNS"] = LOG_COLUMNS  # read by the forkserver's Manim at import
            try:
                probe = self._context.Process(target=_noop)  # the first fork waits for the preload
                probe.start()
            finally:
                if width is None:
                    os.environ.pop("COLUMNS", None)
                else:
                    os.environ["COLUMNS"] = width
            probe.join()
            self._started = True
            return time.monotonic() - started

    @classmethod
    @contextlib.contextmanager
    def started_early(cls, needed: Callable[[], bool] | None = None) -> Iterator[WarmProcesses]:
        """Processes whose server imports in the background from now on (a render's speech and
        plan take seconds: by the first job the imports are done, and each job is a fork); stopped
        on leaving. `needed()`: asked first, in the background; False, the server starts only when
        a job does (an edit undone draws nothing: the imports would take a core from its planning)."""
        warm = cls()

        def start() -> None:
            with contextlib.suppress(Exception):  # (a question that fails: the first job starts it)
                if needed is not None and not needed():
                    return
            warm.start_server()

        starting = threading.Thread(target=start, name="warm-processes", daemon=True)
        starting.start()
        try:
            yield warm
        finally:
            starting.join()
            warm.close()

    def start(self, launcher_args: list[str], env: dict, log: TextIO) -> WarmProcess:
        if not self._closed:
            self.start_server()  # (at once if it was started)
        log.flush()
        usage = Path(log.name).with_name("usage.json")
        usage.unlink(missing_ok=True)
        process = self._context.Process(target=_run_launcher, args=(launcher_args, env, log.name, str(usage)),
                                        daemon=False)
        with self._lock:
            if self._closed:
                raise RuntimeError("the warm processes are closed (the render or studio is stopping): no new job starts")
            process.start()
            child = WarmProcess(process, usage)
            self._running.add(child)
        return child

    def wait(self, child: WarmProcess, each_poll: Callable[[], None]) -> tuple[int, float, float]:
        peak_kb = 0
        try:
            while child.process.exitcode is None:
                peak_kb = max(peak_kb, high_water_kb(child.process.pid))
                each_poll()
                child.process.join(POLL_S)
        finally:
            with self._lock:
                self._running.discard(child)
        try:
            usage = json.loads(child.usage_path.read_text(encoding="ascii"))
        except (OSError, ValueError):  # killed before it could say
            usage = {"cpu_s": 0.0, "peak_kb": 0}
        return child.process.exitcode, usage["cpu_s"], max(peak_kb, usage["peak_kb"]) / 1024

    def close(self) -> None:
        """Stop the running jobs, wait for them, and stop the forkserver."""
        with self._lock:
            self._closed = True
            running = list(self._running)
        for child in running:
            child.terminate()
        for child in running:
            child.process.join(5)
            if child.process.exitcode is None:
                child.process.kill()
                child.process.join()
        from multiprocessing import forkserver

        forkserver._forkserver._stop()  # the server exits when its pipe closes; wait for it here


def _noop() -> None:
    pass
