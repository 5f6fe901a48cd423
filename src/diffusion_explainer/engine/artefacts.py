"""A cache of trained models: files keyed by everything that changes the result.

<cache>/<kind>-<key>/ holds weights.npz, training_log.npz, data/<name>.npy (the training
pictures, so a load need not redraw them; memory-mapped, so a load does not read them until they
are used) and meta.json (config and timings).
The key is a hash of the model kind, its configuration and ENGINE_VERSION, so a changed
setting trains a new model instead of silently reusing an old one. Bump ENGINE_VERSION when
code that changes trained numbers changes (pictures, network, training, autoencoder).

A model is written to a temporary directory and renamed into place, so a crash never leaves a
half-written artefact; a lock file makes parallel scene renders wait for one training run
instead of all training the same model.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core import runtime

# Part of every model's cache key: a new number retrains every model under a new key, so a model
# cached by other engine code is never reused.
ENGINE_VERSION = 4
CACHE_ENV = runtime.CACHE_ENV  # the cache root: the models are in its engine/ folder


def cache_root() -> Path:
    """The folder of the trained models: engine/ of the project's cache root."""
    return runtime.cache_root() / "engine"


def _jsonable(config) -> object:
    return dataclasses.asdict(config) if dataclasses.is_dataclass(config) else config


def config_key(kind: str, config) -> str:
    """A short hash of kind, configuration and engine version."""
    text = json.dumps({"kind": kind, "engine_version": ENGINE_VERSION, "config": _jsonable(config)},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def artefact_dir(kind: str, config) -> Path:
    return cache_root() / f"{kind}-{config_key(kind, config)}"


@dataclasses.dataclass
class Artefact:
    weights: dict  # name -> array
    log: dict  # name -> array (e.g. loss per iteration)
    data: dict  # name -> array (the training pictures and labels)
    meta: dict  # json-able: config, timings, measured numbers
    path: Path | None = None
    trained_now: bool = False


def read(path: Path) -> Artefact:
    def arrays(name):
        with np.load(path / name) as f:
            return {k: f[k] for k in f.files}

    data = {f.stem: np.load(f, mmap_mode="r") for f in sorted((path / "data").glob("*.npy"))}
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    return Artefact(arrays("weights.npz"), arrays("training_log.npz"), data, meta, path)


def _write(path: Path, art: Artefact) -> None:
    tmp = path.parent / f".tmp-{path.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.savez(tmp / "weights.npz", **art.weights)
    np.savez(tmp / "training_log.npz", **art.log)
    (tmp / "data").mkdir()
    for name, array in art.data.items():
        np.save(tmp / "data" / f"{name}.npy", array)
    (tmp / "meta.json").write_text(json.dumps(art.meta, indent=2, ensure_ascii=False), encoding="utf-8")
    os.rename(tmp, path)  # atomic: readers see the whole directory or none of it


def load_or_build(kind: str, config, build: Callable[[], Artefact], force: bool = False,
                  progress: bool = False) -> Artefact:
    """The cached artefact for (kind, config), building and storing it first if it is missing."""
    path = artefact_dir(kind, config)
    if path.is_dir() and not force:
        return read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be training the same model
        if path.is_dir() and not force:
            return read(path)
        if progress:
            print(f"[engine] training {kind} (cache: {path})", file=sys.stderr, flush=True)
        art = build()
        art.meta = {"kind": kind, "key": path.name, "engine_version": ENGINE_VERSION,
                    "config": _jsonable(config), **art.meta}
        if path.is_dir():  # only with force: replace the old artefact
            old = path.parent / f".old-{path.name}-{os.getpid()}"
            os.rename(path, old)
            shutil.rmtree(old)
        _write(path, art)
    result = read(path)
    result.trained_now = True
    return result
