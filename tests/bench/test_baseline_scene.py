"""The bench's naive baseline scene loads as Manim loads a scene file: by its path, as a module of
its own outside the package (a relative import there fails with "No module named '/'")."""

from manim.utils.module_ops import get_module, get_scene_classes_from_module

from diffusion_explainer.bench.benchmark import BASELINE_FILE


def test_manim_loads_the_naive_scene_by_its_path(monkeypatch):
    monkeypatch.setenv("DIFFUSION_EXPLAINER_BASELINE_SCENE", "s03_forward")
    module = get_module(BASELINE_FILE)
    names = [scene.__name__ for scene in get_scene_classes_from_module(module)]
    assert "NaiveScene" in names
