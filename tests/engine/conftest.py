"""The real trained models, from the cache; a fresh machine trains them once per session."""

import pytest

from diffusion_explainer.engine import models


@pytest.fixture(scope="session")
def pixel_model():
    return models.load_pixel_model(progress=True)


@pytest.fixture(scope="session")
def latent_model():
    return models.load_latent_model(progress=True)
