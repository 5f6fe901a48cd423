"""Scene 04: 核心 — ノイズ除去を学ぶ (2:45-4:30)."""

from diffusion_explainer.explainer_scene import ExplainerScene


class TrainingScene(ExplainerScene):
    scene_id = "s04_training"

    def section_title(self):
        """セクションタイトル「Step 2: ニューラルネットワークの学習」"""
        self.placeholder()

    def noise_unet_flow(self):
        """ノイズ画像 → ニューラルネットワーク(U-Net)のボックス → 予測ノイズ、の流れ"""
        self.placeholder()

    def unet_inputs(self):
        """入力（xₜ, t）→ U-Net → 予測ノイズ ε̂ を図示"""
        self.placeholder()

    def loss_comparison(self):
        """損失関数 L = ||ε − ε̂||²、実際のノイズと予測の比較"""
        self.placeholder()
