"""Scene 07's sizes, reconstructions and latent runs come from the trained latent model."""

import numpy as np

from diffusion_explainer.demos import latent
from diffusion_explainer.engine import metrics, pictures


def test_sizes_are_eight_times_smaller_per_side_and_48_times_fewer_values():
    s = latent.sizes()
    toy, sd = s["toy"], s["stable_diffusion"]
    assert (str(toy.picture), str(toy.latent)) == ("64×64×3", "8×8×4")
    assert (sd.picture.values, sd.latent.values) == (786_432, 16_384)
    for size in (toy, sd):
        assert size.side_factor == 8 and size.value_factor == 48


def test_the_learned_decoder_restores_more_than_the_pca_inverse():
    e = latent.encoding()
    assert e.latent.shape == (8, 8, 4)
    assert e.psnr_decoded > e.psnr_linear + 2
    assert e.held_out_psnr_decoded > e.held_out_psnr_linear + 2
    assert e.held_out_psnr_decoded > 23  # close to the original, though not lossless
    np.testing.assert_allclose(metrics.psnr(e.picture, e.decoded), e.psnr_decoded)


def test_latent_noising_starts_at_the_encoded_picture_and_ends_in_noise():
    film, z0 = latent.latent_noising(), latent.encoding().latent
    np.testing.assert_array_equal(film.latents[0], z0)
    end = film.latents[-1]
    assert 0.7 < end.std() < 1.3
    assert abs(np.corrcoef(end.ravel(), z0.ravel())[0, 1]) < 0.3


def test_latent_generation_decodes_to_the_prompts_picture():
    m = latent.model()
    film = latent.latent_generation()
    assert film.steps[0] == 1000 and film.steps[-1] == 0
    classifier = metrics.NearestCentroidClassifier(m.images, m.labels)
    assert classifier.predict(film.decoded[-1:])[0] == pictures.class_id(latent.PROMPT)
    near = metrics.nearest_neighbour_rms(film.decoded[[0, -1]], m.images)
    assert near[1] < 0.25 < near[0]
