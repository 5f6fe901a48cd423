"""The artefact cache: built once, reused, keyed by everything that changes the result."""

import dataclasses
import json
import time

import numpy as np
import pytest

from diffusion_explainer.engine import artefacts, models
from diffusion_explainer.engine.training import TrainingConfig


@dataclasses.dataclass(frozen=True)
class ToyConfig:
    size: int = 3


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(artefacts.CACHE_ENV, str(tmp_path))
    models.forget_loaded()
    yield tmp_path
    models.forget_loaded()


def _counting_builder(calls, config):
    def build():
        calls.append(config)
        return artefacts.Artefact({"w": np.arange(config.size, dtype=np.float32)},
                                  {"loss": np.ones(2)}, {"x": np.zeros(1)}, {"seconds": {"a": 1.0}})
    return build


def test_second_load_does_not_rebuild(cache):
    calls = []
    first = artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()))
    second = artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()))
    assert len(calls) == 1 and first.trained_now and not second.trained_now
    np.testing.assert_array_equal(second.weights["w"], np.arange(3))
    meta = json.loads((second.path / "meta.json").read_text())
    assert meta["config"] == {"size": 3} and meta["engine_version"] == artefacts.ENGINE_VERSION
    assert second.path.parent == cache / "engine"
    assert sorted(p.name for p in second.path.iterdir()) == [
        "check.json", "content_digest.txt", "data", "meta.json", "training_log.npz", "weights.npz"]
    np.testing.assert_array_equal(second.data["x"], np.zeros(1))


def test_changed_config_or_version_gets_a_new_key(cache, monkeypatch):
    base = artefacts.config_key("toy", ToyConfig())
    assert artefacts.config_key("toy", ToyConfig(size=4)) != base
    assert artefacts.config_key("other", ToyConfig()) != base
    monkeypatch.setattr(artefacts, "ENGINE_VERSION", artefacts.ENGINE_VERSION + 1)
    assert artefacts.config_key("toy", ToyConfig()) != base
    nested = models.PixelModelConfig()
    changed = dataclasses.replace(nested, training=dataclasses.replace(nested.training, seed=7))
    assert artefacts.config_key("pixel", nested) != artefacts.config_key("pixel", changed)


def test_force_rebuilds_and_a_failed_build_leaves_nothing(cache):
    calls = []
    artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()))
    artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()), force=True)
    assert len(calls) == 2

    def crash():
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        artefacts.load_or_build("toy", ToyConfig(size=9), crash)
    assert not artefacts.artefact_dir("toy", ToyConfig(size=9)).exists()
    assert not [p for p in (cache / "engine").iterdir() if p.name.startswith(".")]


def _damage(path, how):
    if how == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "zero":
        path.write_bytes(bytes(path.stat().st_size))
    else:
        path.unlink()


@pytest.mark.parametrize("how", ["truncate", "zero", "delete"])
@pytest.mark.parametrize("name", ["weights.npz", "data/x.npy", "meta.json"])
def test_a_damaged_model_is_built_again_with_one_line_and_the_same_digest(cache, caplog, name, how):
    calls = []
    first = artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()))
    recorded = artefacts.recorded_digest(first.path)
    assert recorded == artefacts.content_digest(first)
    _damage(first.path / name, how)
    with caplog.at_level("WARNING", logger="diffusion_explainer.cache"):
        again = artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()))
    assert len(calls) == 2 and again.trained_now
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith(f"cache: engine/{first.path.name} was damaged ("), lines
    assert name in lines[0] and lines[0].endswith("made again")
    # the numbers are the same, so the digest the scenes are keyed by is too (the files' bytes are not:
    # np.savez stamps the time)
    assert artefacts.recorded_digest(again.path) == recorded
    np.testing.assert_array_equal(again.weights["w"], np.arange(3))


def test_a_model_from_before_the_checks_is_adopted_not_retrained(cache):
    calls = []
    first = artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()))
    recorded = artefacts.recorded_digest(first.path)
    (first.path / "check.json").unlink()
    (first.path / "content_digest.txt").unlink()
    assert artefacts.recorded_digest(first.path) == recorded  # adopted, in place
    again = artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()))
    assert len(calls) == 1 and not again.trained_now
    # an old folder that does not read is not adopted: it is built again
    (first.path / "check.json").unlink()
    _damage(first.path / "weights.npz", "truncate")
    artefacts.load_or_build("toy", ToyConfig(), _counting_builder(calls, ToyConfig()))
    assert len(calls) == 2


def test_model_loader_trains_once_then_loads(cache):
    config = models.PixelModelConfig(
        pictures_per_class=4, width=16, cond_dim=8, time_dim=8,
        training=TrainingConfig(iterations=20, batch_size=8, snapshot_iterations=(10,)))
    first = models.load_pixel_model(config, progress=False)
    assert first.meta["trained_now"] and len(first.training_log()) == 20
    models.forget_loaded()
    second = models.load_pixel_model(config, progress=False)
    assert not second.meta["trained_now"]
    for k, v in first.denoiser.params.items():
        np.testing.assert_array_equal(second.denoiser.params[k], v)
    assert list(second.snapshots) == [10]


def test_real_models_load_fast_from_cache(pixel_model, latent_model):
    models.forget_loaded()
    start = time.perf_counter()
    pixel = models.load_pixel_model(progress=False)
    latent = models.load_latent_model(progress=False)
    assert time.perf_counter() - start < 1.0
    assert not pixel.meta["trained_now"] and not latent.meta["trained_now"]


# Code whose changes can change trained numbers. A cached artefact is only as fresh as its key,
# and the key only knows ENGINE_VERSION: without a bump, a model trained by other autoencoder code
# is reused under the same key. So the test below fails whenever this code changes (comments and
# docstrings aside); whoever changed it bumps ENGINE_VERSION if trained numbers can differ, and
# records the new fingerprint.
TRAINING_CODE = ("pictures.py", "schedule.py", "network.py", "optim.py", "training.py",
                 "autoencoder.py", "models.py", "blas.py")
RECORDED_FINGERPRINT = (4, "40c51133d35d7880")


def _code_fingerprint() -> str:
    import ast
    import hashlib
    from pathlib import Path

    engine = Path(artefacts.__file__).parent
    digest = hashlib.sha256()
    for name in TRAINING_CODE:
        tree = ast.parse((engine / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # drop docstrings: editing prose must not trip the check
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                    and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        digest.update(ast.dump(tree).encode())
    return digest.hexdigest()[:16]


def test_engine_version_is_bumped_with_the_training_code():
    assert RECORDED_FINGERPRINT == (artefacts.ENGINE_VERSION, _code_fingerprint()), (
        "the training code changed: bump artefacts.ENGINE_VERSION if trained numbers can change, "
        f"then set RECORDED_FINGERPRINT = ({artefacts.ENGINE_VERSION}, {_code_fingerprint()!r})")
