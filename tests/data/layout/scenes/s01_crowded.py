"""A scene laid out wrong on purpose: the layout check must name each fault."""

from manim import DOWN, FadeIn

from diffusion_explainer.scene.toolbox import ExplainerScene, label, play_section_title, toy_network_note


class Crowded(ExplainerScene):
    scene_id = "s01_crowded"

    def section_title(self):
        """セクションタイトル「Step 1: 重なり」"""
        self.title = play_section_title(self)
        self.hold()

    def crowded_note(self):
        """注記がタイトルの下線に重なる"""
        rule = self.title[-1]
        note = toy_network_note(3.2).next_to(rule, DOWN, buff=0).align_to(rule, [-1, 0, 0]).shift([0.5, 0.1, 0])
        tiny = label("小さすぎる注記", 0.15).move_to([0, 0, 0])
        edge = label("端にはみ出す", 0.3).move_to([self.layout.frame_width / 2 - 0.3, -1, 0])
        self.play(FadeIn(note), FadeIn(tiny), FadeIn(edge), run_time=0.5)
        self.hold()
