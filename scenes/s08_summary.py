"""Scene 08: まとめ (9:15-10:00)."""

from diffusion_explainer.explainer_scene import ExplainerScene


class Summary(ExplainerScene):
    scene_id = "s08_summary"

    def section_title(self):
        """セクションタイトル「まとめ」"""
        self.placeholder()

    def pipeline_summary(self):
        """全体のパイプラインを一つの図で表示。番号付きで順番に表示"""
        self.placeholder()

    def noise_to_image_finale(self):
        """完全なノイズ → きれいな画像への変化を最後にもう一度見せて終了"""
        self.placeholder()
