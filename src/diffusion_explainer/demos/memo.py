"""Demo results kept on disk, so that the many processes rendering a video compute each once.

A scene's pictures and numbers come from runs of the trained models (a thousand-step sampling,
a guidance sweep of 80 pictures), seeded, so the same inputs always give the same result. Every
chunk of a scene runs the scene's story, and with it these computations: the slowest took several
CPU-seconds per chunk. `on_disk` keeps a result under a name made of the function, its
arguments, the trained models it may use and the code of the engine and the demos; a process
finds it there (and in memory after the first call) instead of computing it again.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from pathlib import Path

from ..core import runtime
from ..core.files import write_bytes

_PACKAGE = Path(__file__).resolve().parents[1]


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


def on_disk(function):
    """Keep the function's results in the cache's demos/ folder (and in memory)."""

    @functools.lru_cache(maxsize=8)
    def cached(*args, **kwargs):
        key = hashlib.sha256(repr((function.__module__, function.__qualname__, args, sorted(kwargs.items()),
                                   _inputs_digest())).encode()).hexdigest()[:24]
        path = runtime.cache_dir("demos") / f"{function.__name__}-{key}.pkl"
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            pass
        result = function(*args, **kwargs)
        write_bytes(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        return result

    functools.update_wrapper(cached, function)
    return cached
