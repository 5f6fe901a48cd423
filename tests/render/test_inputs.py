"""Which scenes are stale: an edit to one line, one scene file or the code the scene processes run
marks exactly the scenes it can change, and nothing else (real screenplay, real timelines, a copy
of the real package)."""

import contextlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render import inputs as inputs_module
from diffusion_explainer.render.inputs import (
    PACKAGE_DIR,
    SceneInputs,
    SharedInputs,
    chunk_shared_digest,
    package_code_digest,
    scene_code_files,
    scene_inputs,
    timing_part,
)
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
    path.write_text(path.read_text(encoding="utf-8") + "\nTWEAK = 1\n", encoding="utf-8")
    assert changed(before, all_inputs(yaml_text, scenes)) == {"s05_reverse": ["scene file"]}


def test_shared_code_and_engine_artefacts_make_every_scene_stale(yaml_text):
    before = all_inputs(yaml_text)
    for shared, part in ((SharedInputs("code2", "engine", "toolchain"), "package code"),
                         (SharedInputs("code", "engine2", "toolchain"), "engine artefacts")):
        after = all_inputs(yaml_text, shared=shared)
        assert changed(before, after) == {sid: [part] for sid in before}


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory):
    """A copy of the package and of the scene files, to edit."""
    root = tmp_path_factory.mktemp("code")
    shutil.copytree(PACKAGE_DIR, root / "diffusion_explainer", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "scenes", root / "scenes")
    return root / "diffusion_explainer", root / "scenes"


@contextlib.contextmanager
def edited(path: Path, text: str = "\n# edited\n"):
    """`path` with `text` added, as long as the block runs."""
    before = path.read_bytes()
    path.write_bytes(before + text.encode())
    try:
        yield
    finally:
        path.write_bytes(before)


@pytest.mark.parametrize("module", ["scene/held_frames.py", "scene/launcher.py", "scene/svg_cache.py",
                                    "visuals/text.py", "demos/forward.py", "engine/schedule.py", "timing/sound_marks.py",
                                    "timing/handover.py", "__init__.py"])
def test_code_the_scene_process_runs_keys_every_scene(package_copy, module):
    package, scenes = package_copy
    digest = lambda: package_code_digest(package, scenes, frozenset(p.stem for p in scenes.glob("*.py")))
    before = digest()
    with edited(package / module):
        assert digest() != before, module
    assert digest() == before


@pytest.mark.parametrize("module", ["render/pipeline.py", "render/chunks.py", "review/page.py", "review/page.css",
                                    "cli.py", "bench/benchmark.py"])
def test_code_only_the_render_runs_does_not(package_copy, module):
    package, scenes = package_copy
    digest = lambda: package_code_digest(package, scenes, frozenset(p.stem for p in scenes.glob("*.py")))
    before = digest()
    with edited(package / module):
        assert digest() == before, module


def test_the_closure_follows_imports_from_the_scene_files_and_lazy_imports(package_copy, tmp_path):
    package, scenes = package_copy
    files = lambda: {p.relative_to(package).as_posix() for p in scene_code_files(package, scenes)}
    before = files()
    assert "demos/forward.py" in before and "render/pipeline.py" not in before
    assert "bench/predictions.py" not in before
    # a scene file that starts importing a module brings it in, and what it imports
    scene = scenes / "s01_title.py"
    with edited(scene, "\nfrom diffusion_explainer.bench import predictions\n"):
        assert {"bench/__init__.py", "bench/predictions.py"} <= files()
    # so does a module of the closure that imports one inside a function, relatively
    with edited(package / "visuals/text.py", "\ndef later():\n    from ..bench import predictions\n"):
        assert "bench/predictions.py" in files()
    # and a data file beside a module of the closure is read with it
    data = package / "visuals" / "palette.json"
    data.write_text("{}", encoding="utf-8")
    try:
        assert "visuals/palette.json" in files()
    finally:
        data.unlink()
    assert files() == before


def test_the_english_catalogue_keys_the_english_scenes_and_not_the_japanese_ones(package_copy, yaml_text,
                                                                                 monkeypatch):
    """A translation of an on-screen text (locale/en/LC_MESSAGES/scenes.po) is drawn by the English
    scenes only: not package code, but a part of the English scenes' inputs that keys every chunk."""
    package, scenes = package_copy
    monkeypatch.setattr(inputs_module, "LOCALE_DIR", package / "locale")
    screenplay = parse_screenplay(yaml_text, "edited.yaml")
    scene = "s02_generation"

    def keys(language):
        timeline = plan_video(replace(SETTINGS, language=language), screenplay, only=[scene]).scenes[0].timeline
        found = scene_inputs(screenplay, timeline, scenes / f"{scene}.py", SHARED, language)
        return found, chunk_shared_digest(found, screenplay)

    ids = frozenset(p.stem for p in scenes.glob("*.py"))
    before = {language: keys(language) for language in ("en", "ja")}
    code = package_code_digest(package, scenes, ids)
    catalogue = package / "locale" / "en" / "LC_MESSAGES" / "scenes.po"
    text = catalogue.read_text(encoding="utf-8")
    assert 'msgstr "Diffusion models"' in text
    catalogue.write_text(text.replace('msgstr "Diffusion models"', 'msgstr "Diffusion Models"', 1), encoding="utf-8")
    try:
        english, japanese = keys("en"), keys("ja")
        assert package_code_digest(package, scenes, ids) == code
    finally:
        catalogue.write_text(text, encoding="utf-8")
    assert english[0].changed_since({"parts": before["en"][0].parts, "inputs": before["en"][0].digest}) == ["catalogue"]
    assert english[1] != before["en"][1]
    assert japanese[0].digest == before["ja"][0].digest and japanese[1] == before["ja"][1]
    assert "catalogue" not in japanese[0].parts
    assert keys("en") == before["en"]  # the catalogue as it was: the same keys


def test_a_scene_file_that_does_not_parse_still_has_a_digest(package_copy):
    package, scenes = package_copy
    with edited(scenes / "s02_generation.py", "\ndef broken(:\n"):
        assert package_code_digest(package, scenes, frozenset({"s02_generation"}))


def test_scene_helpers_key_every_scene_but_scene_files_do_not(package_copy):
    package, scenes = package_copy
    ids = frozenset(p.stem for p in scenes.glob("*.py"))
    before = package_code_digest(package, scenes, ids)
    with edited(scenes / "s05_reverse.py", "\nx = 1\n"):  # its own part ("scene file"), not shared code
        assert package_code_digest(package, scenes, ids) == before
    helper = scenes / "common.py"
    helper.write_text("a = 1\n", encoding="utf-8")
    try:
        assert package_code_digest(package, scenes, ids) != before
    finally:
        helper.unlink()


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


def test_the_timing_part_is_the_frames_not_how_they_were_laid_out(yaml_text):
    timeline = plan_video(SETTINGS, parse_screenplay(yaml_text, "a.yaml"), only=["s03_forward"]).scenes[0].timeline
    assert timing_part(replace(timeline, layout="as rendered before")) == timing_part(timeline)
    first = timeline.cues[0]
    moved = replace(timeline, cues=(replace(first, span=replace(first.span, end=first.span.end + 1)),) + timeline.cues[1:])
    assert timing_part(moved) != timing_part(timeline)
