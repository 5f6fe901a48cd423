import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCREENPLAY = REPO / "script" / "diffusion_explainer.yaml"
SEED_DIR = REPO.parent / "shared" / "seed"


@pytest.fixture(scope="session")
def screenplay():
    from diffusion_explainer.screenplay import load_screenplay

    return load_screenplay(SCREENPLAY)


TINY_RENDER = dict(resolution="256,144", fps=10)


@pytest.fixture(scope="session")
def tiny_render(tmp_path_factory):
    """The whole video at 256x144, 10 fps, silent, rendered once for the session by the real
    pipeline (the render tests and the review page's tests read it back)."""
    import io

    from diffusion_explainer.core.build_layout import BuildLayout
    from diffusion_explainer.core.settings import RenderSettings
    from diffusion_explainer.render.pipeline import render_video
    from diffusion_explainer.render.progress import Progress

    settings = RenderSettings.custom(TINY_RENDER["resolution"], TINY_RENDER["fps"], silent=True, jobs=os.cpu_count() or 1)
    root = tmp_path_factory.mktemp("build")
    log = io.StringIO()
    report = render_video(settings, root=root, progress=Progress(stream=log, interval_s=30))
    print(log.getvalue())
    return BuildLayout(root, settings), report, log.getvalue()


SMALL_SCREENPLAY = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"


@pytest.fixture(scope="session")
def small_narrated_render(tmp_path_factory):
    """The 20-second second screenplay at 256x144, 10 fps, narrated, rendered once for the session
    (the any-screenplay tests and the review report's narrated checks read it back)."""
    import io

    from diffusion_explainer.core.build_layout import BuildLayout
    from diffusion_explainer.core.settings import RenderSettings
    from diffusion_explainer.render.pipeline import render_video
    from diffusion_explainer.render.progress import Progress
    from diffusion_explainer.screenplay import load_screenplay

    settings = RenderSettings.custom("256,144", 10, silent=False, jobs=os.cpu_count() or 1)
    root = tmp_path_factory.mktemp("small-build")
    log = io.StringIO()
    report = render_video(settings, screenplay=load_screenplay(SMALL_SCREENPLAY), root=root, progress=Progress(stream=log))
    return BuildLayout(root, settings, SMALL_SCREENPLAY.stem), report, log.getvalue()


@pytest.fixture
def tiny_video(tmp_path):
    def make(name: str, frames: int, **kwargs) -> Path:
        from tests.video_files import write_video

        return write_video(tmp_path / name, frames, **kwargs)

    return make
