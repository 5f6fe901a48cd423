"""Going back to an earlier version of the screenplay puts that render's joined video and side files
back (render/finished.py): nothing is joined or written again, the files are the ones that render
wrote, and a damaged or missing kept file means the video is joined again."""

import os

import pytest

from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.pipeline import render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO

pytestmark = pytest.mark.render

SMALL = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"
SILENT = RenderSettings.custom("256,144", 10, silent=True, jobs=os.cpu_count() or 1)
LAST_LINE, EDITED_LINE = "なるほど！", "なるほど、そうか！"


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenplays")
    text = SMALL.read_text(encoding="utf-8").replace("scene_dir: scenes", f"scene_dir: {SMALL.parent / 'scenes'}")
    assert LAST_LINE in text
    paths = []
    for name, version in (("clean", text), ("edited", text.replace(LAST_LINE, EDITED_LINE))):
        (folder / name).mkdir()
        (folder / name / SMALL.name).write_text(version, encoding="utf-8")
        paths.append(load_screenplay(folder / name / SMALL.name))
    return paths


def render(screenplay, root, force=False):
    return render_video(SILENT, screenplay=screenplay, root=root, progress=Progress(quiet=True), force=force)


def side_files(outputs: BuildLayout) -> dict[str, bytes]:
    files = [*outputs.all_files(), outputs.record]
    return {outputs.relative(p): p.read_bytes() for p in files if p.exists()}


def test_an_edit_undone_puts_back_the_earlier_video_and_its_side_files(tmp_path, versions):
    clean, edited = versions
    outputs = BuildLayout(tmp_path, SILENT, SMALL.stem)
    first = render(clean, tmp_path)
    assert first.joined and not first.restored
    written = side_files(outputs)
    inode = outputs.video.stat().st_ino

    second = render(edited, tmp_path)
    assert second.joined and not second.restored
    assert side_files(outputs)["noise_in_two_scenes.srt"] != written["noise_in_two_scenes.srt"]

    undone = render(clean, tmp_path)
    assert undone.restored and not undone.joined and undone.rendered == []
    assert side_files(outputs) == written  # the same bytes: the video, captions, page, report, record
    assert outputs.video.stat().st_ino == inode  # the very file the first render wrote, linked back

    redone = render(edited, tmp_path)  # and forward again
    assert redone.restored and side_files(outputs)["noise_in_two_scenes.srt"].decode().count(EDITED_LINE[:4]) >= 1

    # a kept video damaged: found by its checksum, the entry let go, and the video joined again
    kept = [p for p in (tmp_path / "cache" / "finished").rglob("*.mp4") if p.stat().st_ino != outputs.video.stat().st_ino]
    assert kept
    for video in kept:
        video.unlink()
        video.write_bytes(b"not a video")
    again = render(clean, tmp_path)
    assert again.joined and not again.restored
    assert side_files(outputs)["noise_in_two_scenes.srt"] == written["noise_in_two_scenes.srt"]

    forced = render(clean, tmp_path, force=True)  # --force joins again, never restores
    assert forced.joined and not forced.restored
