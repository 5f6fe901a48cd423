"""A small example scene: the title, then a word shown when the voice says it."""

from manim import UP, FadeIn, FadeOut, Write

from diffusion_explainer.scene.toolbox import HEADING_EM, TITLE_EM, ExplainerScene, in_render_language, jp, style, tr


class Hello(ExplainerScene):
    scene_id = "s01_hello"

    def greeting(self):
        """タイトル → 「ノイズ」の文字が現れる"""
        title = jp(in_render_language(self.screenplay.title, self.screenplay.en_title), TITLE_EM).move_to([0, self.layout.stage_center_y + 0.8, 0])
        self.play(Write(title), run_time=1.0)

        # 「ノイズの話」: the word appears as the voice reaches it
        word = jp(tr("ノイズ"), HEADING_EM, style.NOISE).next_to(title, direction=[0, -1, 0], buff=0.6)
        self.wait_until(self.line("topic").at("ノイズの話"))
        self.play(FadeIn(word, shift=UP * 0.2), run_time=0.5)
        self.hold(leave=0.5)
        self.play(FadeOut(title), FadeOut(word), run_time=0.5)
