"""A render into a small, full file system (a tmpfs mounted for the test: root only) stops with a
message that says the disk is full, where, and what is safe to delete, exits non-zero without a
traceback, and leaves the previous video as it was: refused at its first line when the estimate
does not fit, and said so when the disk fills up while Manim writes."""

import contextlib
import os
import subprocess
import sys
import uuid

import pytest

from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.errors import RenderError
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render import pipeline
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO

pytestmark = pytest.mark.render

SMALL = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"
SILENT = RenderSettings.custom("256,144", 10, silent=True, jobs=os.cpu_count() or 1)
TMPFS_MB = 40  # the tiny render needs about 2 MB; the estimate asks for 21 (its 20 MB margin)


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_MB}m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk, leave_bytes: int) -> None:
    """Fill the file system but for about `leave_bytes`."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(disk / f"filler-{uuid.uuid4().hex}", "wb") as f, contextlib.suppress(OSError):
        f.write(bytes(max(0, free - leave_bytes)))


def screenplays(folder):
    text = SMALL.read_text(encoding="utf-8").replace("scene_dir: scenes", f"scene_dir: {SMALL.parent / 'scenes'}")
    for name, body in (("clean", text), ("edited", text.replace("なるほど！", "なるほど、そうか！"))):
        (folder / name).mkdir()
        (folder / name / SMALL.name).write_text(body, encoding="utf-8")
    return folder / "clean" / SMALL.name, folder / "edited" / SMALL.name


def cli_render(screenplay, build):
    env = dict(os.environ, DIFFUSION_EXPLAINER_BUILD=str(build))
    return subprocess.run([sys.executable, "-m", "diffusion_explainer", "render", "--screenplay", str(screenplay),
                           "--resolution", "256,144", "--fps", "10", "--silent"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=600)


def test_a_render_that_cannot_fit_is_refused_at_its_first_line(tmp_path, small_disk):
    clean, edited = screenplays(tmp_path)
    done = cli_render(clean, small_disk)
    assert done.returncode == 0, done.stderr
    video = BuildLayout(small_disk / SMALL.stem, SILENT, SMALL.stem).video
    before = video.read_bytes()
    fill(small_disk, 4_000_000)
    done = cli_render(edited, small_disk)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith(f"error: the disk is full: not enough space left on the file system of {small_disk}")
    assert "MB free, and this render needs about" in message and "safe to delete" in message
    assert "cache/ holds" in message and "The previous video, if any, is kept." in message
    assert video.read_bytes() == before
    assert "render  s02_noise" not in done.stdout, "refused before anything rendered"


def test_a_disk_that_fills_up_during_the_render_is_said_so(tmp_path, small_disk, monkeypatch):
    clean, edited = screenplays(tmp_path)
    root = small_disk / "build"
    pipeline.render_video(SILENT, screenplay=load_screenplay(clean), root=root, progress=Progress(quiet=True))
    video = BuildLayout(root, SILENT, SMALL.stem).video
    before = video.read_bytes()
    monkeypatch.setattr(pipeline, "check_space", lambda *args: None)  # as if the estimate had been too low
    fill(small_disk, 0)
    with pytest.raises(RenderError) as refused:
        pipeline.render_video(SILENT, screenplay=load_screenplay(edited), root=root, progress=Progress(quiet=True))
    message = str(refused.value)
    assert message.startswith(f"the disk is full: not enough space left on the file system of {small_disk}"), message
    assert "safe to delete" in message
    assert video.read_bytes() == before
