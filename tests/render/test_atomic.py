"""Outputs are written under a temporary name and renamed: an error leaves the previous file, a
scene video that is not what was planned never replaces the last good one."""

import json
import os

import pytest

from diffusion_explainer.errors import RenderError
from diffusion_explainer.render.atomic import atomic_path, sweep_partials, write_text
from diffusion_explainer.render.inputs import Manifest, SceneInputs
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.render.scene_render import SceneJob, SceneRenderer, SceneRun, error_summary
from diffusion_explainer.render.settings import RenderSettings

SETTINGS = RenderSettings.custom("256,144", 10, silent=True)


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    final = tmp_path / "captions.srt"
    final.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(final) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("interrupted")
    assert final.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["captions.srt"]


def test_a_complete_write_replaces_the_file(tmp_path):
    final = tmp_path / "chapters.txt"
    final.write_text("old", encoding="utf-8")
    write_text(final, "0:00 タイトル\n")
    assert final.read_text(encoding="utf-8") == "0:00 タイトル\n"


def test_leftovers_of_an_interrupted_run_are_swept(tmp_path):
    (tmp_path / ".diffusion_explainer.123.partial.mp4").write_bytes(b"x")
    (tmp_path / "diffusion_explainer.mp4").write_bytes(b"keep")
    removed = sweep_partials(tmp_path)
    assert [p.name for p in removed] == [".diffusion_explainer.123.partial.mp4"]
    assert [p.name for p in tmp_path.iterdir()] == ["diffusion_explainer.mp4"]


def test_the_manifest_survives_a_reload(tmp_path):
    manifest = Manifest(tmp_path / "manifest.json")
    manifest.record("s01_title", {"inputs": "abc"})
    assert Manifest(tmp_path / "manifest.json").get("s01_title") == {"inputs": "abc"}
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert Manifest(tmp_path / "broken.json").entries == {}  # unreadable: every scene is stale, nothing crashes


def _renderer(tmp_path):
    manifest = Manifest(tmp_path / "scenes" / "manifest.json")
    return SceneRenderer(SETTINGS, tmp_path / "scenes", tmp_path / "manim", manifest, Progress(quiet=True)), manifest


def _job(frames):
    return SceneJob("s01_title", None, frames, frames // 10, SceneInputs("s01_title", {"scene file": "new"}), ("test",))


def _manim_output(tmp_path, tiny_video, frames):
    """Where Manim leaves a scene's video: <media>/videos/<module>/<quality>/<name>.mp4."""
    folder = tmp_path / "manim" / "s01_title" / "videos" / "s01_title" / "144p10"
    folder.mkdir(parents=True)
    return tiny_video("s01_title.mp4", frames).replace(folder / "s01_title.mp4"), folder.parents[1]


def test_a_scene_video_of_the_wrong_length_does_not_replace_the_last_good_one(tmp_path, tiny_video):
    renderer, manifest = _renderer(tmp_path)
    good = renderer.video_path("s01_title")
    good.parent.mkdir(parents=True)
    good.write_bytes(b"the last good render")
    manifest.record("s01_title", {"inputs": "old"})
    _, videos_dir = _manim_output(tmp_path, tiny_video, 249)
    with pytest.raises(RenderError, match="249 video frames instead of 250"):
        renderer._keep(_job(250), videos_dir, SceneRun("s01_title", 25, 1.0, 1.0, 100.0))
    assert good.read_bytes() == b"the last good render"
    assert json.loads((tmp_path / "scenes" / "manifest.json").read_text())["s01_title"] == {"inputs": "old"}


def test_a_right_scene_video_replaces_the_old_one_and_is_recorded(tmp_path, tiny_video):
    renderer, manifest = _renderer(tmp_path)
    _, videos_dir = _manim_output(tmp_path, tiny_video, 250)
    renderer._keep(_job(250), videos_dir, SceneRun("s01_title", 25, 1.0, 1.0, 100.0))
    entry = Manifest(tmp_path / "scenes" / "manifest.json").get("s01_title")
    assert entry["frames"] == 250 and entry["bytes"] == os.path.getsize(renderer.video_path("s01_title"))
    assert entry["inputs"] == SceneInputs("s01_title", {"scene file": "new"}).digest


def test_the_error_of_a_failed_manim_run_is_found_in_its_log():
    log = """Manim Community v0.22.0
╭──────────────── Traceback (most recent call last) ────────────────╮
│ /work/main/src/diffusion_explainer/explainer_scene.py:81 in setup  │
╰────────────────────────────────────────────────────────────────────╯
RenderError: scenes/s01_title.py has no method for the cue(s) title_card
"""
    assert error_summary(log) == "RenderError: scenes/s01_title.py has no method for the cue(s) title_card"
    assert error_summary("just one line") == "just one line"
