"""Scene 06's prompt vector, conditioned run, guidance arrows and scale sweep come from the
trained latent model."""

import numpy as np
import pytest

from diffusion_explainer.demos import guidance
from diffusion_explainer.engine import metrics, pictures


@pytest.fixture(scope="module")
def classifier():
    m = guidance.model()
    return metrics.NearestCentroidClassifier(m.images, m.labels)


def test_the_prompt_vector_is_the_learned_embedding_of_the_prompt():
    vec = guidance.prompt_vector()
    table = guidance.model().denoiser.params["E"]
    assert vec.class_id == pictures.class_id("夕焼けの中を歩く猫")
    assert vec.table_rows == pictures.NUM_CLASSES + 1  # every prompt plus "no prompt"
    np.testing.assert_array_equal(vec.values, table[vec.class_id])
    assert not np.allclose(vec.values, table[-1])


def test_the_conditioned_run_turns_noise_into_the_prompts_picture(classifier):
    run = guidance.conditioned_run()
    m = guidance.model()
    assert run.steps[0] == 1000 and run.steps[-1] == 0
    assert classifier.predict(run.final[None])[0] == guidance.prompt_id()
    start, end = metrics.nearest_neighbour_rms(np.stack([run.noisy[0], run.final]), m.images)
    assert end < 0.25 < start


def test_guidance_stretches_the_difference_of_the_two_predictions(classifier):
    at = guidance.guidance_at()
    assert at.collinear_error < 1e-3  # eps_u + s (eps_c - eps_u): on the line, s times the difference
    assert 0 < at.difference_norm < 0.5 * at.prediction_norm
    to_prompt = metrics.pairwise_rms(np.stack([at.without_text, at.with_text]),
                                     classifier.centroids[[guidance.prompt_id()]])[:, 0]
    assert to_prompt[1] < to_prompt[0]  # the prompt pulls the predicted picture towards its kind
    assert classifier.predict(at.guided[None])[0] == guidance.prompt_id()


def test_the_scale_sweep_shows_the_prompt_taking_over(classifier):
    sweep = {r.scale: r for r in guidance.scale_sweep()}
    assert sweep[0.0].accuracy < 0.5 and sweep[1.0].accuracy > 0.9 and sweep[3.0].accuracy > 0.9
    assert sweep[1.0].diversity < sweep[0.0].diversity  # following the prompt narrows the pictures
    # the shown pictures are the sweep's own samples of the prompt
    for r in sweep.values():
        share = np.mean(classifier.predict(r.samples) == guidance.prompt_id())
        assert (share >= 0.75) == (r.scale >= 1.0)
