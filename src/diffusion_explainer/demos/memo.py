"""Demo results kept on disk, so that the many processes rendering a video compute each once.

A scene's pictures and numbers come from runs of the trained models (a thousand-step sampling,
a guidance sweep of 80 pictures), seeded, so the same inputs always give the same result. Every
chunk of a scene runs the scene's story, and with it these computations: the slowest took several
CPU-seconds per chunk. `on_disk` keeps a result in the cache's store (core/store.py) under a key
made of the function, its arguments, the trained models it may use and the code of the engine and
the demos; a process finds it there (and in memory after the first call) instead of computing it
again.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from ..core import runtime
from ..core.keys import digest
from ..core.store import Store

_PACKAGE = Path(__file__).resolve().parents[1]
# What cache/demos may hold, the least recently used let go first: the video's results take a few
# megabytes, and every edit of the engine's or the demos' code keys a new set.
MAX_BYTES = 256 * 2**20


@functools.cache
def _inputs_digest() -> str:
    """The code that computes demo results and the trained models it reads (their files' names
    and sizes: a model's folder is named by its configuration and engine version)."""
    from ..engine import models

    h = hashlib.sha256()
    for folder in ("demos", "engine"):
        for path in sorted((_PACKAGE / folder).glob("*.py")):
            h.update(path.name.encode() + path.read_bytes())
    for folder in models.artefact_dirs():
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                h.update(f"{path.relative_to(folder.parent)}:{path.stat().st_size}".encode())
    return h.hexdigest()[:16]


def store() -> Store:
    return Store(runtime.cache_dir("demos"), max_bytes=MAX_BYTES)


def on_disk(function):
    """Keep the function's results in the cache's demos/ store (and in memory)."""

    @functools.lru_cache(maxsize=8)
    def cached(*args, **kwargs):
        key = f"{function.__name__}-" + digest(repr((function.__module__, function.__qualname__, args,
                                                     sorted(kwargs.items()), _inputs_digest())).encode())
        results = store()
        found = results.get_object(key)
        if found is not None:
            return found
        result = function(*args, **kwargs)
        results.put_object(key, result)
        results.prune()
        return result

    functools.update_wrapper(cached, function)
    return cached
