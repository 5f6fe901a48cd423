"""Rendering on Ray: the small screenplay rendered by a Ray instance started here decodes to the
frames the local pool makes, even when a task's worker dies on its first try (it is retried)."""

import io

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
