"""Where the project keeps what it makes: build outputs and caches (all under build/, ignored by git)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCENES_DIR = REPO / "scenes"
BUILD = Path(os.environ.get("DIFFUSION_EXPLAINER_BUILD", REPO / "build"))


def cache_root() -> Path:
    return Path(os.environ.get("DIFFUSION_EXPLAINER_CACHE", BUILD / "cache"))


def cache_dir(kind: str) -> Path:
    path = cache_root() / kind
    path.mkdir(parents=True, exist_ok=True)
    return path
