"""The hand-over between the render and a scene process: the plan and the report go through JSON
and come back equal, and a file of another format is refused with a message that says so."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.timing.handover import (
    FORMAT,
    CallRecord,
    FrameRange,
    HandOver,
    HandOverError,
    Read,
    Resume,
    SavedStateFile,
    SceneReport,
    timeline_from_json,
    timeline_to_json,
)
from diffusion_explainer.timing.sound_marks import SoundEvent
from diffusion_explainer.timing.video_plan import plan_video
from tests.conftest import SCREENPLAY

SETTINGS = RenderSettings.custom("256,144", 10, silent=True)


@pytest.fixture(scope="module")
def plan():
    return plan_video(SETTINGS, load_screenplay(SCREENPLAY), only=["s03_forward"]).scene_plan("s03_forward")


def report() -> SceneReport:
    return SceneReport(
        "s03_forward", 600, FrameRange(40, 120), 123,
        (CallRecord(0, 40, False, None, 0.0), CallRecord(40, 4, True, 7, 0.0312), CallRecord(44, 79, True, 8, 0.5)),
        (Read("cue_start", "noise_steps", 0), Read("line_at", "beta_explained", 41, "ノイズ"),
         Read("line_at", "beta_explained", 42, 0.4), Read("cue_end", "", 44)),
        (SavedStateFile(2, 300, "state-002.pkl"),), (SoundEvent(50, "reveal"),), {"set up": 1.5, "stopped": 9.25})


def test_a_plan_comes_back_as_it_was_handed_over(plan, tmp_path):
    resume = Resume(2, 300, tmp_path / "state.pkl", (Read("cue_start", "a", 0), Read("line_page", "b", 12, "語")))
    handed = HandOver(plan, 256, 144, sound=False, draw=FrameRange(300, 420), report=tmp_path / "report.json",
                      resume=resume, save_states=tmp_path / "states")
    back = HandOver.read(handed.write(tmp_path / "plan.json"))
    assert back.plan.timeline == plan.timeline and back.plan.scene == plan.scene
    assert back.plan.screenplay == plan.screenplay and back.plan.audio == plan.audio
    assert (back.width, back.height, back.sound, back.draw) == (256, 144, False, FrameRange(300, 420))
    assert back.resume == resume and back.report == tmp_path / "report.json"
    assert back.save_states == tmp_path / "states"
    whole = HandOver.from_json(HandOver(plan, 256, 144, sound=True).to_json())
    assert (whole.draw, whole.report, whole.resume, whole.save_states, whole.sound) == (None, None, None, None, True)


def test_the_language_is_handed_over_with_the_plan(plan):
    assert HandOver.from_json(HandOver(plan, 256, 144).to_json()).plan.language == "ja"
    english = replace(plan, language="en")
    back = HandOver.from_json(HandOver(english, 256, 144).to_json())
    assert back.plan.language == "en" and back.plan.timeline == plan.timeline


def test_a_report_comes_back_as_it_was_written(tmp_path):
    written = report()
    written.write(tmp_path / "report.json")
    back = SceneReport.read(tmp_path / "report.json")
    assert back == written
    assert back.calls[1].play == 7 and back.calls[1].drawn and back.reads[1].bound == "ノイズ"
    assert back.reads[2].question == ("line_at", "beta_explained", 0.4)


@pytest.mark.parametrize("kind", ["plan", "report"])
def test_another_format_is_refused_with_a_clear_message(plan, tmp_path, kind):
    text = HandOver(plan, 256, 144).to_json() if kind == "plan" else report().to_json()
    reader = HandOver.from_json if kind == "plan" else SceneReport.from_json
    data = json.loads(text)
    for found in (FORMAT - 1, None):
        data["format"] = found
        with pytest.raises(HandOverError, match=f"format {found}, but this code reads format {FORMAT}"):
            reader(json.dumps(data), "job-3/plan.json")
    with pytest.raises(HandOverError, match="job-3/plan.json: not a scene"):
        reader("{not json", "job-3/plan.json")


def test_the_timeline_comes_back_from_json_with_the_screenplay(plan):
    data = timeline_to_json(plan.timeline)
    assert timeline_from_json(json.loads(json.dumps(data)), plan.screenplay) == plan.timeline
    moved = replace(plan.timeline, total_frames=plan.timeline.total_frames + 1)
    assert timeline_from_json(timeline_to_json(moved), plan.screenplay) != plan.timeline


def test_a_plan_of_another_screenplay_names_the_scene_it_lacks(plan):
    data = json.loads(HandOver(plan, 256, 144).to_json())
    data["scene_id"] = "s99_missing"
    with pytest.raises(KeyError, match="s99_missing"):
        HandOver.from_json(json.dumps(data))


def test_paths_stay_paths(plan, tmp_path):
    handed = HandOver.from_json(HandOver(plan, 256, 144, report=tmp_path / "r.json").to_json())
    assert isinstance(handed.report, Path)
