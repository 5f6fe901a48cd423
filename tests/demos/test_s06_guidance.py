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


# -- the sweep's note: each clause follows its own measurement ------------------------------------
def _sweep(*rows):
    """(scale, accuracy, diversity, fidelity) rows as the engine's sweep points."""
    return [metrics.GuidancePoint(scale=s, fidelity=f, diversity=d, accuracy=a) for s, a, d, f in rows]


TEXTBOOK = ((0.0, 0.20, 0.60, 0.30), (1.0, 0.95, 0.45, 0.30), (3.0, 1.00, 0.40, 0.29), (7.0, 1.00, 0.35, 0.31))


def _kinds(sweep):
    return [c.kind for c in guidance.sweep_caveat(sweep)]


def test_no_note_when_the_numbers_follow_the_narration():
    assert guidance.sweep_caveat(_sweep(*TEXTBOOK)) == ()


def test_a_rise_in_diversity_is_said_where_it_happens_and_only_there():
    rows = list(TEXTBOOK)
    rows[3] = (7.0, 1.00, 0.52, 0.31)
    (clause,) = guidance.sweep_caveat(_sweep(*rows))
    assert clause.kind == "diversity_rises" and "s = 3 → 7" in clause.text
    assert clause.numbers == "多様性 0.40 → 0.52"
    rows[2] = (3.0, 1.00, 0.47, 0.29)  # now also between s = 1 and 3
    texts = [c.text for c in guidance.sweep_caveat(_sweep(*rows))]
    assert any("s = 1 → 3" in t for t in texts) and any("s = 3 → 7" in t for t in texts)


def test_a_rise_the_screen_cannot_show_is_not_claimed():
    rows = list(TEXTBOOK)
    rows[3] = (7.0, 1.00, 0.403, 0.31)  # 0.40 -> 0.40 on screen
    assert guidance.sweep_caveat(_sweep(*rows)) == ()


def test_a_fall_in_accuracy_is_said_with_its_percentages():
    rows = list(TEXTBOOK)
    rows[3] = (7.0, 0.90, 0.35, 0.31)
    (clause,) = guidance.sweep_caveat(_sweep(*rows))
    assert clause.kind == "accuracy_falls" and "s = 3 → 7" in clause.text
    assert clause.numbers == "正解率 100% → 90%"


def test_breaking_is_said_only_when_the_pictures_leave_the_data():
    rows = list(TEXTBOOK)
    rows[3] = (7.0, 1.00, 0.35, 0.29 * guidance.BREAK_FACTOR * 1.05)
    (clause,) = guidance.sweep_caveat(_sweep(*rows))
    assert clause.kind == "breaks" and clause.text == "s = 7 で絵が崩れ始める"
    assert clause.numbers == "学習画像との距離 0.40（s = 3 では 0.29）"
    rows[3] = (7.0, 1.00, 0.35, 0.29 * guidance.BREAK_FACTOR * 0.95)
    assert guidance.sweep_caveat(_sweep(*rows)) == ()


def test_pictures_far_from_the_data_below_the_best_scale_are_called_unformed():
    rows = list(TEXTBOOK)
    rows[0] = (0.0, 0.20, 0.60, 0.45)
    assert _kinds(_sweep(*rows)) == ["unformed"]
    assert guidance.sweep_caveat(_sweep(*rows))[0].text == "s = 0 では絵がまとまらない"


def test_the_note_on_screen_matches_the_real_sweep():
    sweep = guidance.scale_sweep()
    clauses = {c.kind: c for c in guidance.sweep_caveat(sweep)}
    by_scale = sorted(sweep, key=lambda r: r.scale)
    pairs = list(zip(by_scale, by_scale[1:]))
    assert ("diversity_rises" in clauses) == any(round(b.diversity, 2) > round(a.diversity, 2) for a, b in pairs)
    assert ("accuracy_falls" in clauses) == any(round(b.accuracy * 100) < round(a.accuracy * 100) for a, b in pairs)
    best = min(sweep, key=lambda r: r.fidelity)
    far = [r.scale for r in sweep if r.fidelity > guidance.BREAK_FACTOR * best.fidelity]
    assert ("breaks" in clauses) == any(s > best.scale for s in far)
    assert ("unformed" in clauses) == any(s < best.scale for s in far)


def test_the_method_line_names_the_sweeps_real_settings():
    text = "".join(guidance.sweep_method())
    assert f"DDIM {guidance.SWEEP_SAMPLER_STEPS} ステップ" in text
    assert "DDIM：途中で乱数を足さず" in text  # DDIM is said in a word where it first appears
    assert f"{guidance.SWEEP_PER_CLASS} 枚ずつ" in text and f"{pictures.NUM_CLASSES} 種類" in text


def test_the_pictures_without_a_prompt_are_clean_and_of_varied_kinds():
    # 「何の絵になるかは運まかせ」: several kinds, each as near the training pictures as real ones
    m = guidance.models.load_pixel_model()
    drawn = guidance.unprompted()
    assert len(drawn) == 6 and drawn.shape[1:] == m.images.shape[1:]
    kinds = metrics.NearestCentroidClassifier(m.images, m.labels).predict(drawn)
    assert len(set(kinds.tolist())) >= 3, kinds
    held_out, _ = pictures.make_dataset(16, m.images.shape[1], seed=1234)
    assert metrics.nearest_neighbour_rms(drawn, m.images).max() <= metrics.nearest_neighbour_rms(held_out, m.images).max()
    assert "6 枚" in guidance.UNPROMPTED_CAPTION and "画素の模型" in guidance.UNPROMPTED_CAPTION
