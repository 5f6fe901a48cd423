"""Scene 05: 逆過程 — 画像の生成 (4:30-6:15)."""

from diffusion_explainer.explainer_scene import ExplainerScene


class ReverseProcess(ExplainerScene):
    scene_id = "s05_reverse"

    def section_title(self):
        """セクションタイトル「Step 3: 逆過程（Reverse Process）— 画像を生み出す」"""
        self.placeholder()

    def pure_noise_xt(self):
        """完全なノイズ xT を表示"""
        self.placeholder()

    def one_reverse_step(self):
        """xT → ノイズ予測 → 引き算 → xT-1（少しだけきれいに）のステップを図示"""
        self.placeholder()

    def denoising_stages(self):
        """段階的なデノイジングプロセス。5段階くらいで画像がどんどんきれいに。各ステップに矢印とU-Netを表示"""
        self.placeholder()
