"""The procedural colour-grid pictures: the classes the script's prompts use, seeded variation."""

import numpy as np
import pytest

from diffusion_explainer.engine import pictures
from diffusion_explainer.engine.metrics import NearestCentroidClassifier


def test_the_script_prompts_are_classes():
    names = {c.japanese for c in pictures.CLASSES}
    assert {"猫", "夕焼け", "夕焼けの中を歩く猫"} <= names and len(names) >= 5
    assert pictures.class_id("夕焼けの中を歩く猫") == pictures.class_id("a cat walking in a sunset")
    with pytest.raises(KeyError, match="犬"):
        pictures.class_id("犬")


@pytest.mark.parametrize("size", [8, 64])
def test_pictures_are_seeded_and_in_the_ddpm_range(size):
    a = pictures.example("猫", size=size, seed=1)
    assert a.shape == (size, size, 3) and a.dtype == np.float32
    assert a.min() >= -1 and a.max() <= 1
    np.testing.assert_array_equal(a, pictures.example("猫", size=size, seed=1))
    assert not np.array_equal(a, pictures.example("猫", size=size, seed=2))


def test_small_picture_is_the_large_one_seen_from_afar():
    big = pictures.example("夕焼けの中を歩く猫", size=64, seed=3)
    small = pictures.example("夕焼けの中を歩く猫", size=8, seed=3)
    np.testing.assert_allclose(big.reshape(8, 8, 8, 8, 3).mean(axis=(1, 3)), small, atol=1e-5)


def test_classes_are_told_apart_even_at_8x8():
    train, train_labels = pictures.make_dataset(64, 8, seed=0)
    test, test_labels = pictures.make_dataset(20, 8, seed=99)
    assert NearestCentroidClassifier(train, train_labels).accuracy(test, test_labels) >= 0.95


def test_display_helpers():
    img = pictures.to_uint8(np.array([[[-1.0, 0.0, 1.0]]]))
    np.testing.assert_array_equal(img, [[[0, 128, 255]]])
    assert pictures.enlarge(pictures.to_uint8(pictures.example(0)), 4).shape == (32, 32, 3)
