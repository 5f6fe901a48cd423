"""A cache of trained models: files keyed by everything that changes the result.

<cache>/<kind>-<key>/ holds weights.npz, training_log.npz, data/<name>.npy (the training
pictures, so a load need not redraw them; memory-mapped, so a load does not read them until they
are used), meta.json (config and timings), content_digest.txt (the digest of its numbers, which
keys the scenes) and check.json: the folder is an entry of core/store.py's store, each file's size
and sha256 checked when it is loaded, and a damaged one is trained again.
The key is a hash of the model kind, its configuration and ENGINE_VERSION, so a changed
setting trains a new model instead of silently reusing an old one. Bump ENGINE_VERSION when
code that changes trained numbers changes (pictures, network, training, autoencoder).

A model is written to a temporary directory and renamed into place, so a crash never leaves a
half-written artefact; a lock file makes parallel scene renders wait for one training run
instead of all training the same model.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core import runtime
from ..core.files import PARTIAL_MARK, write_text
from ..core.store import CHECK_NAME, Store

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


CONTENT_NAME = "content_digest.txt"  # in an artefact's folder: the digest of its arrays (content_digest)
_UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


def store() -> Store:
    """The trained models as entries of core/store.py's store: each file checked when loaded."""
    return Store(cache_root())


def content_digest(art: Artefact) -> str:
    """A digest of the arrays (names, dtypes, shapes, values), not of the files: np.savez stamps
    its zip members with the time, so a retraining that reproduces every number (training is
    seeded) writes other bytes but the same digest. The render keys the scenes by it."""
    h = hashlib.sha256()
    for part in (art.weights, art.log, art.data):
        for name in sorted(part):
            array = np.ascontiguousarray(part[name])
            h.update(f"{name} {array.dtype.str} {array.shape}\n".encode())
            h.update(array.tobytes())
        h.update(b"--\n")
    return h.hexdigest()[:20]


def recorded_digest(path: Path) -> str | None:
    """The content digest written with an artefact (None if there is none)."""
    if path.is_dir() and not (path / CHECK_NAME).exists():
        _adopt(path)
    try:
        return (path / CONTENT_NAME).read_text(encoding="ascii").strip() or None
    except (OSError, ValueError):
        return None


def read(path: Path) -> Artefact:
    def arrays(name):
        with np.load(path / name) as f:
            return {k: f[k] for k in f.files}

    data = {f.stem: np.load(f, mmap_mode="r") for f in sorted((path / "data").glob("*.npy"))}
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    return Artefact(arrays("weights.npz"), arrays("training_log.npz"), data, meta, path)


def _write_files(folder: Path, art: Artefact) -> None:
    np.savez(folder / "weights.npz", **art.weights)
    np.savez(folder / "training_log.npz", **art.log)
    (folder / "data").mkdir()
    for name, array in art.data.items():
        np.save(folder / "data" / f"{name}.npy", array)
    (folder / "meta.json").write_text(json.dumps(art.meta, indent=2, ensure_ascii=False), encoding="utf-8")
    (folder / CONTENT_NAME).write_text(content_digest(art) + "\n", encoding="ascii")


def _write(path: Path, art: Artefact) -> None:
    """Into the store: written in a temporary folder, checked sums added, renamed into place (readers
    see the whole folder or none of it)."""
    models = store()
    with models.making() as work:
        _write_files(work, art)
        models.put_files(path.name, work)


def checked(path: Path) -> bool:
    """Whether the artefact is there and intact (every file's size and sha256 as written); a damaged
    one is removed and reported in one line. A folder from before the checks is adopted if it reads."""
    if path.is_dir() and not (path / CHECK_NAME).exists():
        _adopt(path)
    return store().entry_dir(path.name) is not None


def _adopt(path: Path) -> None:
    """Give a model written before the store its checks, in place (readers keep seeing it), if all
    of it reads (np.load checks each zip member's CRC); else leave it to be found damaged."""
    with _lock(path):
        if (path / CHECK_NAME).exists() or not path.is_dir():
            return
        try:
            digest = content_digest(read(path))
        except _UNREADABLE:
            return
        write_text(path / CONTENT_NAME, digest + "\n")
        check = {}
        for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
            with open(file, "rb") as f:
                check[file.relative_to(path).as_posix()] = [file.stat().st_size, hashlib.file_digest(f, "sha256").hexdigest()]
        write_text(path / CHECK_NAME, json.dumps(check, indent=1))


@contextlib.contextmanager
def _lock(path: Path):
    """One process at a time makes or mends an artefact (parallel scene renders wait for it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _read_checked(path: Path) -> Artefact | None:
    """The artefact, if it is there, intact and readable; None otherwise (a damaged one removed)."""
    if not checked(path):
        return None
    try:
        return read(path)
    except _UNREADABLE as e:  # intact bytes this code cannot read (written by other code)
        store().discard(path.name, f"unreadable: {type(e).__name__}: {e}")
        return None


def load_or_build(kind: str, config, build: Callable[[], Artefact], force: bool = False,
                  progress: bool = False) -> Artefact:
    """The cached artefact for (kind, config), building and storing it first if it is missing or
    damaged."""
    path = artefact_dir(kind, config)
    found = None if force else _read_checked(path)
    if found is not None:
        return found
    with _lock(path):  # another process may be training the same model
        found = None if force else _read_checked(path)
        if found is not None:
            return found
        if progress:
            print(f"[engine] training {kind} (cache: {path})", file=sys.stderr, flush=True)
        art = build()
        art.meta = {"kind": kind, "key": path.name, "engine_version": ENGINE_VERSION,
                    "config": _jsonable(config), **art.meta}
        if path.is_dir():  # only with force (or damaged beyond the checks): replace the old artefact
            old = path.parent / f".old-{path.name}-{os.getpid()}{PARTIAL_MARK}"
            os.rename(path, old)
            shutil.rmtree(old)
        _write(path, art)
    result = read(path)
    result.trained_now = True
    return result
