"""The one map of build/: every file a render writes has one place, inside the build folder, and
the folders of one size are named by the render settings."""

from pathlib import Path

import pytest

from diffusion_explainer.core import runtime
from diffusion_explainer.core.build_layout import BuildLayout, build_root
from diffusion_explainer.core.settings import RenderSettings

NARRATED = RenderSettings.custom("256,144", 10, silent=False, music=True)


def every_path(layout: BuildLayout) -> dict[str, Path]:
    """Each property and path-making method of the layout, called with sample arguments."""
    paths = {name: getattr(layout, name) for name, value in vars(BuildLayout).items()
             if isinstance(value, property)}
    paths |= {"scene_video": layout.scene_video("s01_title"), "compiled_dir": layout.compiled_dir("s01_title"),
              "cue_image": layout.cue_image("s01_title", "intro"), "plot": layout.plot("reading_speed"),
              "ocr_image": layout.ocr_image(12)}
    return paths


def test_every_file_and_folder_has_its_own_place_inside_the_build_folder(tmp_path):
    paths = every_path(BuildLayout(tmp_path, NARRATED))
    assert len(paths) > 25
    assert all(path.is_relative_to(tmp_path) for path in paths.values())
    assert len(set(paths.values())) == len(paths), "two names for one place"


def test_the_folders_of_one_size_are_named_by_the_settings(tmp_path):
    small, large = BuildLayout(tmp_path, NARRATED), BuildLayout(tmp_path, RenderSettings.from_quality("h"))
    for name in ("scenes_dir", "chunks_dir", "scenes_manifest", "stills_cache", "jobs_dir"):
        assert NARRATED.key in getattr(small, name).parts
        assert getattr(small, name) != getattr(large, name)
    assert small.video == large.video and small.sound_cache == large.sound_cache


@pytest.mark.parametrize("silent, music, stems", [(True, True, []), (False, False, ["narration.wav"]),
                                                  (False, True, ["narration.wav", "music.wav"])])
def test_all_files_are_the_video_first_and_the_stems_the_settings_write(tmp_path, silent, music, stems):
    layout = BuildLayout(tmp_path, RenderSettings.custom("256,144", 10, silent=silent, music=music), "talk")
    names = [p.name for p in layout.all_files()]
    assert names[0] == "talk.mp4"
    assert [n for n in names if n.endswith(".wav")] == stems
    assert {"talk.srt", "talk.vtt", "index.html", "report.json"} <= set(names)


def test_reading_a_finished_render_needs_no_settings_but_the_size_folders_do(tmp_path):
    layout = BuildLayout(tmp_path)
    assert layout.relative(layout.cue_image("s01", "c1")) == "review/cues/s01-c1.jpg"
    assert layout.relative(layout.report) == "report.json"
    with pytest.raises(ValueError, match="no render settings"):
        _ = layout.scenes_dir


def test_the_projects_screenplay_builds_in_build_and_any_other_in_a_folder_of_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv(runtime.BUILD_ENV, str(tmp_path / "build"))
    own = tmp_path / "script" / "diffusion_explainer.yaml"
    assert build_root(own, "diffusion_explainer", own) == tmp_path / "build"
    assert build_root(tmp_path / "other" / "talk.yaml", "talk", own) == tmp_path / "build" / "talk"
    assert build_root(tmp_path / "other" / "diffusion_explainer.yaml", "diffusion_explainer", own) == (
        tmp_path / "build" / "diffusion_explainer")
