"""Scene jobs forked from the studio's forkserver (render/warm_processes.py) draw exactly what new
processes draw: the two-scene example's first scene rendered both ways by the real pipeline, its
frames decoded and compared; and stopping the workers leaves no process."""

import hashlib
import io
import os

import av
import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.executors import LocalExecutor
from diffusion_explainer.render.pipeline import layout_for, render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.render.warm_processes import WarmProcesses
from diffusion_explainer.screenplay import load_screenplay

from ..conftest import SMALL_SCREENPLAY

pytestmark = pytest.mark.render


def frame_hashes(video) -> list[str]:
    with av.open(str(video)) as container:
        return [hashlib.sha1(frame.to_ndarray(format="rgb24").tobytes()).hexdigest() for frame in container.decode(video=0)]


def test_warm_jobs_draw_the_frames_new_processes_draw(tmp_path):
    screenplay = load_screenplay(SMALL_SCREENPLAY)
    settings = RenderSettings.custom("256,144", 10, silent=True, jobs=2)
    cold = render_video(settings, screenplay=screenplay, root=tmp_path / "cold", only=["s01_hello"],
                        progress=Progress(stream=io.StringIO()))
    warm = WarmProcesses()
    try:
        warm.start_server()
        layout = layout_for(screenplay, settings, tmp_path / "warm")
        hot = render_video(settings, screenplay=screenplay, root=tmp_path / "warm", only=["s01_hello"],
                           progress=Progress(stream=io.StringIO()),
                           executor=LocalExecutor(2, layout.jobs_dir, layout.compiled_dir, processes=warm))
    finally:
        warm.close()
    from multiprocessing import forkserver

    assert forkserver._forkserver._forkserver_pid is None  # stopped and waited for
    assert hot.rendered and cold.rendered
    print(f"job CPU: new processes {sum(r.cpu_s for r in cold.rendered):.2f} s, "
          f"warm {sum(r.cpu_s for r in hot.rendered):.2f} s")
    videos = [layout_for(screenplay, settings, tmp_path / kind).scene_video("s01_hello") for kind in ("cold", "warm")]
    cold_frames, warm_frames = (frame_hashes(v) for v in videos)
    assert len(cold_frames) == 80 and warm_frames == cold_frames
    # (multiprocessing's resource tracker stays, one per process, until this process exits)
    left = [pid for pid in _children(os.getpid()) if b"resource_tracker" not in _cmdline(pid)]
    assert left == [], "a worker outlived close()"


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read()
    except OSError:
        return b""
