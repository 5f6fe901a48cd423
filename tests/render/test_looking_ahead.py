"""A render starts early only what its drawing needs: the speech model, the warm processes and the
mix's ground are made ahead when a line is to be spoken or code was saved since the last render
drew; an edit undone (nothing to speak or draw) leaves the cores to its planning, and whatever is
needed after all is made when it is asked for."""

import io
import os
import shutil

import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.executors import LocalExecutor
from diffusion_explainer.render.pipeline import code_saved_since, layout_for, render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.render.warm_processes import WarmProcesses
from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.sound import soundtrack as module
from diffusion_explainer.sound.soundtrack import mix_ground
from diffusion_explainer.timing.video_plan import speech_to_make
from tests.sound.test_soundtrack import FPS, two_scenes  # noqa: F401 (a fixture)

from ..conftest import SMALL_SCREENPLAY

pytestmark = pytest.mark.render


def test_a_warm_server_not_needed_ahead_starts_with_the_first_job(tmp_path):
    screenplay = load_screenplay(SMALL_SCREENPLAY)
    settings = RenderSettings.custom("256,144", 10, silent=True, jobs=1)
    asked = []
    with WarmProcesses.started_early(lambda: asked.append(1) or False) as warm:
        layout = layout_for(screenplay, settings, tmp_path)
        report = render_video(settings, screenplay=screenplay, root=tmp_path, only=["s01_hello"],
                              progress=Progress(stream=io.StringIO()),
                              executor=LocalExecutor(1, layout.jobs_dir, layout.compiled_dir, processes=warm))
        assert report.rendered and layout.scene_video("s01_hello").is_file()
    assert asked == [1]
    from multiprocessing import forkserver

    assert forkserver._forkserver._forkserver_pid is None  # started by the job, stopped on leaving


def test_a_ground_not_needed_ahead_is_made_when_a_mix_takes_it(two_scenes, tmp_path):  # noqa: F811
    made = []

    def make():
        made.append(1)
        return mix_ground(two_scenes, FPS, tmp_path / "cache", music=True)

    memory = module.MixMemory()
    memory.prime(make, when=lambda: False)
    assert made == []  # (never ahead: the question said no)
    ground = memory.take()
    assert made == [1] and ground is not None and ground.sources == tuple(p.audio for p in two_scenes)
    assert memory.take() is None  # taken: made once

    memory = module.MixMemory()
    memory.prime(make, when=lambda: True)
    assert memory.take() is not None and made == [1, 1]


def test_a_line_to_speak_and_code_saved_are_seen_ahead(small_narrated_render, tmp_path):
    outputs, _, _ = small_narrated_render
    screenplay = load_screenplay(SMALL_SCREENPLAY)
    assert not speech_to_make(screenplay)  # every line spoken by the session's render
    copy = tmp_path / "two_scenes"
    shutil.copytree(SMALL_SCREENPLAY.parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / SMALL_SCREENPLAY.name
    text = path.read_text(encoding="utf-8")
    assert "今日はノイズの話をしよう。" in text
    path.write_text(text.replace("今日はノイズの話をしよう。", "今日はノイズの話をしようか。", 1), encoding="utf-8")
    assert speech_to_make(load_screenplay(path))

    record = tmp_path / "manifest.json"
    record.write_text("{}", encoding="utf-8")
    scene = copy / "scenes" / "s02_noise.py"
    stamp = record.stat().st_mtime_ns
    os.utime(scene, ns=(stamp - 10**9, stamp - 10**9))  # saved before the last render drew
    for other in (copy / "scenes").glob("*.py"):
        os.utime(other, ns=(stamp - 10**9, stamp - 10**9))
    assert not code_saved_since(record, [copy / "scenes"])
    os.utime(scene, ns=(stamp + 10**9, stamp + 10**9))  # saved after it
    assert code_saved_since(record, [copy / "scenes"])
    assert code_saved_since(tmp_path / "never-rendered.json", [copy / "scenes"])
