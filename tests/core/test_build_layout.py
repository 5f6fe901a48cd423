"""The one map of build/: every file a render writes has one place, inside the build folder, the
folders of one size are named by the render settings, and each quality and language has its own
output folder (only 1080p60 in Japanese writes at the top of build/)."""

from pathlib import Path

import pytest

from diffusion_explainer.core import runtime
from diffusion_explainer.core.build_layout import BuildLayout, build_root, output_folder
from diffusion_explainer.core.settings import QUALITIES, RenderSettings

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
    assert small.sound_cache == large.sound_cache and small.manim_dir == large.manim_dir


@pytest.mark.parametrize("quality, language, folder", [
    ("h", "ja", ""), ("l", "ja", "480p15"), ("m", "ja", "720p30"), ("k", "ja", "2160p60"),
    ("h", "en", "en"), ("l", "en", "en/480p15"),
])
def test_each_quality_and_language_has_its_output_folder_and_the_default_is_the_build_folder(tmp_path, quality,
                                                                                             language, folder):
    layout = BuildLayout(tmp_path, RenderSettings.from_quality(quality, language=language), "talk")
    assert layout.output == tmp_path / folder
    assert all(path.parent == layout.output for path in layout.all_files())
    assert layout.review_folder == layout.output / "review"
    assert layout.relative(layout.video) == "talk.mp4"  # the page beside it refers to it so


def test_a_custom_size_is_not_the_default_quality_even_silent_but_the_default_size_is(tmp_path):
    assert output_folder(RenderSettings.custom("256,144", 10, silent=True)) == "256x144p10"
    assert output_folder(RenderSettings.custom("256,144", 10, language="en")) == "en/256x144p10"
    width, height, fps = QUALITIES["h"]
    assert output_folder(RenderSettings.custom(f"{width},{height}", fps, music=False)) == ""
    assert output_folder(RenderSettings.from_quality("h", silent=True)) == ""  # a silent draft: the same place


def test_every_quality_and_language_writes_its_own_files_and_shares_the_caches(tmp_path):
    layouts = [BuildLayout(tmp_path, RenderSettings.from_quality(q, language=lang))
               for q in ("h", "l") for lang in ("ja", "en")]
    files = [set(layout.all_files()) | {layout.manifest, layout.record} for layout in layouts]
    assert all(not (a & b) for i, a in enumerate(files) for b in files[i + 1:]), "two renders share a file"
    assert len({layout.scenes_dir for layout in layouts}) == 4  # scene videos and chunks apart too
    assert len({layout.sound_cache for layout in layouts}) == 1


def test_the_english_render_has_english_captions_of_its_own_and_no_translated_ones(tmp_path):
    japanese = BuildLayout(tmp_path, RenderSettings.from_quality("l"), "talk")
    english = BuildLayout(tmp_path, RenderSettings.from_quality("l", language="en"), "talk")
    assert {"talk.srt", "talk.en.srt", "talk.vtt", "talk.en.vtt"} <= {p.name for p in japanese.all_files()}
    names = {p.name for p in english.all_files()}
    assert {"talk.srt", "talk.vtt"} <= names and not {"talk.en.srt", "talk.en.vtt"} & names


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'.*ja, en"):
        RenderSettings.from_quality("l", language="fr")


@pytest.mark.parametrize("silent, music, stems", [(True, True, []), (False, False, ["narration.wav"]),
                                                  (False, True, ["narration.wav", "music.wav"])])
def test_all_files_are_the_video_first_and_the_stems_the_settings_write(tmp_path, silent, music, stems):
    layout = BuildLayout(tmp_path, RenderSettings.custom("256,144", 10, silent=silent, music=music), "talk")
    names = [p.name for p in layout.all_files()]
    assert names[0] == "talk.mp4"
    assert [n for n in names if n.endswith(".wav")] == stems
    assert {"talk.srt", "talk.vtt", "index.html", "report.json"} <= set(names)


def test_reading_a_finished_render_needs_no_settings_but_the_size_folders_do(tmp_path):
    layout = BuildLayout.finished(tmp_path / "en" / "480p15")
    assert layout.relative(layout.cue_image("s01", "c1")) == "review/cues/s01-c1.jpg"
    assert layout.report == tmp_path / "en" / "480p15" / "report.json"
    with pytest.raises(ValueError, match="no render settings"):
        _ = layout.scenes_dir
    with pytest.raises(ValueError, match="no render settings"):
        _ = BuildLayout(tmp_path).video  # neither settings nor an output folder: no place for it


def test_the_projects_screenplay_builds_in_build_and_any_other_in_a_folder_of_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv(runtime.BUILD_ENV, str(tmp_path / "build"))
    own = tmp_path / "script" / "diffusion_explainer.yaml"
    assert build_root(own, "diffusion_explainer", own) == tmp_path / "build"
    assert build_root(tmp_path / "other" / "talk.yaml", "talk", own) == tmp_path / "build" / "talk"
    assert build_root(tmp_path / "other" / "diffusion_explainer.yaml", "diffusion_explainer", own) == (
        tmp_path / "build" / "diffusion_explainer")
