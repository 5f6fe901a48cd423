"""Outputs are written under a temporary name and renamed: an error leaves the previous file, a
scene video that is not what was planned never replaces the last good one."""

import json
import os

import pytest

from diffusion_explainer.core.errors import RenderError
from diffusion_explainer.core.files import atomic_path, sweep_partials, write_text
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.inputs import Manifest, SceneInputs
from diffusion_explainer.render.jobs import error_summary

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


def _work(tmp_path, tiny_video, chunk_frames):
    """A scene of 250 frames whose chunks have videos of `chunk_frames` frames (in the store)."""
    from diffusion_explainer.render.chunks import Chunk, ChunkStore
    from diffusion_explainer.render.scene_work import SceneWork
    from diffusion_explainer.timing.handover import FrameRange
    from diffusion_explainer.timing.video_plan import plan_video

    plan = plan_video(SETTINGS, only=["s01_title"]).scene_plan("s01_title")
    store = ChunkStore(tmp_path / "scenes" / "chunks")
    work = SceneWork(plan, SceneInputs("s01_title", {"scene file": "new"}), ("test",), [], "shared")
    start = 0
    for index, frames in enumerate(chunk_frames):
        key = f"key{index}"
        video = store.video("s01_title", key)
        video.parent.mkdir(parents=True, exist_ok=True)
        tiny_video(f"c{index}.mp4", frames).replace(video)
        work.ranges.append(FrameRange(start, start + frames))
        work.chunks[index] = Chunk(index, (start, start + frames), start, start + frames, (), key)
        start += frames
    return work, store


def test_a_scene_video_of_the_wrong_length_does_not_replace_the_last_good_one(tmp_path, tiny_video):
    from diffusion_explainer.render.scene_work import assemble

    work, store = _work(tmp_path, tiny_video, [100, 149])  # one frame short of the scene's 250
    manifest = Manifest(tmp_path / "scenes" / "manifest.json")
    good = tmp_path / "scenes" / "s01_title.mp4"
    good.write_bytes(b"the last good render")
    manifest.record("s01_title", {"inputs": "old"})
    with pytest.raises(RenderError, match="its chunks end at frame 249, not 250"):
        assemble(work, store, good, manifest, SETTINGS)
    assert good.read_bytes() == b"the last good render"
    assert json.loads((tmp_path / "scenes" / "manifest.json").read_text())["s01_title"] == {"inputs": "old"}


def test_chunks_that_do_not_tile_the_scene_are_refused(tmp_path, tiny_video):
    from diffusion_explainer.render.chunks import Chunk
    from diffusion_explainer.render.scene_work import assemble

    work, store = _work(tmp_path, tiny_video, [100, 150])
    work.chunks[1] = Chunk(1, (100, 250), 101, 250, (), "key1")  # starts a frame after its neighbour ends
    video = tmp_path / "scenes" / "s01_title.mp4"
    with pytest.raises(RenderError, match="chunk 1 starts at frame 101, but the chunks before it end at 100"):
        assemble(work, store, video, Manifest(tmp_path / "scenes" / "manifest.json"), SETTINGS)
    assert not video.exists()


def test_right_chunks_make_the_scene_video_and_are_recorded(tmp_path, tiny_video):
    from diffusion_explainer.render.scene_work import assemble

    work, store = _work(tmp_path, tiny_video, [100, 150])
    manifest = Manifest(tmp_path / "scenes" / "manifest.json")
    video = tmp_path / "scenes" / "s01_title.mp4"
    assemble(work, store, video, manifest, SETTINGS)
    entry = Manifest(tmp_path / "scenes" / "manifest.json").get("s01_title")
    assert entry["frames"] == 250 and entry["bytes"] == os.path.getsize(video) and entry["chunks"] == 2
    assert entry["inputs"] == SceneInputs("s01_title", {"scene file": "new"}).digest
    assert sorted(store.recorded("s01_title")) == [0, 1] and store.reference("s01_title")["fps"] == 10


def test_the_error_of_a_failed_manim_run_is_found_in_its_log():
    log = """Manim Community v0.22.0
╭──────────────── Traceback (most recent call last) ────────────────╮
│ /work/main/src/diffusion_explainer/explainer_scene.py:81 in setup  │
╰────────────────────────────────────────────────────────────────────╯
RenderError: scenes/s01_title.py has no method for the cue(s) title_card
"""
    assert error_summary(log) == "RenderError: scenes/s01_title.py has no method for the cue(s) title_card"
    assert error_summary("just one line") == "just one line"
