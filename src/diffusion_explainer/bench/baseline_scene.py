"""The benchmark's baseline as a file Manim can render:

    DIFFUSION_EXPLAINER_BASELINE_SCENE=s03_forward manim render -r 256,144 --fps 10 \
        src/diffusion_explainer/bench/baseline_scene.py NaiveScene

(`python -m diffusion_explainer bench` does this; see baseline.py for what "naive" means.)
"""

import os

# (absolute: Manim loads this file by its path, as a module outside the package)
from diffusion_explainer.bench.baseline import BASELINE_ENV, NaiveSubtitles, load_scene_class

_Scene = load_scene_class(os.environ.get(BASELINE_ENV, "s03_forward"))


class NaiveScene(NaiveSubtitles, _Scene):
    pass
