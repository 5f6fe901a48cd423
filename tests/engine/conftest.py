"""The real trained models, from the cache; a fresh machine trains them once per session."""

import pytest

from diffusion_explainer.engine import models


@pytest.fixture(scope="session")
def trained_models():
    return models.load_or_train_all(progress=True)


@pytest.fixture(scope="session")
def pixel_model(trained_models):
    return trained_models["pixel"]


@pytest.fixture(scope="session")
def latent_model(trained_models):
    return trained_models["latent"]
