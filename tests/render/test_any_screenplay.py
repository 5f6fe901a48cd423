"""Any screenplay renders: a second, 20-second screenplay with its own scene files goes through the
same pipeline end to end (narrated, read back with PyAV); `--scene` renders one scene without the
join; and a line inserted before a synced line keeps the animation on its words, in the frames."""

import json
import os
from pathlib import Path

import av
import numpy as np
import pytest

from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media.probe import probe, video_problems
from diffusion_explainer.render.chunks import ChunkStore
from diffusion_explainer.render.pipeline import last_mix, render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.sound import kept_mix
from diffusion_explainer.timing.sync import line_sync
from diffusion_explainer.timing.video_plan import plan_video
from tests.conftest import REPO

pytestmark = pytest.mark.render

SMALL = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"
NARRATED = RenderSettings.custom("256,144", 10, silent=False, jobs=os.cpu_count() or 1)
SILENT = RenderSettings.custom("256,144", 10, silent=True, jobs=os.cpu_count() or 1)


@pytest.fixture(scope="module")
def small_build(small_narrated_render):
    assert small_narrated_render[0].settings == NARRATED
    return small_narrated_render


def test_the_small_screenplay_renders_end_to_end(small_build):
    outputs, report, log = small_build
    assert sorted(r.scene_id for r in report.rendered) == ["s01_hello", "s02_noise"] and report.joined
    assert outputs.video.name == "noise_in_two_scenes.mp4"
    facts = probe(outputs.video)
    assert video_problems(facts, 256, 144, 10, 20) == []
    assert facts.frames == 200 and facts.audio_codec == "aac"
    with av.open(str(outputs.video)) as container:
        audio = np.concatenate([f.to_ndarray().ravel() for f in container.decode(audio=0)])
    assert np.abs(audio).max() > 0.05, "the narration is in the joined file"
    srt = outputs.srt.read_text(encoding="utf-8")
    assert "ミク: ねえ、今日は何の話？" in srt and "シュウ: 今日はノイズの話をしよう。" in srt
    assert outputs.chapters.read_text(encoding="utf-8").startswith("# no YouTube chapters")
    assert outputs.thumbnail.exists() and outputs.contact_sheet.exists()


def test_one_scene_renders_alone_without_the_join(tmp_path):
    report = render_video(SILENT, screenplay=load_screenplay(SMALL), root=tmp_path, progress=Progress(quiet=True),
                          only=["s01_hello"])
    assert [r.scene_id for r in report.rendered] == ["s01_hello"] and not report.joined
    outputs = BuildLayout(tmp_path, SILENT, "noise_in_two_scenes")
    assert probe(outputs.scenes_dir / "s01_hello.mp4").frames == 80
    assert not outputs.video.exists() and not (outputs.scenes_dir / "s02_noise.mp4").exists()
    # the job left its calls' movie files, which the render joined, and no movie of Manim's own
    movies = list(outputs.jobs_dir.rglob("*.mp4"))
    assert any("partial_movie_files" in p.parts for p in movies)
    assert not [p for p in movies if p.name == "s01_hello.mp4"], movies


def first_change(video: Path, rows: slice, after: int) -> int:
    """The first frame after frame `after` whose `rows` differ visibly from that frame's."""
    with av.open(str(video)) as container:
        frames = [f.to_ndarray(format="rgb24")[rows].astype(int) for f in container.decode(video=0)]
    for number in range(after + 1, len(frames)):
        if (np.abs(frames[number] - frames[after]).sum(axis=2) > 60).sum() >= 4:
            return number
    raise AssertionError(f"nothing changes in rows {rows} of {video} after frame {after}")


def test_a_line_inserted_before_a_synced_line_keeps_the_animation_on_its_words(tmp_path):
    text = SMALL.read_text(encoding="utf-8").replace("scene_dir: scenes", f"scene_dir: {SMALL.parent / 'scenes'}")
    inserted = text.replace("      - speaker: シュウ\n        id: topic\n",
                            "      - speaker: シュウ\n        text: うん。\n      - speaker: シュウ\n        id: topic\n", 1)
    assert inserted != text
    path = tmp_path / "noise_in_two_scenes.yaml"
    path.write_text(inserted, encoding="utf-8")
    screenplay = load_screenplay(path)
    render_video(SILENT, screenplay=screenplay, root=tmp_path / "build", progress=Progress(quiet=True),
                 only=["s01_hello"])
    timeline = plan_video(SILENT, screenplay, only=["s01_hello"]).scene_plan("s01_hello").timeline
    topic = line_sync(timeline, "topic", Path("s01_hello.py"))
    assert [t.line.text for t in timeline.lines][1] == "うん。"  # the inserted line sits before it
    video = BuildLayout(tmp_path / "build", SILENT, screenplay.name).scene_video("s01_hello")
    title_written = 15  # the title is written in the first second; below it the stage stays empty
    appears = first_change(video, slice(50, 80), after=title_written)  # the word 「ノイズ」 under the title
    assert topic.at("ノイズの話") <= appears <= topic.at("ノイズの話") + 2, (appears, topic.at("ノイズの話"))
    assert topic.start <= appears < topic.end, "the word appears while its line is spoken"


def test_a_line_edited_late_in_a_scene_renders_only_the_chunks_from_it_on(tmp_path):
    text = SMALL.read_text(encoding="utf-8").replace("scene_dir: scenes", f"scene_dir: {SMALL.parent / 'scenes'}")
    path = tmp_path / "noise_in_two_scenes.yaml"
    path.write_text(text, encoding="utf-8")
    build = tmp_path / "build"
    render_video(SILENT, screenplay=load_screenplay(path), root=build, progress=Progress(quiet=True), only=["s02_noise"])
    outputs = BuildLayout(build, SILENT, "noise_in_two_scenes")
    with av.open(str(outputs.scene_video("s02_noise"))) as container:
        before = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]

    path.write_text(text.replace("text: なるほど！", "text: なるほど、よくわかった！"), encoding="utf-8")
    screenplay = load_screenplay(path)
    report = render_video(SILENT, screenplay=screenplay, root=build, progress=Progress(quiet=True), only=["s02_noise"])
    timeline = plan_video(SILENT, screenplay, only=["s02_noise"]).scene_plan("s02_noise").timeline
    edited = next(t for t in timeline.lines if t.line.text == "なるほど、よくわかった！")
    ranges = ChunkStore(outputs.chunks_dir).ranges("s02_noise", timeline.total_frames, SILENT.fps)
    holding = next(i for i, r in enumerate(ranges) if r.start <= edited.shown.start < r.end)
    rendered = report.chunks["s02_noise"]
    assert holding > 0 and rendered, "the edited line starts after the first chunk, and something rendered"
    assert min(rendered) == holding and set(rendered) <= set(range(holding, len(ranges))), (rendered, ranges)
    assert all(why for why in rendered.values()), "the render says why each chunk rendered"
    with av.open(str(outputs.scene_video("s02_noise"))) as container:
        after = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(after) == len(before) == timeline.total_frames
    unchanged = ranges[holding].start
    assert all(np.array_equal(a, b) for a, b in zip(before[:unchanged], after[:unchanged])), \
        "the frames of the chunks before the edited line are the frames rendered before"
    assert any(not np.array_equal(a, b) for a, b in zip(before[edited.shown.start:], after[edited.shown.start:])), \
        "the new subtitle is in the frames"


def test_a_job_reports_its_frames_as_its_calls_finish(tmp_path):
    """The live progress comes from the scene process (each finished call's frames, manim_main.py),
    not from opening every movie file it wrote."""

    class Recorded(Progress):
        def __post_init__(self):
            super().__post_init__()
            self.seen: list[tuple[str, int]] = []

        def job_frames(self, name, done):
            self.seen.append((name, done))
            super().job_frames(name, done)

    progress = Recorded(quiet=True)
    one_job = RenderSettings.custom("256,144", 10, silent=True, jobs=1)
    report = render_video(one_job, screenplay=load_screenplay(SMALL), root=tmp_path, progress=progress,
                          only=["s02_noise"], force=True)
    (job,) = report.rendered
    done = [d for name, d in progress.seen if name == job.name]
    assert done == sorted(done), "the count went back"
    frames = plan_video(one_job, load_screenplay(SMALL)).scene_plan("s02_noise").timeline.total_frames
    assert 0 < max(done) <= frames, f"reported: {done} of {frames}"  # (the count once the job ended included)


def test_the_next_render_patches_this_ones_mix(small_build, tmp_path):
    """A render keeps the ground of the mix it made (sound/kept_mix.py) and its manifest says what
    it was mixed from; the next render in that folder reads that ground back in the background
    (last_mix), to patch where an edit changed the narration, or makes it again from the record's
    narration tracks if it is not kept; a record whose tracks are gone, or that it cannot read,
    gives none."""
    outputs, _, _ = small_build
    recorded = json.loads(outputs.manifest.read_text(encoding="utf-8"))[outputs.name]["mixed"]
    assert [scene_id for scene_id, _, _ in recorded] == ["s01_hello", "s02_noise"]
    rate = 48000
    ground = last_mix(outputs, NARRATED).take()
    assert isinstance(ground.narration, np.memmap), "read back from the kept ground"
    remade = None
    for entry in (outputs.sound_cache / kept_mix.GROUNDS_DIR).iterdir():  # (kept in a copy: the fixture is shared)
        if not entry.name.startswith("."):
            remade = entry.with_name(".put-aside" + entry.name)
            entry.rename(remade)
    try:
        made = last_mix(outputs, NARRATED).take()
    finally:
        remade.rename(remade.with_name(remade.name.removeprefix(".put-aside")))
    assert not isinstance(made.narration, np.memmap), "made again from the narration tracks"
    for ground in (ground, made):
        assert ground.scenes == ((0, 8 * rate), (8 * rate, 12 * rate))  # 80 and 120 frames at 10 fps
        assert ground.sources == tuple(Path(audio) for _, _, audio in recorded)
        assert ground.music is not None and np.abs(ground.narration).max() > 0.05
    assert np.array_equal(ground.music, made.music)

    elsewhere = BuildLayout(tmp_path, NARRATED, outputs.name)
    elsewhere.manifest.parent.mkdir(parents=True, exist_ok=True)
    for record in ([[scene_id, frames, str(tmp_path / "gone.wav")] for scene_id, frames, _ in recorded],
                   [["s01_hello", "eighty"]], "not a list of scenes"):
        elsewhere.manifest.write_text(json.dumps({outputs.name: {"mixed": record}}), encoding="utf-8")
        assert last_mix(elsewhere, NARRATED).take() is None
