"""Scene 02: 画像生成って何？ (0:25-1:15)."""

from manim import (
    DOWN, LEFT, RIGHT, UP, Dot, FadeIn, FadeOut, Group, GrowArrow, ImageMobject, LaggedStart, Rectangle, Text,
    Transform,
)

from diffusion_explainer.demos import generation
from diffusion_explainer.scene.toolbox import (
    SMALL_EM, ExplainerScene, flow_arrow, font_size_for, jp, label, picture, style, tr, walk,
)

COLUMNS = (-4.8, -2.4, 0.0, 2.4, 4.8)  # the two rows of the ink / reverse comparison
INK_ROW_Y, MODEL_ROW_Y = 2.05, -0.5
THUMB = 1.7
MODEL_ROW_STEPS = (0, 100, 200, 400, 1000)  # where the sample's shape shows, from the recorded path


class WhatIsGeneration(ExplainerScene):
    scene_id = "s02_generation"

    def born_from_noise(self):
        """きれいな画像 → 「ノイズから生まれた」とキャプション"""
        self.emergence = born = generation.born_from_noise()
        spot = [1.9, self.layout.stage_center_y + 0.25, 0]
        shots = [Group(picture(frame, 3.2).move_to(spot), self._step_counter(t).move_to(spot + DOWN * 1.9))
                 for t, frame in zip(born.steps, born.frames)]
        self.play(FadeIn(shots[0]), run_time=0.8)
        self.remove(shots[0])
        final = self.flip_book(shots, 4.0)
        caption = jp(tr("ノイズから生まれた"), 0.4, style.ACCENT).move_to(final[1])
        start = picture(born.start_noise, 2.2).move_to([-2.7, spot[1], 0])
        arrow = flow_arrow(start, final[0], color=style.ACCENT)
        start_caption = label(tr("出発点のノイズ")).next_to(start, DOWN, buff=0.15)
        note = label(tr("この動画のために学習した小さな拡散モデルの、実際の出力"), em=SMALL_EM)
        note.next_to(caption, DOWN, buff=0.18)
        self.play(Transform(final[1], caption), run_time=0.8)
        self.play(FadeIn(start, shift=RIGHT * 0.2), GrowArrow(arrow), FadeIn(start_caption), FadeIn(note), run_time=1.2)

        # 「インクを水に落とすと」: clear the stage and drop the ink in
        self.ink = generation.ink_spreading()
        self.water_spot = [0, self.layout.stage_center_y + 0.3, 0]
        water = self._water(0, 3.2).move_to(self.water_spot)
        drop = Dot(radius=0.1, color="#1f33bf").move_to(water.get_center() + UP * 2.2)
        self.wait_until(self.line("ink_example").at("インクを水に落とすと"))
        self.play(FadeOut(Group(final, start, arrow, start_caption, note)), run_time=0.8)
        self.play(FadeIn(water), run_time=0.6)
        self.play(drop.animate.move_to(water.get_center()), run_time=0.6)
        self.remove(drop)
        self.water = water

    def ink_in_water(self):
        """インクの拡散イメージ — 集中した色→広がって薄くなる"""
        ink = self.ink
        caption = label(tr("インクが水に広がる（拡散方程式のシミュレーション）")).next_to(self.water, DOWN, buff=0.2)
        self.play(FadeIn(caption), run_time=0.5)
        shots = []
        for k in range(len(ink.times)):
            water = self._water(k, 3.2).move_to(self.water_spot)
            peak = Text(tr("いちばん濃い所：平均の {ratio:.1f} 倍").format(ratio=ink.peak[k]), font=style.FONT,
                        font_size=font_size_for(0.24), color=style.MUTED)
            shots.append(Group(water, peak.next_to(caption, DOWN, buff=0.12)))
        self.remove(self.water)
        spread = self.flip_book(shots, 4.0)

        # the top row: concentrated -> even, as the spreading just seen
        shots = (0, 10, 18, 26, len(ink.times) - 1)
        ink_row = Group(*[self._water(k, THUMB).move_to([x, INK_ROW_Y, 0]) for k, x in zip(shots, COLUMNS)])
        ink_arrows = Group(*[flow_arrow(a, b, color=style.MUTED, buff=0.1) for a, b in zip(ink_row, ink_row[1:])])
        ink_title = jp(tr("インク：集中した色 → 広がって薄く、均一に"), 0.28).next_to(ink_row, UP, buff=0.2)
        ink_title.align_to(ink_row, LEFT)
        self.play(FadeOut(caption), FadeOut(spread[1]), Transform(spread[0], ink_row[-1]), run_time=1.0)
        self.play(LaggedStart(*[FadeIn(p) for p in ink_row[:-1]], lag_ratio=0.2), FadeIn(ink_arrows),
                  FadeIn(ink_title), run_time=1.2)

        # 「この広がるプロセスの逆」: the model's own path, from even noise back to a picture
        born = self.emergence
        model_row = [picture(born.frames[born.steps.index(t)], THUMB).move_to([x, MODEL_ROW_Y, 0])
                     for t, x in zip(MODEL_ROW_STEPS, COLUMNS)]
        for t, thumb in zip(MODEL_ROW_STEPS, model_row):
            thumb.add(self._step_counter(t).scale(0.85).next_to(thumb, DOWN, buff=0.08))
        long_arrow = flow_arrow(model_row[-1][0].get_left(), model_row[0][0].get_right(), color=style.ACCENT,
                                buff=0.15)
        model_title = jp(tr("拡散モデル：その逆　均一なノイズ → 画像"), 0.28, style.ACCENT)
        model_title.next_to(model_row[0], UP, buff=0.2).align_to(ink_title, LEFT)
        self.wait_until(self.line("reverse_idea").at("プロセスの逆"))
        self.play(FadeIn(model_row[-1]), FadeIn(model_title), run_time=0.8)
        self.play(GrowArrow(long_arrow), FadeIn(model_row[0], shift=LEFT * 0.2), run_time=1.2)

        # 「少しずつ戻していく」: the states in between, taken from the same real sample
        steps = Group(*[flow_arrow(a[0].get_left(), b[0].get_right(), color=style.ACCENT, buff=0.1)
                        for a, b in zip(model_row[:0:-1], model_row[-2::-1])])  # right to left: noise -> picture
        slowly_words = jp(tr("― 少しずつ戻す"), 0.28, style.ACCENT).next_to(model_title, RIGHT, buff=0.3)
        self.wait_until(self.line("little_by_little").at("少しずつ戻していく"))
        self.play(FadeOut(long_arrow), run_time=0.4)
        self.play(LaggedStart(*[FadeIn(m) for m in model_row[3:0:-1]], lag_ratio=0.4), FadeIn(steps),
                  FadeIn(slowly_words), run_time=1.8)
        # the way back walked a state at a time, noise to picture, for as long as the scene has left
        walk(self, [thumb[0] for thumb in model_row[::-1]], self.seconds_left - 0.1)
        self.hold()

    # -- helpers -------------------------------------------------------------------------------
    def _water(self, frame: int, side: float) -> Group:
        """Ink in water drawn smooth (it is a continuous field, not a pixel picture)."""
        image = ImageMobject(self.ink.rgb[frame])
        image.width = side
        return Group(image, Rectangle(width=side, height=side, stroke_color=style.MUTED, stroke_width=1.5))

    def _step_counter(self, t: int) -> Text:
        return Text(f"t = {t}", font=style.MONO, font_size=font_size_for(0.26), color=style.MUTED)
