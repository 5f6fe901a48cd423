"""The render command's refusals as a user sees them: exit code 2 and one paragraph on stderr,
and nothing written."""

import os
import subprocess
import sys

import pytest

from diffusion_explainer.render.pipeline import build_lock
from tests.conftest import REPO, SCREENPLAY


def run(tmp_path, *args, **env):
    environment = dict(os.environ, DIFFUSION_EXPLAINER_BUILD=str(tmp_path / "build"), **env)
    return subprocess.run([sys.executable, "-m", "diffusion_explainer", *args], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=300)


def one_paragraph(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_a_bad_screenplay_stops_the_render_with_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCREENPLAY.read_text(encoding="utf-8").replace("duration: 25", "duration: 26", 1), encoding="utf-8")
    result = run(tmp_path, "render", "--resolution", "256,144", "--fps", "10", "--silent",
                 DIFFUSION_EXPLAINER_SCREENPLAY=str(bad))
    assert result.returncode == 2
    message = one_paragraph(result.stderr)
    assert str(bad) in message and "duration" in message
    assert not (tmp_path / "build" / "diffusion_explainer.mp4").exists()


def test_a_second_render_into_the_same_build_is_refused_while_one_runs(tmp_path):
    with build_lock(tmp_path / "build"):
        result = run(tmp_path, "render", "--resolution", "256,144", "--fps", "10", "--silent")
    assert result.returncode == 2
    assert "another render" in one_paragraph(result.stderr)


@pytest.mark.parametrize("args", [["--resolution", "256x", "--fps", "10"], ["--resolution", "255,144", "--fps", "10"],
                                  ["--resolution", "256,144"]])
def test_a_bad_size_is_refused_before_anything_runs(tmp_path, args):
    result = run(tmp_path, "render", *args, "--silent")
    assert result.returncode != 0 and "error:" in result.stderr


def _processes_mentioning(text: str) -> list[int]:
    pids = []
    for proc in os.listdir("/proc"):
        if proc.isdigit():
            try:
                with open(f"/proc/{proc}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        pids.append(int(proc))
            except OSError:
                pass
    return pids


@pytest.mark.render
def test_an_interrupted_render_stops_its_manim_processes_and_keeps_the_previous_video(tmp_path):
    import signal
    import time

    build = tmp_path / "build"
    build.mkdir()
    previous = build / "diffusion_explainer.mp4"
    previous.write_bytes(b"the previous video")
    env = dict(os.environ, DIFFUSION_EXPLAINER_BUILD=str(build))
    render = subprocess.Popen([sys.executable, "-m", "diffusion_explainer", "render", "--resolution", "256,144",
                               "--fps", "10", "--silent", "--jobs", "2"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not _processes_mentioning(str(build / "cache" / "manim")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(str(build / "cache" / "manim")), "no manim process started"
    render.send_signal(signal.SIGTERM)
    _, stderr = render.communicate(timeout=60)
    assert render.returncode == 130, stderr
    assert "interrupted" in stderr
    time.sleep(1)
    assert _processes_mentioning(str(build / "cache" / "manim")) == []
    assert previous.read_bytes() == b"the previous video"
    assert not [p for p in build.rglob("*.mp4") if p.parent.name == "256x144p10-silent"]
    assert not list(build.glob(".*.partial*"))
