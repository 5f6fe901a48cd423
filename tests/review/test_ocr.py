"""The burned-in subtitles read back: one real scene rendered by the real pipeline at 1280x720 (the
subtitle band of the tiny test render is too small to read), its band cut at the middle of every
page and read by Tesseract's Japanese model, compared with the page's text."""

from dataclasses import replace

import pytest

from diffusion_explainer.render.inputs import Manifest
from diffusion_explainer.render.pipeline import Outputs, scene_jobs
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.render.scene_render import SceneRenderer
from diffusion_explainer.render.settings import RenderSettings
from diffusion_explainer.render.video_plan import VideoPlan, plan_video
from diffusion_explainer.review import ocr
from diffusion_explainer.review.record import record_of

pytestmark = pytest.mark.render

# 2 fps keeps the render short: OCR needs the frame size, not the motion.
SETTINGS = RenderSettings.custom("1280,720", 2, silent=True, jobs=1)
SCENE = "s02_generation"  # eight subtitle pages, two speakers, full-width and half-width punctuation


@pytest.fixture(scope="module")
def scene_read_back(tmp_path_factory):
    ocr.check_tesseract()  # (fails with what to install; `make test` installs it)
    outputs = Outputs(tmp_path_factory.mktemp("ocr_build"), SETTINGS)
    plan = plan_video(SETTINGS)
    manifest = Manifest(outputs.scenes_dir / "manifest.json")
    renderer = SceneRenderer(SETTINGS, outputs.scenes_dir, outputs.manim_dir, manifest, Progress(quiet=True))
    renderer.render(next(j for j in scene_jobs(plan, manifest, renderer, force=True) if j.scene_id == SCENE))
    # The scene alone, as if it were the whole video: its pages moved to the scene video's own frames.
    alone = record_of(VideoPlan(plan.screenplay, SETTINGS, (plan.scene_plan(SCENE),)), {})
    start = plan.start_frame(SCENE)
    record = replace(alone, lines=tuple(
        replace(line, pages=tuple(replace(p, start_frame=p.start_frame - start, end_frame=p.end_frame - start)
                                  for p in line.pages)) for line in alone.lines))
    readings, bands = ocr.read_subtitles(renderer.video_path(SCENE), record)
    return record, readings, bands


def test_every_page_reads_back_as_its_text(scene_read_back):
    record, readings, _ = scene_read_back
    assert len(readings) == len(record.pages) == 8
    for r in readings:
        assert r.similarity >= 0.8, f"{r.line_id} page {r.page}: expected {r.expected!r}, read {r.read!r}"
    assert sum(r.similarity for r in readings) / len(readings) >= 0.9


def test_a_page_compared_with_another_pages_text_does_not_pass(scene_read_back):
    record, readings, _ = scene_read_back
    expected = [r.expected for r in readings]
    for r, wrong in zip(readings, expected[1:] + expected[:1]):
        assert ocr.similarity(wrong, r.read) < 0.5, f"{r.line_id} page {r.page} matches the next page's text"


def test_the_band_is_cut_where_the_subtitles_are(scene_read_back):
    record, readings, bands = scene_read_back
    left, top, right, bottom = ocr.band_box(record)
    assert (left, right, bottom) == (0, 1280, 720) and 140 < bottom - top < 200
    band = bands[readings[0].frame]
    assert band.size == (1280, bottom - top)
