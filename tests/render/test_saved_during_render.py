"""A scene file saved while its job runs: the job ran one text, the render keyed its chunks with
another, so what it drew is not kept (it would be reused later under the wrong text's key); the
render fails saying so, and the next render draws the chunks from the file as it is."""

import shutil

import pytest

from diffusion_explainer.core.errors import RenderError
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.chunks import ChunkStore
from diffusion_explainer.render.pipeline import layout_for, render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO

pytestmark = pytest.mark.render

EXAMPLE = REPO / "tests" / "data" / "two_scenes"
SILENT = RenderSettings.custom("256,144", 10, silent=True, jobs=1)

# The author's save, made by the scene itself once its job has started (Manim has imported the
# file): the file gets one more line, once.
SAVE_ONCE = '''        marker = Path(__file__).with_suffix(".saved")
        if not marker.exists():
            marker.touch()
            Path(__file__).write_text(Path(__file__).read_text(encoding="utf-8") + "\\n# saved again\\n",
                                      encoding="utf-8")
'''


def test_chunks_drawn_from_a_file_saved_during_the_job_are_not_kept(tmp_path):
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE, folder)
    scene_file = folder / "scenes" / "s01_hello.py"
    source = scene_file.read_text(encoding="utf-8")
    docstring = '        """タイトル → 「ノイズ」の文字が現れる"""\n'
    assert docstring in source
    scene_file.write_text("from pathlib import Path\n" + source.replace(docstring, docstring + SAVE_ONCE, 1),
                          encoding="utf-8")
    screenplay = load_screenplay(folder / "noise_in_two_scenes.yaml")
    root = tmp_path / "build"

    with pytest.raises(RenderError) as failed:
        render_video(SILENT, screenplay=screenplay, root=root, progress=Progress(quiet=True), only=["s01_hello"])
    assert "was saved again while the render ran" in str(failed.value)
    assert scene_file.read_text(encoding="utf-8").endswith("# saved again\n")
    store = ChunkStore(layout_for(screenplay, SILENT, root).chunks_dir)
    assert not store.recorded("s01_hello"), "no chunk is kept from the job that ran the old text"

    report = render_video(SILENT, screenplay=screenplay, root=root, progress=Progress(quiet=True), only=["s01_hello"])
    assert [r.scene_id for r in report.rendered] == ["s01_hello"]
    assert store.recorded("s01_hello")
