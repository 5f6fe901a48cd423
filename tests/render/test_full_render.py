"""The whole video at a tiny size (256x144, 10 fps, silent), rendered by the real pipeline into a
temporary build directory and read back with PyAV: exact frames per scene, the joined file's
numbers, each scene on its frame, the side files; then the incremental paths: nothing changed
renders nothing, one edited line renders one scene, a failing scene keeps the last good video."""

import os
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
import srt
from PIL import Image

from diffusion_explainer.core.errors import RenderError
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media.probe import probe, video_problems
from diffusion_explainer.render.inputs import Manifest
from diffusion_explainer.render.pipeline import render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.timing.video_plan import plan_video
from tests.conftest import REPO, SCREENPLAY

pytestmark = [pytest.mark.render, pytest.mark.full_video]

SETTINGS = RenderSettings.custom("256,144", 10, silent=True, jobs=os.cpu_count() or 1)


@pytest.fixture(scope="module")
def build(tiny_render):
    assert tiny_render[0].settings == SETTINGS
    return tiny_render


@pytest.fixture(scope="module")
def plan():
    return plan_video(SETTINGS)


def first_and_last_frames(path):
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return frames


def test_every_scene_is_exactly_its_duration_in_frames(build, plan):
    outputs, report, log = build
    assert report.rendered_scenes == sorted(p.scene.id for p in plan.scenes)
    for scene_plan in plan.scenes:
        facts = probe(outputs.scenes_dir / f"{scene_plan.scene.id}.mp4")
        assert facts.frames == scene_plan.scene.duration_s * 10, scene_plan.scene.id
        assert f"done    {scene_plan.scene.id}" in log


def test_the_joined_video_meets_the_delivery_spec(build):
    outputs, _, _ = build
    facts = probe(outputs.video)
    assert video_problems(facts, 256, 144, 10, 600) == []
    assert facts.frames == 6000 and facts.video_duration_s == 600.0
    assert (facts.codec, facts.profile, facts.pix_fmt) == ("h264", "High", "yuv420p")
    assert (facts.audio_codec, facts.audio_profile, facts.audio_rate, facts.audio_channels) == ("aac", "LC", 48000, 2)
    assert abs(facts.audio_duration_s - 600) <= 1024 / 48000
    assert facts.video_start_s == 0 and facts.audio_start_s == 0
    assert facts.top_level_boxes.index("moov") < facts.top_level_boxes.index("mdat")


def test_every_scene_starts_on_its_frame_from_the_scene_table(build, plan):
    outputs, _, _ = build
    joined = first_and_last_frames(outputs.video)
    assert len(joined) == 6000
    for scene_plan in plan.scenes:
        own = first_and_last_frames(outputs.scenes_dir / f"{scene_plan.scene.id}.mp4")
        start = scene_plan.scene.start_s * 10
        assert np.array_equal(joined[start], own[0]), f"{scene_plan.scene.id} does not start on frame {start}"
        assert np.array_equal(joined[start + len(own) - 1], own[-1]), f"{scene_plan.scene.id} does not end in place"


def test_the_video_ends_holding_its_last_picture_for_two_seconds(build, plan):
    # the finale: the finished picture under the title stays still for the last 2 s at least (the
    # encoder still refines a still picture for a few frames: up to 0.6 of 255 measured here; the
    # title fading in or the picture still forming differ by several units)
    outputs, _, _ = build
    last_scene = plan.scenes[-1].scene.id
    frames = first_and_last_frames(outputs.scenes_dir / f"{last_scene}.mp4")
    held = [np.abs(f.astype(int) - frames[-1].astype(int)).mean() for f in frames[-2 * 10:]]
    assert max(held) < 1.5, f"the last 2 s of {last_scene} still change: {held}"
    before = np.abs(frames[-4 * 10].astype(int) - frames[-1].astype(int)).mean()
    assert before > 2, "nothing happens before the hold (the picture should form first)"


def test_side_files_are_written_from_the_timeline(build, plan):
    outputs, _, _ = build
    subs = list(srt.parse(outputs.srt.read_text(encoding="utf-8")))
    assert len(subs) == sum(len(t.pages) for p in plan.scenes for t in p.timeline.lines)
    assert outputs.vtt.read_text(encoding="utf-8").startswith("WEBVTT")
    assert outputs.chapters.read_text(encoding="utf-8").splitlines()[0] == "0:00 タイトル"
    with Image.open(outputs.thumbnail) as thumbnail:
        assert thumbnail.size == (1280, 720)
        assert np.asarray(thumbnail.convert("L")).std() > 3, "the thumbnail is a blank picture"
    with Image.open(outputs.contact_sheet) as sheet:
        cues = sum(len(p.timeline.cues) for p in plan.scenes)
        assert sheet.size[0] > 1000 and sheet.size[1] > 216 * (cues // 5)


def test_the_summary_marks_a_reveal_per_card_and_the_finale_for_the_soundtrack(build, plan):
    """Scene 08 calls sound_effect as each numbered card appears (when the voice reaches its
    number) and as the finale starts; the render keeps those frames with the scene's video."""
    from diffusion_explainer.timing.sync import line_sync

    outputs, _, _ = build
    sounds = Manifest(outputs.scenes_dir / "manifest.json").get("s08_summary")["sounds"]
    timeline = plan.scene_plan("s08_summary").timeline
    points = line_sync(timeline, "five_points", Path("scenes/s08_summary.py"))
    said = [points.at(f"{n}. {name}") for n, name in enumerate(("前方過程", "学習", "逆過程", "テキスト条件付け", "潜在空間"), 1)]
    assert [frame for frame, name in sounds if name == "reveal"] == said, sounds
    assert [frame for frame, name in sounds if name == "finale"] == [timeline.cue("noise_to_image_finale").span.start]


def test_a_second_render_with_nothing_changed_renders_nothing(build):
    outputs, _, _ = build
    before = outputs.video.stat().st_mtime_ns
    again = render_video(SETTINGS, root=outputs.root, progress=Progress(quiet=True))
    assert again.reasons == {} and not again.joined  # (in a checkout being edited, the reasons say what moved)
    assert again.rendered == []
    assert outputs.video.stat().st_mtime_ns == before


def test_editing_one_line_renders_that_scene_only(build, tmp_path, monkeypatch):
    outputs, _, _ = build
    path = Path(load_screenplay().path)
    text = path.read_text(encoding="utf-8")
    line = "text: ありがとう！ これでイメージ掴めた気がする。"
    assert line in text
    edited = tmp_path / path.name  # an edited copy is still the same video: same name
    edited.write_text(text.replace(line, "text: ありがとう！ イメージが掴めた気がする。"), encoding="utf-8")
    monkeypatch.setenv("DIFFUSION_EXPLAINER_SCREENPLAY", str(edited))
    report = render_video(SETTINGS, root=outputs.root, progress=Progress(quiet=True))
    assert list(report.reasons) == ["s08_summary"], report.reasons
    assert report.rendered_scenes == ["s08_summary"] and report.joined
    assert video_problems(probe(outputs.video), 256, 144, 10, 600) == []
    assert "イメージが掴めた" in outputs.srt.read_text(encoding="utf-8")


def test_a_failing_scene_raises_its_error_and_keeps_the_last_good_video(build, tmp_path):
    outputs, _, _ = build
    scenes = tmp_path / "scenes"
    shutil.copytree(REPO / "scenes", scenes)
    source = (scenes / "s01_title.py").read_text(encoding="utf-8")
    broken = source.replace('    def title_card(self):\n', '    def title_card(self):\n        raise RuntimeError("a bug in title_card")\n', 1)
    assert broken != source
    (scenes / "s01_title.py").write_text(broken, encoding="utf-8")
    screenplay = tmp_path / "diffusion_explainer.yaml"  # the same video, with its scene files elsewhere
    screenplay.write_text(SCREENPLAY.read_text(encoding="utf-8").replace('duration: "10:00"\n',
                          f'duration: "10:00"\nscene_dir: {scenes}\n', 1), encoding="utf-8")
    video = outputs.scenes_dir / "s01_title.mp4"
    before = video.read_bytes()
    with pytest.raises(RenderError, match=r"s01_title\[.*\] failed .*a bug in title_card"):
        render_video(SETTINGS, screenplay=load_screenplay(screenplay), root=outputs.root,
                     progress=Progress(quiet=True), only=["s01_title"])
    assert video.read_bytes() == before
