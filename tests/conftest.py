import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCREENPLAY = REPO / "script" / "diffusion_explainer.yaml"
SEED_DIR = REPO.parent / "shared" / "seed"


@pytest.fixture(scope="session")
def screenplay():
    from diffusion_explainer.screenplay import load_screenplay

    return load_screenplay(SCREENPLAY)
