"""A scene rendered in chunks gives the frames of a scene rendered whole, whether its jobs run the
story from the start or resume it from a state saved where a cue starts.

Frames are compared as Manim hands them to the encoder (a hash of each frame's pixels, logged by
the launcher, one file per job), so the comparison is exact and independent of how the encoder
cuts its groups of pictures."""

import os

import pytest

from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.runtime import FRAME_LOG_ENV
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media.probe import probe
from diffusion_explainer.render.chunks import ChunkStore
from diffusion_explainer.render.pipeline import render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import SCREENPLAY

pytestmark = pytest.mark.render


def frame_hashes(tmp_path, root, name, settings, scene_id, chunks_per_job, force=True):
    """The hashes of the frames handed to the encoder, in the scene's order (each job logs its own
    file, named by the first frame it draws)."""
    log = tmp_path / f"{name}.log"
    report = render_video(settings, root=root, force=force, progress=Progress(quiet=True), only=[scene_id],
                          job_environment={FRAME_LOG_ENV: str(log)}, chunks_per_job=chunks_per_job)
    files = sorted(tmp_path.glob(f"{name}.log.*"))
    assert len(files) == len(report.rendered)
    return [h for f in files for h in f.read_text(encoding="ascii").split()], report


@pytest.mark.parametrize("scene_id, fps, resume", [("s03_forward", 10, True), ("s08_summary", 15, False)])
def test_chunked_frames_are_the_frames_of_the_whole_scene(tmp_path, scene_id, fps, resume):
    settings = RenderSettings.custom("256,144", fps, silent=True, jobs=os.cpu_count() or 1)
    total = load_screenplay(SCREENPLAY).scene(scene_id).duration_s * fps
    whole, one = frame_hashes(tmp_path, tmp_path / "whole", "whole", settings, scene_id, chunks_per_job=1000)
    assert len(one.rendered) == 1 and len(whole) == total
    if resume:  # the same build, its chunk videos gone, its saved states kept: every job resumes
        outputs = BuildLayout(tmp_path / "whole", settings)
        store = ChunkStore(outputs.chunks_dir)
        states = store.saved_states(scene_id)
        assert len(states) == len(load_screenplay(SCREENPLAY).scene(scene_id).cues) - 1  # one per cue but the first
        for video in (outputs.chunks_dir / scene_id).glob("*/video.mp4"):
            video.unlink()
        outputs.scene_video(scene_id).unlink()
        chunked, many = frame_hashes(tmp_path, tmp_path / "whole", "chunked", settings, scene_id, chunks_per_job=3,
                                     force=False)
        resumed = [spec for spec in many.rendered]
        assert len(resumed) >= 3
    else:
        chunked, many = frame_hashes(tmp_path, tmp_path / "chunked", "chunked", settings, scene_id, chunks_per_job=3)
    assert len(many.rendered) >= 3, [r.name for r in many.rendered]
    assert chunked == whole, "a chunked render drew other pixels than the whole scene"
    root = tmp_path / ("whole" if resume else "chunked")
    assert probe(BuildLayout(root, settings).scene_video(scene_id)).frames == total


def test_a_report_gives_each_chunk_its_edges_calls_and_the_reads_before_its_end():
    """Unit test (no render): chunks from a scene's report, keyed by what was read before each end."""
    from dataclasses import replace

    from diffusion_explainer.render.chunks import ChunkBasis, chunks_from_report, still_valid
    from diffusion_explainer.timing.handover import CallRecord, FrameRange, Read, SceneReport
    from diffusion_explainer.timing.sound_marks import SoundEvent
    from diffusion_explainer.timing.video_plan import plan_video

    settings = RenderSettings.custom("256,144", 10, silent=True)
    timeline = plan_video(settings, load_screenplay(SCREENPLAY), only=["s03_forward"]).scenes[0].timeline
    cue, last = timeline.cues[0], timeline.lines[-1]
    assert last.shown.start > 60
    report = SceneReport("s03_forward", timeline.total_frames, FrameRange(0, 60), 60,
                         (CallRecord(0, 20, True, 0, 0.1), CallRecord(20, 15, True, 1, 0.1),
                          CallRecord(35, 25, True, 2, 0.1)),
                         (Read("cue_start", cue.cue.id, 0), Read("line", last.line.id, 40)),
                         sounds=(SoundEvent(12, "reveal"), SoundEvent(50, "finale")))
    first, second = chunks_from_report(report, ((0, 0, 30), (1, 30, 60)), timeline, ChunkBasis("shared"))
    assert (first.start, first.end, first.calls, first.sounds) == (0, 35, (0, 1), ((12, "reveal"),))
    assert (second.start, second.end, second.calls, second.sounds) == (35, 60, (2,), ((50, "finale"),))
    assert first.reads == (("cue_start", cue.cue.id, None),)
    assert second.reads == (("cue_start", cue.cue.id, None), ("line", last.line.id, None))
    reworded = replace(last, line=replace(last.line, text=last.line.text + "ね"))
    edited = replace(timeline, lines=timeline.lines[:-1] + (reworded,))
    assert still_valid(first, edited, ChunkBasis("shared")) and not still_valid(second, edited, ChunkBasis("shared"))
    assert not still_valid(first, timeline, ChunkBasis("other shared code"))
