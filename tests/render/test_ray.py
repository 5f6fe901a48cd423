"""Rendering on Ray: the small screenplay rendered by a Ray instance started here decodes to the
frames the local pool makes, even when a task's worker dies on its first try (it is retried); and
so does a render through RAY_ADDRESS on a cluster started as README says (a head and a second
node with token authentication), while a client without the head's token gets the project's
message and no traceback."""

import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
import pytest

from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.executors import TEST_KILL_ENV, ray_available
from diffusion_explainer.render.pipeline import render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO

pytestmark = [pytest.mark.render, pytest.mark.skipif(not ray_available(), reason="Ray is not installed (make ray)")]

SMALL = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"
SETTINGS = RenderSettings.custom("256,144", 10, silent=True, jobs=2)


@pytest.fixture(scope="module")
def ray_instance():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield ray
    ray.shutdown()


def decoded(video):
    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.fixture(scope="module")
def local_frames(tmp_path_factory):
    root = tmp_path_factory.mktemp("local")
    render_video(SETTINGS, screenplay=load_screenplay(SMALL), root=root, progress=Progress(quiet=True),
                 chunks_per_job=1)
    return decoded(BuildLayout(root, SETTINGS, "noise_in_two_scenes").video)


def test_the_video_rendered_on_ray_has_the_frames_of_the_local_pool(ray_instance, local_frames, tmp_path):
    log = io.StringIO()
    report = render_video(SETTINGS, screenplay=load_screenplay(SMALL), root=tmp_path, progress=Progress(stream=log),
                          executor="ray", chunks_per_job=1)
    chunks = sum(len(c) for c in report.chunks.values())
    assert "(ray)" in log.getvalue() and len(report.rendered) == chunks == 5, log.getvalue()  # one task per chunk
    frames = decoded(BuildLayout(tmp_path, SETTINGS, "noise_in_two_scenes").video)
    assert len(frames) == len(local_frames) == 200
    assert all(np.array_equal(a, b) for a, b in zip(frames, local_frames))


def test_a_task_whose_worker_dies_is_retried_and_the_video_is_right(ray_instance, local_frames, tmp_path):
    marker = tmp_path / "died-once"
    report = render_video(SETTINGS, screenplay=load_screenplay(SMALL), root=tmp_path / "build",
                          progress=Progress(quiet=True), executor="ray", chunks_per_job=1,
                          job_environment={TEST_KILL_ENV: str(marker)})
    assert marker.read_text(encoding="utf-8") == "tried", "no worker died: the hook did not run"
    assert len(report.rendered) == 5
    frames = decoded(BuildLayout(tmp_path / "build", SETTINGS, "noise_in_two_scenes").video)
    assert len(frames) == 200 and all(np.array_equal(a, b) for a, b in zip(frames, local_frames))


# --- a cluster as a user meets it: a head and a second node started with `ray start` -----------------
# Ray 2.60 authenticates with a token: README, "Rendering on a cluster". Both nodes run on this
# machine, each with its own HOME (its ~/.ray/auth_token) and --temp-dir, each `ray start --block`
# in a session of its own, so that the test stops exactly the processes it started (never `ray stop`,
# which stops every Ray instance of the user's on the machine).

RAY = Path(sys.executable).with_name("ray")
ENV_FOR_CLI = {"PYTHONPATH": str(REPO), "RAY_gcs_server_port_wait_time_s": "2"}  # a refused client gives up in 2 s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    return {**env, "HOME": str(home), **extra}


class RayNode:
    """`ray start --block` in a session of its own; stopped by its process group (and anything
    left of its session)."""

    def __init__(self, name: str, home: Path, args: list[str], root: Path):
        self.log = root / f"{name}.log"
        self.temp = root / f"{name}-tmp"  # (Ray's socket paths must stay short: a tmp_path is)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(RAY), "start", "--block", f"--temp-dir={self.temp}", "--num-cpus=1",
                 "--object-store-memory=100000000", *args],
                env=clean_env(home, RAY_AUTH_MODE="token"), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_started(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while "Ray runtime started" not in self.log.read_text(errors="replace"):
            assert self.process.poll() is None, f"ray start exited:\n{self.log.read_text(errors='replace')[-3000:]}"
            assert time.monotonic() < deadline, f"ray start took over {timeout_s} s:\n{self.log.read_text()[-3000:]}"
            time.sleep(0.2)

    def session_pids(self) -> list[int]:
        """The live processes of its session (the session's id is the `ray start` process's)."""
        ps = subprocess.run(["ps", "-eo", "pid=,sid=,stat="], check=False, capture_output=True, text=True)
        out = ps.stdout.split()
        return [int(pid) for pid, sid, stat in zip(out[::3], out[1::3], out[2::3])
                if int(sid) == self.process.pid and not stat.startswith("Z")]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)  # `ray start --block` stops its processes on SIGTERM
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for pid in self.session_pids():  # what did not stop: killed, but only what this node started
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=5)
        deadline = time.monotonic() + 10
        while self.session_pids() and time.monotonic() < deadline:
            time.sleep(0.2)


@pytest.fixture(scope="module")
def token_cluster():
    """A head with a token and a second node with the head's token copied into its HOME, as in
    README's steps; yields (head's address, head's HOME)."""
    root = Path(tempfile.mkdtemp(prefix="rt-", dir="/tmp"))  # short: Ray's unix sockets live in --temp-dir
    head_home, node_home = root / "head", root / "node"
    generated = subprocess.run([str(RAY), "get-auth-token", "--generate"], check=False, env=clean_env(head_home),
                               capture_output=True, text=True, timeout=60)
    token = head_home / ".ray" / "auth_token"
    assert generated.returncode == 0 and token.is_file(), generated.stderr
    (node_home / ".ray").mkdir(parents=True)
    shutil.copy(token, node_home / ".ray" / "auth_token")
    port = free_port()
    nodes = []
    try:
        head = RayNode("head", head_home, ["--head", f"--port={port}", "--include-dashboard=false",
                                           f"--dashboard-agent-listen-port={free_port()}"], root)
        nodes.append(head)
        head.wait_started()
        address = f"{_head_ip(head.log)}:{port}"
        second = RayNode("node", node_home, [f"--address={address}", f"--dashboard-agent-listen-port={free_port()}"],
                         root)
        nodes.append(second)
        second.wait_started()
        yield address, head_home
    finally:
        for node in reversed(nodes):
            node.stop()
        left = [pid for node in nodes for pid in node.session_pids()]
        shutil.rmtree(root, ignore_errors=True)
        assert not left, f"Ray processes left running: {left}"


def _head_ip(log: Path) -> str:
    import re

    found = re.search(r"Local node IP: (\S+)", log.read_text(errors="replace"))
    assert found, log.read_text()
    return found.group(1)


def render_cli(env: dict, build: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diffusion_explainer", "render", "--executor", "ray",
                           "--screenplay", str(SMALL), "--resolution", "256,144", "--fps", "10", "--silent"],
                          env={**env, **ENV_FOR_CLI, "DIFFUSION_EXPLAINER_BUILD": str(build)},
                          check=False, capture_output=True, text=True, timeout=240, cwd=REPO)


def test_a_render_through_RAY_ADDRESS_on_a_head_and_a_second_node_has_the_local_frames(token_cluster, local_frames,
                                                                                        tmp_path):
    address, head_home = token_cluster
    done = render_cli(clean_env(head_home, RAY_AUTH_MODE="token", RAY_ADDRESS=address), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 workers (ray)" in done.stdout, done.stdout  # one CPU on each node: the second node joined
    frames = decoded(BuildLayout(tmp_path / "noise_in_two_scenes", SETTINGS, "noise_in_two_scenes").video)
    assert len(frames) == len(local_frames) == 200
    assert all(np.array_equal(a, b) for a, b in zip(frames, local_frames))


@pytest.mark.parametrize("token, mode", [(None, None), (None, "token"), ("another token", "token"),
                                         ("the head's", None)])
def test_a_client_without_the_heads_token_gets_the_projects_message(token_cluster, tmp_path, token, mode):
    address, head_home = token_cluster
    home = tmp_path / "home"
    (home / ".ray").mkdir(parents=True)
    if token == "the head's":
        shutil.copy(head_home / ".ray" / "auth_token", home / ".ray" / "auth_token")
    elif token:
        (home / ".ray" / "auth_token").write_text("0" * 64, encoding="ascii")
    env = clean_env(home, RAY_ADDRESS=address, **({"RAY_AUTH_MODE": mode} if mode else {}))
    done = render_cli(env, tmp_path / "build")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    message = done.stderr.splitlines()[-1]
    assert message.startswith(f"error: the Ray cluster at {address} refused this machine"), done.stderr
    for words in ("token authentication", "~/.ray/auth_token", "RAY_AUTH_MODE=token", "Rendering on a cluster"):
        assert words in message
