"""Scene 02: 画像生成って何？ (0:25-1:15)."""

from diffusion_explainer.explainer_scene import ExplainerScene


class WhatIsGeneration(ExplainerScene):
    scene_id = "s02_generation"

    def born_from_noise(self):
        """きれいな画像 → 「ノイズから生まれた」とキャプション"""
        self.placeholder()

    def ink_in_water(self):
        """インクの拡散イメージ — 集中した色→広がって薄くなる"""
        self.placeholder()
