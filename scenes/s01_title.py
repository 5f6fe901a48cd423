"""Scene 01: タイトル (0:00-0:25)."""

from manim import DOWN, UP, FadeIn, FadeOut, GrowArrow, Group, LaggedStart, Write

from diffusion_explainer import style
from diffusion_explainer.engine import pictures
from diffusion_explainer.explainer_scene import ExplainerScene
from diffusion_explainer.visuals.diagram import flow_arrow
from diffusion_explainer.visuals.pictures import noise_image, picture_card
from diffusion_explainer.visuals.text import HEADING_EM, TITLE_EM, jp


class TitleScene(ExplainerScene):
    scene_id = "s01_title"

    def title_card(self):
        """タイトル表示: the question of the video over the kinds of picture it will make."""
        question = jp("AIはどうやって絵を描くの？", HEADING_EM + 0.08)
        gallery = Group(*[
            picture_card(pictures.example(c.class_id, size=64, seed=3), 1.7, c.japanese)
            for c in pictures.CLASSES
        ]).arrange(buff=0.45)
        Group(question, gallery).arrange(DOWN, buff=0.6).move_to([0, self.layout.stage_center_y, 0])
        self.play(Write(question), run_time=1.5)
        self.play(LaggedStart(*[FadeIn(card, shift=UP * 0.2) for card in gallery], lag_ratio=0.2), run_time=2.5)
        self.wait(self.seconds_left - 1.0)
        self.play(FadeOut(Group(question, gallery)), run_time=1.0)

    def title_and_subtitle(self):
        """「拡散モデルによる画像生成」タイトル + サブタイトル表示"""
        title = jp(self.screenplay.title, TITLE_EM + 0.12)
        subtitle = jp(self.screenplay.subtitle, HEADING_EM, style.MUTED)
        noise = picture_card(noise_image((64, 64, 3), seed=1), 1.4, "ノイズ")
        image = picture_card(pictures.example("夕焼けの中を歩く猫", size=64, seed=1), 1.4, "画像")
        strip = Group(noise, image).arrange(buff=1.6)
        arrow = flow_arrow(noise[0], image[0], color=style.ACCENT)
        Group(title, subtitle, strip).arrange(DOWN, buff=0.45).move_to([0, self.layout.stage_center_y, 0])
        arrow = flow_arrow(noise[0], image[0], color=style.ACCENT)
        self.play(Write(title), run_time=2.0)
        self.play(FadeIn(subtitle, shift=UP * 0.15), run_time=1.0)
        self.play(FadeIn(noise), GrowArrow(arrow), FadeIn(image), run_time=1.5)
