"""A damaged cache never breaks a render: every kind of cached file a render reuses (chunk videos,
saved states, scene videos, narration tracks, trained models, a Ray node's copy of the models) is
damaged on purpose (cut short, zeroed, deleted) in a real tiny render, and the next render exits
normally, says in one line what it made again, and gives the frames of a clean render."""

import logging
import os
import shutil

import av
import numpy as np
import pytest

from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.chunks import ChunkStore
from diffusion_explainer.render.pipeline import render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO

pytestmark = pytest.mark.render

SMALL = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"
SILENT = RenderSettings.custom("256,144", 10, silent=True, jobs=os.cpu_count() or 1)
NARRATED = RenderSettings.custom("256,144", 10, silent=False, jobs=os.cpu_count() or 1)
LAST_LINE, EDITED_LINE = "なるほど！", "なるほど、そうか！"  # s02_noise's last line, after its synced line


def frames(video) -> list[np.ndarray]:
    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def damage(path, how: str) -> None:
    if how == "truncate":
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2)
    elif how == "zero":
        path.write_bytes(bytes(path.stat().st_size))
    else:
        path.unlink()


def healed_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "diffusion_explainer.cache"]


@pytest.fixture(scope="module")
def screenplays(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenplays")
    text = SMALL.read_text(encoding="utf-8").replace("scene_dir: scenes", f"scene_dir: {SMALL.parent / 'scenes'}")
    assert LAST_LINE in text
    (folder / "clean").mkdir()
    (folder / "edited").mkdir()
    (folder / "clean" / SMALL.name).write_text(text, encoding="utf-8")
    (folder / "edited" / SMALL.name).write_text(text.replace(LAST_LINE, EDITED_LINE), encoding="utf-8")
    return load_screenplay(folder / "clean" / SMALL.name), load_screenplay(folder / "edited" / SMALL.name)


@pytest.fixture(scope="module")
def clean_render(tmp_path_factory, screenplays):
    root = tmp_path_factory.mktemp("clean")
    render_video(SILENT, screenplay=screenplays[0], root=root, progress=Progress(quiet=True))
    outputs = BuildLayout(root, SILENT, SMALL.stem)
    return outputs, frames(outputs.video)


def render(screenplay, root, caplog, settings=SILENT):
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="diffusion_explainer.cache"):
        return render_video(settings, screenplay=screenplay, root=root, progress=Progress(quiet=True))


def test_damaged_chunks_states_and_scene_videos_are_made_again(tmp_path, screenplays, clean_render, caplog):
    clean, edited = screenplays
    reference, clean_frames = clean_render
    shutil.copytree(reference.root, tmp_path / "build", symlinks=True)
    outputs = BuildLayout(tmp_path / "build", SILENT, SMALL.stem)
    store = ChunkStore(outputs.chunks_dir)
    hello, noise = store.recorded("s01_hello"), store.recorded("s02_noise")
    states = store.saved_states("s02_noise")
    assert len(hello) >= 2 and len(noise) == 3 and states

    # s01: its scene video zeroed and a chunk video deleted: joined again from its chunks, that one redrawn
    damage(outputs.scene_video("s01_hello"), "zero")
    damage(store.video("s01_hello", hello[1].key), "delete")
    # s02: its scene video is intact (reused whole); a chunk cut short, another zeroed, its saved state cut
    # short: found when an edit of its last line needs them, and when the edit is undone
    damage(store.video("s02_noise", noise[0].key), "truncate")
    damage(store.video("s02_noise", noise[2].key), "zero")
    damage(store.state("s02_noise", next(iter(states.values())).key), "truncate")

    report = render(edited, outputs.root, caplog)
    lines = healed_lines(caplog)
    assert report.joined and report.chunks["s01_hello"] == {1: "its video is missing or damaged"}
    report = render(clean, outputs.root, caplog)  # the edit undone
    lines += healed_lines(caplog)
    # (the clean render's video and side files are put back: its scene videos were healed to the same bytes)
    # one line per damaged entry, when a render needs it, and nothing else
    assert len(lines) == 5, lines
    assert lines[0].startswith("cache: scene video ") and lines[0].endswith(
        "s01_hello.mp4 was damaged (checksum differs); joined again from its chunks")
    for expected in (f"s01_hello chunk video {hello[1].key} was damaged (video.mp4 missing)",
                     f"s02_noise chunk video {noise[0].key} was damaged (video.mp4: size ",
                     f"s02_noise chunk video {noise[2].key} was damaged (video.mp4: checksum differs)",
                     f"s02_noise saved state {next(iter(states.values())).key} was damaged (state.pkl: size "):
        assert sum(expected in line for line in lines) == 1, (expected, lines)
    assert report.restored and not report.joined and "s01_hello" in report.reused
    after = frames(outputs.video)
    assert len(after) == len(clean_frames) == 200
    assert all(np.array_equal(a, b) for a, b in zip(after, clean_frames)), "the healed video differs from a clean one"

    # both versions of s02's chunks are now kept: redoing and undoing the edit draws nothing
    for screenplay in (edited, clean):
        report = render(screenplay, outputs.root, caplog)
        assert report.rendered == [] and report.chunks["s02_noise"] == {} and healed_lines(caplog) == []
    assert all(np.array_equal(a, b) for a, b in zip(frames(outputs.video), clean_frames))


def test_a_damaged_narration_track_is_mixed_again(small_narrated_render, caplog):
    from diffusion_explainer.timing.video_plan import plan_video

    outputs, _, _ = small_narrated_render
    screenplay = load_screenplay(SMALL)
    track = plan_video(NARRATED, screenplay).scene_plan("s01_hello").audio
    before = outputs.video.read_bytes()
    damage(track, "truncate")
    report = render(screenplay, outputs.root, caplog, NARRATED)
    lines = healed_lines(caplog)
    assert len(lines) == 1 and lines[0].startswith(f"cache: tracks/{track.parent.name} was damaged (track.wav: size")
    assert report.rendered == [] and track.is_file()
    assert outputs.video.read_bytes() == before, "the same track mixed again: the video is up to date"


def test_a_damaged_trained_model_is_found_before_any_scene_and_keeps_the_scenes_keys(tmp_path, monkeypatch, caplog):
    from diffusion_explainer.core import runtime
    from diffusion_explainer.engine import models
    from diffusion_explainer.render.inputs import engine_artefacts_digest

    cached = [path for path in models.artefact_dirs() if path.is_dir()]
    if len(cached) != 2:
        pytest.skip("the trained models are not in the cache (a render or `train` makes them)")
    for path in cached:
        shutil.copytree(path, tmp_path / "engine" / path.name)
    monkeypatch.setenv(runtime.CACHE_ENV, str(tmp_path))
    digest = engine_artefacts_digest()
    assert models.all_trained()
    pixel = models.artefact_dirs()[0]
    damage(pixel / "weights.npz", "truncate")
    assert engine_artefacts_digest() == digest, "a damaged file does not move the scenes' keys"
    with caplog.at_level(logging.WARNING, logger="diffusion_explainer.cache"):
        assert not models.all_trained()  # what the render asks before any scene starts: then it trains
    lines = healed_lines(caplog)
    assert len(lines) == 1 and lines[0].startswith(f"cache: engine/{pixel.name} was damaged (weights.npz: size ")
    assert not pixel.exists()


@pytest.mark.parametrize("how", ["truncate", "zero", "delete"])
def test_a_ray_node_unpacks_its_models_again_when_its_copy_is_damaged(tmp_path, how):
    from diffusion_explainer.core.store import Store
    from diffusion_explainer.render.executors import _bundle, _unbundle

    store = Store(tmp_path / "engine")
    with store.making() as work:
        (work / "weights.bin").write_bytes(os.urandom(5000))
        folder = store.put_files("toy-0123", work)
    bundle = _bundle([folder])
    bundle["digest"] += how  # a node's own copy for this test
    root = _unbundle(bundle)
    try:
        damage(root / "engine" / "toy-0123" / "weights.bin", how)
        assert _unbundle(bundle) == root
        assert Store(root / "engine").entry_dir("toy-0123") is not None
        assert (root / "engine" / "toy-0123" / "weights.bin").read_bytes() == (folder / "weights.bin").read_bytes()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_full_disk_in_a_jobs_log_is_said_so():
    from diffusion_explainer.render.jobs import error_summary

    log = ("Manim Community v0.19.0\n│ /venv/lib/python3.11/site-packages/manim/scene/scene_file_writer.py:212 in "
           "post_construct\nOSError: [Errno 28] No space left on device\n")
    assert error_summary(log) == "no space left on device: the job could not write its movie files"
