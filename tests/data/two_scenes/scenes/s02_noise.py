"""A small example scene: a picture noised step by step, computed by the engine's forward process."""

import numpy as np
from manim import FadeIn, Group

from diffusion_explainer.engine import pictures, schedule
from diffusion_explainer.scene.toolbox import ExplainerScene, label, picture

STEPS = (0, 100, 250, 500, 750, 1000)


class Noise(ExplainerScene):
    scene_id = "s02_noise"

    def noising(self):
        """絵に少しずつノイズが加わり、最後はただのノイズになる"""
        x0 = pictures.example("猫", size=64, seed=2)
        eps = np.random.default_rng(7).standard_normal(x0.shape).astype(np.float32)
        spot = [0, self.layout.stage_center_y, 0]
        shots = [Group(picture(schedule.forward_sample(x0, t, eps), 3.0).move_to(spot),
                       label(f"t = {t}").move_to([0, spot[1] - 1.8, 0])) for t in STEPS]
        self.play(FadeIn(shots[0]), run_time=0.6)
        self.remove(shots[0])

        # the noise grows while the voice says 「少しずつ足していくと」, ending at 「ただのノイズ」
        line = self.line("adds_noise")
        self.wait_until(line.at("少しずつ"))
        self.flip_book(shots, self.seconds_until(line.at("ただのノイズ")))
        self.hold()

    def closing(self):
        """すべてフェードアウト"""
        self.clear_stage(run_time=1.0)
        self.hold()
