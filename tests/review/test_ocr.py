"""The burned-in subtitles read back: one real scene rendered by the real pipeline at 1280x720 (the
subtitle band of the tiny test render is too small to read), measured as `verify` measures a
render: its band cut at the middle of every page, read by Tesseract's Japanese model and compared
with the page's text; the worst pages kept as pictures for the page."""

from dataclasses import replace

import pytest
from PIL import Image

from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.pipeline import render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.review import ocr
from diffusion_explainer.review.record import record_of
from diffusion_explainer.review.report import WORST_PAGES_SHOWN, measure
from diffusion_explainer.timing.video_plan import VideoPlan, plan_video

pytestmark = pytest.mark.render

# 2 fps keeps the render short: OCR needs the frame size, not the motion.
SETTINGS = RenderSettings.custom("1280,720", 2, silent=True, jobs=1)
SCENE = "s02_generation"  # eight subtitle pages, two speakers, full-width and half-width punctuation


@pytest.fixture(scope="module")
def scene_build(tmp_path_factory):
    """One scene's video and the record of its pages, as if the scene were the whole video."""
    ocr.check_tesseract()  # (fails saying what to install; `make test` installs it)
    outputs = BuildLayout(tmp_path_factory.mktemp("ocr_build"), SETTINGS)
    render_video(SETTINGS, root=outputs.root, only=[SCENE], progress=Progress(quiet=True))  # the scene alone, no join
    plan = plan_video(SETTINGS)
    video = outputs.scene_video(SCENE)
    alone = record_of(VideoPlan(plan.screenplay, SETTINGS, (plan.scene_plan(SCENE),)),
                      {"video": str(video)})  # (a path the output folder joins as it is)
    start = plan.start_frame(SCENE)  # the scene's pages on its own video's frames
    record = replace(alone, duration_s=plan.scene_plan(SCENE).scene.duration_s, lines=tuple(
        replace(line, pages=tuple(replace(p, start_frame=p.start_frame - start, end_frame=p.end_frame - start)
                                  for p in line.pages)) for line in alone.lines))
    return record, outputs, measure(record, outputs, ocr=True)


def test_every_page_reads_back_as_its_text(scene_build):
    record, _, report = scene_build
    read_back = report["subtitles_read_back"]
    assert read_back["pages"] == len(record.pages) == 8
    for r in read_back["readings"]:
        assert r["similarity"] >= 0.8, f"{r['line_id']} page {r['page']}: expected {r['expected']!r}, read {r['read']!r}"
    assert read_back["mean_similarity"] >= 0.9
    assert read_back["pages_below"]["count"] == 0


def test_a_page_compared_with_another_pages_text_does_not_pass(scene_build):
    readings = scene_build[2]["subtitles_read_back"]["readings"]
    expected = [r["expected"] for r in readings]
    for r, wrong in zip(readings, expected[1:] + expected[:1]):
        assert ocr.similarity(wrong, r["read"]) < 0.5, f"{r['line_id']} page {r['page']} matches the next page's text"


def test_the_worst_pages_are_kept_as_pictures_of_the_subtitle_band(scene_build):
    record, build, report = scene_build
    worst = report["subtitles_read_back"]["worst"]
    assert len(worst) == WORST_PAGES_SHOWN
    assert [w["similarity"] for w in worst] == sorted(w["similarity"] for w in worst)
    left, top, right, bottom = ocr.band_box(record)
    assert (left, right, bottom) == (0, 1280, 720) and 140 < bottom - top < 200
    for w in worst:
        with Image.open(build.output / w["image"]) as band:
            assert band.size == (1280, bottom - top)
    assert (build.output / report["plots"]["ocr_similarity"]).exists()
