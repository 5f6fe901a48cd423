"""Which scenes are stale: an edit to one line, one scene file or the scenes' shared code marks
exactly the scenes it can change, and nothing else (real screenplay, real timelines)."""

import shutil
from pathlib import Path

import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.inputs import SceneInputs, SharedInputs, package_code_digest, scene_inputs
from diffusion_explainer.render.pipeline import stale_reasons
from diffusion_explainer.screenplay import load_screenplay, parse_screenplay
from diffusion_explainer.timing.video_plan import plan_video
from tests.conftest import REPO

SETTINGS = RenderSettings.custom("256,144", 10, silent=True)
SHARED = SharedInputs("code", "engine", "toolchain")


@pytest.fixture(scope="module")
def yaml_text():
    return Path(load_screenplay().path).read_text(encoding="utf-8")


def all_inputs(yaml_text, scene_dir=REPO / "scenes", shared=SHARED) -> dict[str, SceneInputs]:
    screenplay = parse_screenplay(yaml_text, "edited.yaml")
    plan = plan_video(SETTINGS, screenplay)
    return {p.scene.id: scene_inputs(screenplay, p.timeline, scene_dir / f"{p.scene.id}.py", shared) for p in plan.scenes}


def changed(before, after):
    return {sid: after[sid].changed_since({"parts": before[sid].parts, "inputs": before[sid].digest})
            for sid in before if after[sid].digest != before[sid].digest}


def test_editing_one_line_makes_only_its_scene_stale(yaml_text):
    before = all_inputs(yaml_text)
    # one line of scene 03 reworded, and a comment at the top that moves every YAML line number
    edited = "# a note\n" + yaml_text.replace("text: この数式は？", "text: この数式は何？")
    assert edited != "# a note\n" + yaml_text
    assert changed(before, all_inputs(edited)) == {"s03_forward": ["screenplay", "timing"]}


def test_unchanged_inputs_give_the_same_digests(yaml_text):
    assert {k: v.digest for k, v in all_inputs(yaml_text).items()} == {k: v.digest for k, v in all_inputs(yaml_text).items()}


def test_the_video_title_is_shared_by_every_scene(yaml_text):
    before = all_inputs(yaml_text)
    after = all_inputs(yaml_text.replace("title: 拡散モデルによる画像生成", "title: 拡散モデルのしくみ", 1))
    assert set(changed(before, after)) == set(before)


def test_editing_one_scene_file_makes_only_that_scene_stale(yaml_text, tmp_path):
    scenes = tmp_path / "scenes"
    shutil.copytree(REPO / "scenes", scenes)
    before = all_inputs(yaml_text, scenes)
    path = scenes / "s05_reverse.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# tweak\n", encoding="utf-8")
    assert changed(before, all_inputs(yaml_text, scenes)) == {"s05_reverse": ["scene file"]}


def test_shared_code_and_engine_artefacts_make_every_scene_stale(yaml_text):
    before = all_inputs(yaml_text)
    for shared, part in ((SharedInputs("code2", "engine", "toolchain"), "package code"),
                         (SharedInputs("code", "engine2", "toolchain"), "engine artefacts")):
        after = all_inputs(yaml_text, shared=shared)
        assert changed(before, after) == {sid: [part] for sid in before}


def test_package_code_that_cannot_change_pixels_is_left_out(tmp_path):
    package = tmp_path / "pkg"
    for name in ("core/style.py", "render/pipeline.py", "narration/speech.py", "cli.py", "visuals/text.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("x = 1\n", encoding="utf-8")
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    (scenes / "s01_title.py").write_text("a\n", encoding="utf-8")
    (scenes / "common.py").write_text("b\n", encoding="utf-8")
    digest = lambda: package_code_digest(package, scenes, frozenset({"s01_title"}))  # noqa: E731
    first = digest()
    for name in ("render/pipeline.py", "narration/speech.py", "cli.py"):
        (package / name).write_text("x = 2\n", encoding="utf-8")
        assert digest() == first, name
    (scenes / "s01_title.py").write_text("changed\n", encoding="utf-8")  # its own part, not shared code
    assert digest() == first
    for name in ("core/style.py", "visuals/text.py"):
        (package / name).write_text("x = 3\n", encoding="utf-8")
        assert digest() != first, name
        first = digest()
    (scenes / "common.py").write_text("a scene helper changed\n", encoding="utf-8")
    assert digest() != first


def test_a_scene_is_reused_only_with_its_recorded_inputs_and_video(tmp_path):
    inputs = SceneInputs("s01_title", {"screenplay": "a", "scene file": "b"})
    video = tmp_path / "s01_title.mp4"
    entry = {"inputs": inputs.digest, "parts": inputs.parts, "bytes": 5}
    assert stale_reasons(inputs, entry, video, force=False) == ["no video"]
    video.write_bytes(b"12345")
    assert stale_reasons(inputs, entry, video, force=False) == []
    assert stale_reasons(inputs, entry, video, force=True) == ["--force"]
    assert stale_reasons(inputs, None, video, force=False) == ["never rendered"]
    assert stale_reasons(inputs, dict(entry, bytes=4), video, force=False) == ["video changed on disk"]
    other = SceneInputs("s01_title", {"screenplay": "a", "scene file": "c"})
    assert stale_reasons(other, entry, video, force=False) == ["scene file changed"]
