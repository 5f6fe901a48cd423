"""Scene 01: タイトル (0:00-0:25)."""

from diffusion_explainer.explainer_scene import ExplainerScene


class TitleScene(ExplainerScene):
    scene_id = "s01_title"

    def title_card(self):
        """タイトル表示"""
        self.placeholder()

    def title_and_subtitle(self):
        """「拡散モデルによる画像生成」タイトル + サブタイトル表示"""
        self.placeholder()
