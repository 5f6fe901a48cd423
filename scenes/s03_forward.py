"""Scene 03: 前方過程 — ノイズを加える (1:15-2:45)."""

from diffusion_explainer.explainer_scene import ExplainerScene


class ForwardProcess(ExplainerScene):
    scene_id = "s03_forward"

    def section_title(self):
        """セクションタイトル「Step 1: 前方過程（Forward Process）」"""
        self.placeholder()

    def noising_steps(self):
        """きれいな画像（カラーグリッド）→ 段階的にノイズが加わる（t=0, 250, 500, 750, 1000）"""
        self.placeholder()

    def forward_formula(self):
        """数式 q(xₜ|xₜ₋₁) = N(xₜ; √(1-βₜ)xₜ₋₁, βₜI) を表示"""
        self.placeholder()

    def pure_noise_arrow(self):
        """最終的に完全なノイズ画像になる。矢印で「元画像 → 完全なノイズ」を示す"""
        self.placeholder()
