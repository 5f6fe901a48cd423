"""Scene 01's title card shows a real engine run: its own starting noise and what became of it."""

import numpy as np
import pytest

from diffusion_explainer.demos import title
from diffusion_explainer.engine import metrics, pictures
from diffusion_explainer.engine.sampling import sample_ddpm


@pytest.fixture(scope="module")
def run():
    return title.title_run()


def test_the_noise_is_where_the_picture_started(run):
    m = title.model()
    # the sampler's own x_T for the title's seed, drawn again here and decoded as the card shows it
    # (the card decodes every recorded step in one batch: equal up to float rounding)
    again = sample_ddpm(m, 1, pictures.class_id(title.PROMPT), title.GUIDANCE, seed=title.SEED,
                        record_steps=(1000, 0))
    np.testing.assert_allclose(run.start_noise, m.to_pictures(again.at(1000)[0])[0], atol=1e-5)
    np.testing.assert_allclose(run.picture, m.to_pictures(again.samples)[0], atol=1e-5)
    other_seed = sample_ddpm(m, 1, None, 1.0, seed=title.SEED + 1, record_steps=(1000,))
    assert not np.allclose(m.to_pictures(other_seed.at(1000)[0])[0], run.start_noise)


def test_the_picture_is_the_prompts_kind_and_the_noise_is_not_a_picture(run):
    m = title.model()
    classifier = metrics.NearestCentroidClassifier(m.images, m.labels)
    assert classifier.predict(run.picture[None])[0] == pictures.class_id(title.PROMPT)
    near, far = metrics.nearest_neighbour_rms(np.stack([run.picture, run.start_noise]), m.images)
    assert near < 0.25 < far
    assert title.PROMPT in run.picture_caption
