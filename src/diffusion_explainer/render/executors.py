"""Where jobs run: a pool of local processes (the default), or tasks on a Ray cluster.

Both take the same `JobSpec`s and hand back the same `JobResult`s, one by one as they finish, to
a callback in the render's own thread (which files the chunks). After a failure no new job
starts; the running ones finish (their chunks are kept for the next render), then the first
failure is raised with the job's error and log.

Ray (`render --executor ray`): each job is a task of one CPU, retried if its worker dies. It
connects to the cluster in RAY_ADDRESS, or starts a Ray instance on this machine. Nothing is
shared through a file system: a task gets the plan and the scene file's text in its spec, the
scene's compiled formulas and the trained models through Ray's object store, and returns its
chunk videos as bytes. Every node needs the project installed (`make setup`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import os
import shutil
import tarfile
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..core import runtime
from ..core.errors import RenderError
from .jobs import NEW_PROCESSES, JobResult, JobSpec, SceneProcesses, execute_job

OnResult = Callable[[JobSpec, JobResult], None]
TEST_KILL_ENV = "DIFFUSION_EXPLAINER_TEST_KILL_ONCE"  # tests: a job whose worker dies on its first try


class JobFailed(RenderError):
    pass


def _failure(spec: JobSpec, result: JobResult, log: Path | None) -> JobFailed:
    where = f" Full log: {log}." if log else ""
    return JobFailed(f"{spec.name} failed (manim exit {result.status}): {result.error}.{where} The chunks "
                     f"already rendered are kept for the next render, and nothing was joined.")


class LocalExecutor:
    """Jobs as `manim` processes on this machine, up to `workers` at once: new processes, or those
    `processes` starts (the studio's, forked from one that has imported Manim)."""

    name = "local"

    def __init__(self, workers: int, work_root: Path, compiled_dir: Callable[[str], Path],
                 processes: SceneProcesses = NEW_PROCESSES):
        self.workers = max(1, workers)
        self.work_root = Path(work_root)
        self.compiled_dir = compiled_dir  # scene id -> its shared folder of compiled formulas and texts
        self.processes = processes
        self._children: dict[str, object] = {}
        self._lock = threading.Lock()

    def run(self, specs: list[JobSpec], on_result: OnResult, on_frames: Callable[[str, int], None]) -> None:
        failures: list[JobFailed] = []
        pending = list(specs)
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="job") as pool:
            running: dict[concurrent.futures.Future, JobSpec] = {}
            try:
                while pending or running:
                    while pending and len(running) < self.workers and not failures:
                        spec = pending.pop(0)
                        running[pool.submit(self._run_one, spec, on_frames)] = spec
                    if not running:
                        break
                    done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
                    for future in done:
                        spec = running.pop(future)
                        result = future.result()
                        on_result(spec, result)
                        if result.status != 0:
                            failures.append(_failure(spec, result, self.work_root / _folder(spec) / "manim.log"))
            except BaseException:  # Ctrl-C (or SIGTERM, see cli): stop the children before waiting for their threads
                self.stop_all()
                raise
        if failures:
            skipped = f" Not started: {', '.join(s.name for s in pending)}." if pending else ""
            raise JobFailed(str(failures[0]) + skipped)

    def _run_one(self, spec: JobSpec, on_frames) -> JobResult:
        def started(child):
            with self._lock:
                self._children[spec.name] = child

        try:
            return execute_job(spec, self.work_root / _folder(spec), self.compiled_dir(spec.scene_id),
                               on_frames=lambda done: on_frames(spec.name, done), on_start=started,
                               processes=self.processes)
        finally:
            with self._lock:
                self._children.pop(spec.name, None)

    def stop_all(self) -> None:
        with self._lock:
            for child in self._children.values():
                if child.returncode is None:
                    child.terminate()


def _folder(spec: JobSpec) -> str:
    return spec.name.replace("[", "-").replace("]", "")


# --- Ray ----------------------------------------------------------------------------------------------


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


class RayExecutor:
    """Jobs as Ray tasks (one CPU each, retried when a worker dies)."""

    name = "ray"
    MAX_RETRIES = 2

    def __init__(self, work_root: Path, compiled_dir: Callable[[str], Path], engine_files: list[Path] | None = None,
                 address: str | None = None, num_cpus: int | None = None):
        if not ray_available():
            raise RenderError("Ray is not installed: `make render EXECUTOR=ray` installs it "
                              "(or `.venv/bin/pip install -e '.[ray]'`)")
        self.work_root = Path(work_root)
        self.compiled_dir = compiled_dir
        self.engine_files = engine_files or []
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.num_cpus = num_cpus

    def _connect(self):
        import ray

        if not ray.is_initialized():
            if self.address:
                try:
                    ray.init(address=self.address, logging_level="ERROR", log_to_driver=False)
                except Exception as e:
                    if _refused_for_token(e):
                        raise RenderError(_token_refusal(self.address)) from None
                    raise
            else:
                ray.init(num_cpus=self.num_cpus or os.cpu_count(), include_dashboard=False,
                         logging_level="ERROR", log_to_driver=False)
        return ray

    def workers(self) -> int:
        ray = self._connect()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def run(self, specs: list[JobSpec], on_result: OnResult, on_frames: Callable[[str, int], None]) -> None:
        ray = self._connect()
        task = ray.remote(num_cpus=1, max_retries=self.MAX_RETRIES)(_ray_job)
        engine = ray.put(_bundle(self.engine_files)) if self.engine_files else None
        compiled = {}
        for spec in specs:
            if spec.scene_id not in compiled:
                compiled[spec.scene_id] = ray.put(_read_compiled(self.compiled_dir(spec.scene_id)))
        futures = {task.remote(spec, compiled[spec.scene_id], engine,
                               Path(spec.state_file).read_bytes() if spec.state_file else None): spec for spec in specs}
        for spec in specs:
            on_frames(spec.name, 0)  # submitted: its clock starts (a task reports no frames until it ends)
        failures: list[JobFailed] = []
        try:
            while futures:
                done, _ = ray.wait(list(futures), num_returns=1)
                spec = futures.pop(done[0])
                try:
                    packed = ray.get(done[0])
                except ray.exceptions.RayError as e:  # the task failed even after its retries
                    failures.append(JobFailed(f"{spec.name} failed on the Ray cluster: {e}"))
                    continue
                result = self._unpack(spec, packed)
                on_result(spec, result)
                if result.status != 0:
                    failures.append(_failure(spec, result, None))
        except BaseException:
            for future in futures:
                ray.cancel(future, force=True)
            raise
        if failures:
            raise failures[0]

    def _unpack(self, spec: JobSpec, packed: dict) -> JobResult:
        folder = self.work_root / _folder(spec)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        result = JobResult(**{k: v for k, v in packed.items() if k not in ("chunk_videos", "states")})
        for index, data in packed["chunk_videos"].items():
            path = folder / f"chunk-{index:03d}.mp4"
            path.write_bytes(data)
            result.chunk_videos[index] = path
        for name, data in packed["states"].items():
            path = folder / name
            path.write_bytes(data)
            result.states[name] = path
        return result


def _read_compiled(folder: Path) -> dict[str, bytes]:
    from .jobs import COMPILED

    return {f"{kind}/{p.name}": p.read_bytes() for kind in COMPILED for p in sorted((folder / kind).glob("*.svg"))}


def _bundle(folders: list[Path]) -> dict:
    """The trained models' folders as one tar (for workers that do not have them)."""
    from ..core.keys import files_digest

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for folder in folders:
            tar.add(folder, arcname=folder.name)
    files = [p for folder in folders for p in folder.rglob("*") if p.is_file()]
    return {"digest": files_digest(files, folders[0].parent), "tar": buffer.getvalue(),
            "names": [folder.name for folder in folders]}


def _unbundle(engine: dict) -> Path:
    """A cache root on this node holding the bundled models (made once per bundle; each model
    checked as the render checks its own, and the bundle unpacked again if one is damaged or gone)."""
    from ..core.store import Store

    root = Path(tempfile.gettempdir()) / "diffusion-explainer-engine" / engine["digest"]
    models = Store(root / "engine")
    if (root / "engine").is_dir() and not all(models.entry_dir(name) for name in engine.get("names", [])):
        gone = root.parent / f".{engine['digest']}.{os.getpid()}.damaged"
        with contextlib.suppress(OSError):
            os.rename(root, gone)
        shutil.rmtree(gone, ignore_errors=True)
    if not (root / "engine").is_dir():
        staging = root.parent / f".{engine['digest']}.{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "engine").mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(engine["tar"])) as tar:
            tar.extractall(staging / "engine", filter="data")
        try:
            os.rename(staging, root)
        except OSError:  # another worker on this node got there first
            shutil.rmtree(staging, ignore_errors=True)
    return root


def _refused_for_token(error: BaseException) -> bool:
    """Whether connecting failed on the cluster's token authentication: Ray 2.60 raises its
    AuthenticationError when RAY_AUTH_MODE=token finds no token, and wraps the head's
    InvalidAuthToken in a ConnectionError (in its cause's message) when the token is missing,
    wrong or not sent (RAY_AUTH_MODE not token)."""
    from ray.exceptions import AuthenticationError

    while error is not None:
        if isinstance(error, AuthenticationError) or "InvalidAuthToken" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _token_refusal(address: str) -> str:
    mode = os.environ.get("RAY_AUTH_MODE") or "not set"
    return (f"the Ray cluster at {address} refused this machine: the cluster uses token authentication "
            f"(Ray 2.60), and this client sent no token or another token than the head's. Copy the head's "
            f"token (its ~/.ray/auth_token, made there by `ray get-auth-token --generate`) to "
            f"~/.ray/auth_token on this machine (and on every node), and run with RAY_AUTH_MODE=token "
            f"(here it is {mode}): see README.md, \"Rendering on a cluster\".")


def _ray_job(spec: JobSpec, compiled: dict[str, bytes], engine: dict | None, state: bytes | None) -> dict:
    """A job on a Ray worker: run it in a temporary folder, return what it made as bytes."""
    kill = spec.environment.get(TEST_KILL_ENV)
    if kill:  # tests: this worker dies on the first try (the marker says it has been tried)
        marker = Path(kill)
        if not marker.exists():
            marker.write_text("tried", encoding="utf-8")
            os._exit(1)
    environment = dict(spec.environment)
    environment.pop(TEST_KILL_ENV, None)
    if engine is not None:
        environment[runtime.CACHE_ENV] = str(_unbundle(engine))
    spec = replace(spec, environment=environment)
    folder = Path(tempfile.mkdtemp(prefix="diffusion-explainer-job-"))
    try:
        result = execute_job(spec, folder, compiled, state=state)
        packed = dict(result.__dict__)
        packed["chunk_videos"] = {i: p.read_bytes() for i, p in result.chunk_videos.items()}
        packed["states"] = {name: p.read_bytes() for name, p in result.states.items()}
        return packed
    finally:
        shutil.rmtree(folder, ignore_errors=True)
