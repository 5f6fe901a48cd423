"""A scene rendered in chunks gives the frames of a scene rendered whole, and an edit late in a
scene renders only the chunks from that line on.

Frames are compared as Manim hands them to the encoder (a hash of each frame's pixels, logged by
the launcher), so the comparison is exact and independent of how the encoder cuts its groups of
pictures."""

import os

import pytest

from diffusion_explainer.render.pipeline import Outputs, render_video
from diffusion_explainer.render.probe import probe
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.render.settings import RenderSettings
from diffusion_explainer.runtime import FRAME_LOG_ENV
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import SCREENPLAY

pytestmark = pytest.mark.render


def frame_hashes(tmp_path, name, settings, scene_id, chunks_per_job):
    """The hashes of the frames handed to the encoder, in the scene's order (each job logs its own
    file, named by the first frame it draws)."""
    log = tmp_path / f"{name}.log"
    report = render_video(settings, root=tmp_path / name, force=True, progress=Progress(quiet=True),
                          only=[scene_id], job_environment={FRAME_LOG_ENV: str(log)}, chunks_per_job=chunks_per_job)
    files = sorted(tmp_path.glob(f"{name}.log.*"))
    assert len(files) == len(report.rendered)
    return [h for f in files for h in f.read_text(encoding="ascii").split()], report


@pytest.mark.parametrize("scene_id, fps", [("s03_forward", 10), ("s08_summary", 15)])
def test_chunked_frames_are_the_frames_of_the_whole_scene(tmp_path, scene_id, fps):
    settings = RenderSettings.custom("256,144", fps, silent=True, jobs=os.cpu_count() or 1)
    whole, one = frame_hashes(tmp_path, "whole", settings, scene_id, chunks_per_job=1000)
    chunked, many = frame_hashes(tmp_path, "chunked", settings, scene_id, chunks_per_job=3)
    assert len(one.rendered) == 1 and len(many.rendered) >= 3, [r.name for r in many.rendered]
    total = load_screenplay(SCREENPLAY).scene(scene_id).duration_s * fps
    assert len(whole) == total
    assert chunked == whole, "a chunked render drew other pixels than the whole scene"
    video = Outputs(tmp_path / "chunked", settings).scene_video(scene_id)
    assert probe(video).frames == total
