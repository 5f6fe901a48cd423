"""Every animation cue of the screenplay has its method in its scene file, and every scene file
is one ExplainerScene for its scene id."""

import importlib.util
import inspect

import pytest

from diffusion_explainer.scene.explainer_scene import ExplainerScene
from tests.conftest import REPO


def scene_classes(scene_id):
    path = REPO / "scenes" / f"{scene_id}.py"
    spec = importlib.util.spec_from_file_location(f"scene_{scene_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [c for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, ExplainerScene) and c is not ExplainerScene and c.__module__ == module.__name__]


@pytest.mark.parametrize("index", range(8))
def test_scene_file_has_one_scene_with_a_method_per_cue(screenplay, index):
    scene = screenplay.scenes[index]
    classes = scene_classes(scene.id)
    assert len(classes) == 1, f"scenes/{scene.id}.py must define exactly one scene class"
    cls = classes[0]
    assert cls.scene_id == scene.id
    for cue in scene.cues:
        method = getattr(cls, cue.id, None)
        assert callable(method), f"scenes/{scene.id}.py: no method for cue '{cue.id}' ({cue.animation})"
        assert method.__qualname__.startswith(cls.__name__ + "."), f"{cue.id} must be defined in the scene itself"
    extra = {name for name, _ in inspect.getmembers(cls, inspect.isfunction)
             if name in {c.id for s in screenplay.scenes for c in s.cues} and name not in {c.id for c in scene.cues}
             and getattr(cls, name).__qualname__.startswith(cls.__name__ + ".")}
    assert not extra, f"methods for cues of other scenes: {extra}"
