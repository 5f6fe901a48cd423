"""The runtime settings of a render and of the scene processes it starts, in one place: every
environment variable the project reads, where it builds and caches, and silent mode.

A render hands a scene process its plan as a file (`PLAN_ENV`, see timing/handover.py); the other
variables are for people and tests:
- DIFFUSION_EXPLAINER_BUILD: the build folder, where renders write (default: build/ in the checkout);
- DIFFUSION_EXPLAINER_CACHE: the cache root (default: build/cache/ in the checkout, whatever the
  build folder: what is cached there is named by its content and serves every build): speech/,
  tracks/, engine/ (the trained models), demos/ and audio are folders below it;
- DIFFUSION_EXPLAINER_SILENT=1: silent drafts, no speech synthesised (lengths estimated);
- DIFFUSION_EXPLAINER_SCREENPLAY: the screenplay a scene run alone (`manim -pql ...`) reads.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]  # src/diffusion_explainer/core/runtime.py -> the checkout
SCENES_DIR = REPO / "scenes"  # the project's own scene files

BUILD_ENV = "DIFFUSION_EXPLAINER_BUILD"
CACHE_ENV = "DIFFUSION_EXPLAINER_CACHE"
SILENT_ENV = "DIFFUSION_EXPLAINER_SILENT"
SCREENPLAY_ENV = "DIFFUSION_EXPLAINER_SCREENPLAY"
PLAN_ENV = "DIFFUSION_EXPLAINER_PLAN"  # set by render: the scene's plan file
FRAME_LOG_ENV = "DIFFUSION_EXPLAINER_FRAME_LOG"  # tests: a file to list a hash of every frame encoded
PROGRESS_ENV = "DIFFUSION_EXPLAINER_PROGRESS"  # set by render: a file the scene adds each finished call's frames to


def build_dir() -> Path:
    return Path(os.environ.get(BUILD_ENV) or REPO / "build")


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or REPO / "build" / "cache")


def cache_dir(kind: str) -> Path:
    """A folder of the cache (speech, tracks, engine, demos), made if missing."""
    path = cache_root() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def silent_mode(override: bool | None = None) -> bool:
    """The argument if given, else whether DIFFUSION_EXPLAINER_SILENT is set to a true value."""
    if override is not None:
        return override
    return os.environ.get(SILENT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}
