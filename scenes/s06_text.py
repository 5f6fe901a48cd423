"""Scene 06: テキスト条件付け (6:15-7:45)."""

from diffusion_explainer.explainer_scene import ExplainerScene


class TextConditioning(ExplainerScene):
    scene_id = "s06_text"

    def section_title(self):
        """セクションタイトル「Step 4: テキストで画像を操る」"""
        self.placeholder()

    def prompt_to_vector(self):
        """テキスト「夕焼けの中を歩く猫」→ テキストエンコーダ → ベクトル"""
        self.placeholder()

    def unet_with_text(self):
        """U-Netに「ノイズ画像」と「テキスト情報」の両方が入力される図。出力が猫の画像になっていく"""
        self.placeholder()

    def guidance_arrows(self):
        """2つの予測（条件あり/なし）の差分を矢印で表し、条件ありの方向に強調される様子"""
        self.placeholder()
