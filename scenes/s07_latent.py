"""Scene 07: 潜在拡散モデル (7:45-9:15)."""

from diffusion_explainer.explainer_scene import ExplainerScene


class LatentDiffusion(ExplainerScene):
    scene_id = "s07_latent"

    def section_title(self):
        """セクションタイトル「Step 5: 潜在空間での高速化 — Stable Diffusion」"""
        self.placeholder()

    def image_vs_latent(self):
        """画像空間（大）vs 潜在空間（小）の比較図"""
        self.placeholder()

    def latent_pipeline(self):
        """エンコーダで画像が圧縮される → 潜在空間で拡散過程 → デコーダで復元、のパイプライン"""
        self.placeholder()
