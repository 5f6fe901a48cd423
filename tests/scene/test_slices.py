"""A long animation is played in slices (subtitle pages change between them, and a chunk can
begin at any of them): the frames drawn in slices must be the frames drawn in one call."""

import itertools

import numpy as np
from manim import Animation, Square

from diffusion_explainer.scene.explainer_scene import _Slice, sliced


def test_long_stretches_are_cut_evenly_and_the_given_cuts_kept():
    assert sliced([0, 96], 48) == [0, 48, 96]
    assert sliced([10, 20, 130], 48) == [10, 20, 56, 93, 130]  # the page change at 20 stays a cut
    assert sliced([0, 5], 48) == [0, 5]
    assert all(b - a <= 48 for a, b in zip(sliced([0, 1000], 48), sliced([0, 1000], 48)[1:]))


class Recorder(Animation):
    def __init__(self, total):
        super().__init__(Square(), run_time=1.0)
        self.alphas = []

    def interpolate(self, alpha):
        self.alphas.append(alpha)


def drawn_alphas(cuts, fps=60):
    """What the inner animation is asked for at each drawn frame when Manim plays each slice the
    way _play_frames has it: n frames at t = k / fps with run_time (n - 0.5) / fps."""
    total = cuts[-1] - cuts[0]
    inner = Recorder(total)
    for i, (a, b) in enumerate(itertools.pairwise(cuts)):
        part = _Slice(inner, a - cuts[0], b - a, total, first=i == 0, last=b == cuts[-1])
        run_time = (b - a - 0.5) / fps if b - a > 1 else 1 / fps
        for t in np.arange(0, run_time, 1 / fps):
            part.interpolate(t / run_time)
    return inner.alphas


def test_slices_ask_for_exactly_what_one_call_asks_for():
    whole = drawn_alphas([0, 97])
    assert len(whole) == 97
    for cuts in ([0, 48, 97], [0, 1, 2, 50, 97], sliced([0, 97], 10), [0, 96, 97]):
        assert drawn_alphas(cuts) == whole, cuts
