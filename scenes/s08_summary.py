"""Scene 08: まとめ (9:15-10:00)."""

import numpy as np
from manim import DOWN, RIGHT, UP, Circle, CurvedArrow, FadeIn, FadeOut, Group, GrowArrow, RoundedRectangle, VGroup

from diffusion_explainer.demos import loss, summary
from diffusion_explainer.scene.toolbox import (
    HEADING_EM, SMALL_EM, TITLE_EM, ExplainerScene, flow_arrow, in_render_language, jp, label, latent_stack, line_plot,
    picture, play_section_title, style, tr, unet, wrapped,
)

CARD_W, CARD_H, GAP = 2.4, 3.7, 0.22  # five cards inside the frame's safe area (checks/layout.py)


class Summary(ExplainerScene):
    scene_id = "s08_summary"

    def section_title(self):
        """セクションタイトル「まとめ」"""
        self.title = play_section_title(self, through_lines=True)  # nothing else to show while it is said
        self.recap = summary.recap()
        self.hold()

    def pipeline_summary(self):
        """全体のパイプラインを一つの図で表示。番号付きで順番に表示"""
        r = self.recap
        cards = Group(
            self._card(1, tr("前方過程"), self._pair(r.forward.clean, r.forward.noisy, style.NOISE),
                       tr("画像にノイズを足して壊す")),
            self._card(2, tr("学習"), self._training(r.loss), tr("ノイズを予測する訓練")),
            self._card(3, tr("逆過程"), self._pair(r.start_noise, r.generated, style.ACCENT), tr("ノイズを少しずつ除去")),
            self._card(4, tr("テキスト条件付け"), self._prompted(r.prompt, r.prompted), tr("プロンプトで方向をガイド")),
            self._card(5, tr("潜在空間"), self._latent(r.latent, r.decoded), tr("圧縮した空間で高速化")),
        ).arrange(RIGHT, buff=GAP).move_to([0, 0.55, 0])
        arrows = VGroup(*[flow_arrow(a[0], b[0], buff=0.02) for a, b in zip(cards, cards[1:])])

        # One card per point, each at the start of its subtitle page
        points = self.line("five_points")
        said = (points.at("1. 前方過程"), points.at("2. 学習"), points.at("3. 逆過程"), points.at("4. テキスト条件付け"),
                points.at("5. 潜在空間"))
        for i, (card, start) in enumerate(zip(cards, said)):
            self.wait_until(start)
            self.sound_effect("reveal")
            reveal = [FadeIn(card, shift=UP * 0.15)] + ([GrowArrow(arrows[i - 1])] if i else [])
            self.play(*reveal, run_time=0.8)

        # 「壊す過程を知っているからこそ、戻す方法を学べる」: step 1 and step 3 are the same road both ways
        back = CurvedArrow(cards[0][0].get_bottom() + DOWN * 0.08, cards[2][0].get_bottom() + DOWN * 0.08, angle=0.55,
                           color=style.ACCENT)
        words = label(tr("壊し方を知っているから、戻し方を学べる"), SMALL_EM, style.ACCENT).next_to(back, DOWN, buff=0.06)
        self.wait_until(self.line("essence").start)
        self.play(cards[0][0].animate.set_stroke(style.ACCENT), cards[2][0].animate.set_stroke(style.ACCENT),
                  FadeIn(back), FadeIn(words), run_time=1.0)

        # 「ありがとう！」: the stage clears for one last picture, and the change begins. It starts here,
        # not in the closing cue: that cue is the ~3 s after the last line, and the finished picture
        # and the title must then stay on screen for at least 2 s.
        finale = summary.finale()
        noise = picture(finale.frames[0], 3.0).move_to([0, 0.15, 0])
        self.wait_until(self.line("thanks").start)
        self.play(FadeOut(Group(cards, arrows, back, words)), run_time=0.6)
        self.play(FadeIn(noise), run_time=0.4)
        seconds = self.seconds_left
        keep = np.unique(np.linspace(0, len(finale.frames) - 1, min(len(finale.frames), int(seconds * self.fps)))
                         .round().astype(int))
        self.remove(noise)
        self.flip_book([picture(finale.frames[i], 3.0).move_to(noise) for i in keep], seconds)

    def noise_to_image_finale(self):
        """完全なノイズ → きれいな画像への変化を最後にもう一度見せて終了"""
        # the change has just played (from 「ありがとう！」); the picture it ended on stays under the title
        screenplay = self.screenplay
        title = jp(in_render_language(screenplay.title, screenplay.en_title), TITLE_EM).move_to([0, 2.45, 0])
        subtitle = jp(in_render_language(screenplay.subtitle, screenplay.en_subtitle), HEADING_EM - 0.08, style.MUTED)
        subtitle.move_to([0, -1.75, 0])
        self.sound_effect("finale")
        self.play(FadeOut(self.title), FadeIn(title, shift=DOWN * 0.1), FadeIn(subtitle), run_time=0.5)
        self.hold()

    # -- the cards ------------------------------------------------------------------------------
    def _card(self, number: int, title: str, illustration, caption: str) -> Group:
        frame = RoundedRectangle(corner_radius=0.15, width=CARD_W, height=CARD_H, stroke_color=style.MUTED,
                                 stroke_width=2).set_fill(style.PANEL, opacity=1)
        badge = VGroup(Circle(radius=0.2, color=style.ACCENT, fill_opacity=1),
                       jp(str(number), 0.26, style.BACKGROUND, weight="BOLD"))
        badge[1].move_to(badge[0])
        name = jp(title, 0.25, style.INK)
        if name.width > CARD_W - 0.75:
            name.scale_to_fit_width(CARD_W - 0.75)
        head = VGroup(badge, name).arrange(RIGHT, buff=0.12)
        words = wrapped(caption, CARD_W - 0.3, SMALL_EM, centred=True)
        head.move_to(frame.get_top() + DOWN * 0.42)
        words.move_to(frame.get_bottom() + UP * 0.4)
        illustration.move_to(frame.get_center() + UP * 0.02)
        return Group(frame, head, illustration, words)

    @staticmethod
    def _pair(before, after, color) -> Group:
        a, b = picture(before, 0.9), picture(after, 0.9)
        pair = Group(a, b).arrange(RIGHT, buff=0.35)
        return Group(pair, flow_arrow(a, b, color=color, buff=0.04))

    @staticmethod
    def _training(curve) -> Group:
        """Scene 04's loss curve, small: the same per-value loss and the same windows."""
        net = unet(0.8, 0.5, caption="")
        plot = line_plot(curve.iterations, curve.loss, 1.7, 0.65, color=style.ACCENT)
        words = VGroup(label(tr("損失 {first:.3f} → {last:.3f}").format(first=curve.first, last=curve.last), SMALL_EM),
                       wrapped(tr("（{unit}、{window} 回ごとの平均）").format(unit=tr(loss.UNIT), window=curve.window),
                               CARD_W - 0.3, SMALL_EM, centred=True),
                       ).arrange(DOWN, buff=0.07)
        return Group(net, plot, words).arrange(DOWN, buff=0.12)

    @staticmethod
    def _prompted(prompt, image) -> Group:
        text = wrapped(tr("「{prompt}」").format(prompt=tr(prompt)), CARD_W - 0.3, SMALL_EM, style.ACCENT, centred=True)
        pic = picture(image, 0.95)
        group = Group(text, pic).arrange(DOWN, buff=0.35)
        return Group(group, flow_arrow(text.get_bottom(), pic.get_top(), color=style.ACCENT, buff=0.05))

    @staticmethod
    def _latent(z, decoded) -> Group:
        stack = latent_stack(z, 0.55)
        pic = picture(decoded, 0.9)
        pair = Group(stack, pic).arrange(RIGHT, buff=0.4)
        return Group(pair, flow_arrow(stack, pic, buff=0.06))
