"""The layout check (checks/layout.py, scene/layout_check.py): every scene's story run through
without drawing, the boxes of its texts, formulas and pictures read at every settled moment,
and the rules held: a scene laid out wrong on purpose is refused with the fault named, and each
of the eight scenes passes, in Japanese and in English (the catalogue's texts, usually wider)."""

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from diffusion_explainer.checks.layout import (
    Box,
    LayoutRecord,
    Snapshot,
    StageItem,
    layout_problems,
)
from diffusion_explainer.checks.scene_files import read_scene_file
from diffusion_explainer.core.style import Layout
from diffusion_explainer.scene.layout_check import record_layout
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO

pytestmark = pytest.mark.render

SCENES = ["s01_title", "s02_generation", "s03_forward", "s04_training", "s05_reverse", "s06_text", "s07_latent",
          "s08_summary"]
CROWDED = REPO / "tests" / "data" / "layout" / "crowded.yaml"
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff01-\uff60]")  # kana, kanji, 「、（ and the other marks


def run(scene_dir: Path, scene_id: str, folder: Path, screenplay=None, language: str = "ja"):
    scene_file = scene_dir / f"{scene_id}.py"
    return record_layout(scene_file, scene_id, read_scene_file(scene_file, scene_id).class_name, folder, screenplay,
                         language=language)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """The eight scenes' layout records, two scene processes at a time."""
    folder = tmp_path_factory.mktemp("layout")
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        done = {s: pool.submit(run, REPO / "scenes", s, folder) for s in SCENES}
        return {s: future.result() for s, future in done.items()}


@pytest.mark.parametrize("scene_id", SCENES)
def test_scene_keeps_the_layout_rules(records, scene_id):
    record = records[scene_id]
    assert len(record.snapshots) >= 3  # the check saw the scene's pictures, not an empty stage
    assert any(i.kind == "text" for s in record.snapshots for i in s.items)
    problems = layout_problems(record)
    assert not problems, "\n".join(map(str, problems))


@pytest.fixture(scope="module")
def english_records(tmp_path_factory):
    """The eight scenes' layout records in English, two scene processes at a time."""
    folder = tmp_path_factory.mktemp("layout-en")
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        done = {s: pool.submit(run, REPO / "scenes", s, folder, language="en") for s in SCENES}
        return {s: future.result() for s, future in done.items()}


@pytest.mark.parametrize("scene_id", SCENES)
def test_scene_keeps_the_layout_rules_in_english(english_records, scene_id):
    record = english_records[scene_id]
    texts = {i.name for s in record.snapshots for i in s.items if i.kind == "text"}
    assert len(record.snapshots) >= 3 and texts
    assert not [t for t in texts if JAPANESE.search(t)], sorted(t for t in texts if JAPANESE.search(t))  # none left
    problems = layout_problems(record)
    assert not problems, "\n".join(map(str, problems))


def test_a_crowded_scene_is_refused_with_its_faults_named(tmp_path):
    screenplay = load_screenplay(CROWDED)
    record = run(CROWDED.parent / "scenes", "s01_crowded", tmp_path, screenplay)
    problems = [str(p) for p in layout_problems(record)]
    text = "\n".join(problems)
    # the note over the title's underline: scene, cue, both items and their boxes
    over_rule = [p for p in problems if "（この動画の模型では" in p and "rule" in p]
    assert over_rule, text
    assert over_rule[0].startswith("s01_crowded / crowded_note at 0:"), over_rule[0]
    assert "overlaps" in over_rule[0] and over_rule[0].count("[x ") == 2, over_rule[0]
    assert any("（この動画の模型では" in p and "重なり" in p for p in problems), text  # and the title itself
    assert any("小さすぎる注記" in p and "under the least readable size" in p for p in problems), text
    assert any("端にはみ出す" in p and "leaves the safe area" in p for p in problems), text
    assert not any(" / section_title " in p for p in problems), text  # the title alone is laid out well


# --- the rules, on hand-made boxes -------------------------------------------------------------------


def record_of(*items: StageItem) -> LayoutRecord:
    return LayoutRecord("s00_test", 10, Layout(8 * 16 / 9).frame_width, 0.055,
                        (Snapshot(30, "cue", "hold", tuple(items)),))


def text(name: str, left, bottom, right, top, em=0.26) -> StageItem:
    return StageItem("text", name, Box(left, bottom, right, top), em)


def test_a_caption_wholly_on_a_picture_is_allowed_one_across_its_edge_is_not():
    picture = StageItem("picture", "picture", Box(-1, -1, 1, 1))
    assert not layout_problems(record_of(picture, text("on it", -0.5, -0.2, 0.5, 0.2)))
    problems = layout_problems(record_of(picture, text("across", 0.5, -0.2, 1.5, 0.2)))
    assert len(problems) == 1 and "「across」" in str(problems[0]) and "picture" in str(problems[0])


def test_texts_may_sit_close_but_not_touch():
    apart = record_of(text("a", 0, 0, 1, 0.3), text("b", 0, 0.37, 1, 0.67))  # a caption's lines: 0.07 apart
    assert not layout_problems(apart)
    touching = layout_problems(record_of(text("a", 0, 0, 1, 0.3), text("b", 0, 0.32, 1, 0.62)))
    assert len(touching) == 1 and "0.02 units from" in str(touching[0])


def test_the_pieces_a_transform_moved_onto_one_another_are_one_thing():
    pieces = record_of(text("完全なノイズ", 0, 0, 0.4, 0.2, em=0.19), StageItem("formula", "x_T", Box(0, 0, 0.4, 0.2), 0.26))
    assert not layout_problems(pieces)


def test_nothing_but_the_subtitles_enters_their_band():
    layout = Layout(8 * 16 / 9)
    low = StageItem("shape", "arrow", Box(-1, layout.band_top - 0.1, 1, 0))
    problems = layout_problems(record_of(low))
    assert len(problems) == 1 and "subtitle band" in str(problems[0])


def test_a_record_reads_back_as_written(tmp_path):
    record = record_of(text("a", 0, 0, 1, 0.3), StageItem("picture", "p", Box(2, 0, 3, 1)))
    record.write(tmp_path / "r.json")
    assert LayoutRecord.read(tmp_path / "r.json") == record
