"""A preview (the studio's render): the joined video and the review record, and nothing the studio's
page does not show; a preview with nothing changed joins nothing; a full render into the same
folder afterwards writes every side file."""

import shutil

import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media.probe import probe
from diffusion_explainer.render.pipeline import layout_for, render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.review.record import ReviewRecord
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO

pytestmark = pytest.mark.render

EXAMPLE = REPO / "tests" / "data" / "two_scenes"
SILENT = RenderSettings.custom("256,144", 10, silent=True, jobs=2)


def test_a_preview_writes_the_video_and_the_record_only(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "example")
    screenplay = load_screenplay(tmp_path / "example" / "noise_in_two_scenes.yaml")
    root = tmp_path / "build"
    outputs = layout_for(screenplay, SILENT, root)

    first = render_video(SILENT, screenplay=screenplay, root=root, progress=Progress(quiet=True), preview=True)
    assert first.joined and probe(outputs.video).frames == 200
    assert [line.line_id for line in ReviewRecord.load(outputs.record).lines]
    side_files = outputs.all_files()[1:]
    assert side_files and not any(p.exists() for p in side_files), "no captions, stills, page or report"

    again = render_video(SILENT, screenplay=screenplay, root=root, progress=Progress(quiet=True), preview=True)
    assert not again.joined and not again.rendered

    full = render_video(SILENT, screenplay=screenplay, root=root, progress=Progress(quiet=True))
    assert full.joined and not full.rendered  # the scenes are the preview's; the side files are new
    assert all(p.exists() for p in outputs.all_files())
