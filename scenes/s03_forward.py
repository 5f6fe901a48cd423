"""Scene 03: 前方過程 — ノイズを加える (1:15-2:45)."""

from manim import (
    DOWN, LEFT, RIGHT, UP, Brace, Create, CurvedArrow, DashedVMobject, Dot, FadeIn, FadeOut, Group, GrowArrow,
    LaggedStart, Transform, VGroup, Write,
)

from diffusion_explainer.demos import forward
from diffusion_explainer.scene.toolbox import (
    CLOSED_FORM, FORWARD_STEP, LABEL_EM, SMALL_EM, ExplainerScene, along, flow_arrow, formula, highlight_box, jp, label,
    line_plot, mixed, number, picture, play_section_title, style, tr,
)

BUILD_EVERY = 25  # the strip's cards are built up through the closed form at every 25th t between them


class ForwardProcess(ExplainerScene):
    scene_id = "s03_forward"

    def section_title(self):
        """セクションタイトル「Step 1: 前方過程（Forward Process）」"""
        self.title = play_section_title(self)
        self.x0 = picture(forward.clean_picture(), 2.6)
        self.x0_caption = mixed(tr("元の画像 $x_0$"), color=style.INK).next_to(self.x0, DOWN, buff=0.2)
        Group(self.x0, self.x0_caption).move_to([0, self.layout.stage_center_y - 0.2, 0])
        self.wait_until(self.line("forward_intro").start)
        self.play(FadeIn(self.x0), FadeIn(self.x0_caption, shift=UP * 0.1), run_time=1.0)

    def noising_steps(self):
        """きれいな画像（カラーグリッド）→ 段階的にノイズが加わる（t=0, 250, 500, 750, 1000）"""
        strip = forward.forward_strip()
        cards = Group()
        for shot in strip:
            pic = picture(shot.image, 1.95)
            t = formula(f"t = {shot.t}", font_size=30).next_to(pic, DOWN, buff=0.18)
            share = formula(rf"\sqrt{{\bar\alpha_t}} = {shot.sqrt_alpha_bar:.3f}", font_size=26, color=style.MUTED)
            cards.add(Group(pic, t, share.next_to(t, DOWN, buff=0.12)))
        cards.arrange(RIGHT, buff=0.62, aligned_edge=UP).move_to([0, self.layout.stage_center_y - 0.15, 0])
        arrows = VGroup(*[flow_arrow(a[0], b[0], color=style.NOISE, buff=0.08) for a, b in zip(cards, cards[1:])])
        first = cards[0]
        said = self.line("noise_each_step")
        self.play(Transform(self.x0, first[0]), FadeOut(self.x0_caption), FadeIn(first[1:]), run_time=1.0)
        # each card computed while it appears: the noise builds up through every 25th t from the card
        # before (the closed form, the same eps), until the definition is shown just before the voice
        each = min(1.8, max(0.8, (self.seconds_until(said.start) - 1.1) / (len(cards) - 1)))
        for arrow, card, before, shot in zip(arrows, cards[1:], strip, strip[1:]):
            steps = range(before.t + BUILD_EVERY, shot.t + 1, BUILD_EVERY)
            pages = [picture(s.image, 1.95).move_to(card[0]) for s in forward.forward_strip(steps)]
            self.play(GrowArrow(arrow), run_time=0.25 * each)
            self.remove(self.flip_book(pages, 0.55 * each))
            self.add(card[0])
            self.play(FadeIn(card[1:], shift=UP * 0.05), run_time=0.2 * each)

        # √ᾱ_t is new here: say what it is, with the closed form the strip was computed with
        closed_form = formula(*CLOSED_FORM, font_size=34)
        closed_form[2].set_color(style.ACCENT)
        meaning = VGroup(mixed(tr(r"$\sqrt{\bar\alpha_t}$：$x_t$ に残る元の画像の割合"), em=SMALL_EM + 0.02, color=style.INK),
                         mixed(r"$\bar\alpha_t = (1-\beta_1)(1-\beta_2)\cdots(1-\beta_t)$", em=SMALL_EM + 0.02)
                         ).arrange(RIGHT, buff=0.6)
        definition = VGroup(closed_form, meaning).arrange(DOWN, buff=0.18).next_to(cards, DOWN, buff=0.35)
        self.play(FadeIn(definition, shift=UP * 0.1), run_time=0.8)

        over = flow_arrow(cards[0].get_corner(UP + LEFT) + UP * 0.35, cards[-1].get_corner(UP + RIGHT) + UP * 0.35,
                          color=style.NOISE, buff=0)
        words = mixed(tr("ステップごとにガウスノイズを少しずつ加える"), color=style.NOISE).next_to(over, UP, buff=0.12)
        self.wait_until(said.start + self.fps)
        self.play(GrowArrow(over), FadeIn(words), run_time=1.0)
        self.hold(leave=0.6)
        self.play(FadeOut(Group(self.x0, cards[1:], first[1:], arrows, over, words, definition)), run_time=0.6)

    def forward_formula(self):
        """数式 q(xₜ|xₜ₋₁) = N(xₜ; √(1-βₜ)xₜ₋₁, βₜI) を表示"""
        eq = formula(*FORWARD_STEP, font_size=46).move_to([0.3, 2.35, 0])
        self.play(Write(eq), run_time=1.2)
        explain = self.line("dilute_and_add")
        # before the question: the formula read along the line just heard, a term at a time
        # (「ステップごとに」 one step from x_{t-1} to x_t, 「ガウスノイズを」 a normal distribution,
        # 「少しずつ」 its small variance beta_t)
        said = ((tr("ステップごとに"), eq[0], eq[0]), (tr("ガウスノイズを"), VGroup(*eq[2:7]), eq[2]),
                (tr("少しずつ加える"), eq[5], eq[5]))
        question = self.first_line_of_cue()
        each = max(0.8, (self.seconds_until(question.speech.start) - 0.3) / len(said))
        box, tags = None, VGroup()
        tag_top = highlight_box(eq).get_bottom()[1] - 0.12  # the tags on one line, under the tallest box
        for words, term, under in said:
            target = highlight_box(term)
            tag = jp(words, LABEL_EM, style.ACCENT)
            tag.move_to([under.get_x(), tag_top - tag.height / 2, 0])
            moves = [FadeIn(target)] if box is None else [Transform(box, target), tags[-1].animate.set_color(style.MUTED)]
            self.play(*moves, FadeIn(tag, shift=UP * 0.05), run_time=min(0.7, each / 2))
            box = box or target
            tags.add(tag)
            self.wait(each - min(0.7, each / 2))
        self.wait_until(explain.start - round(0.4 * self.fps))
        self.play(FadeOut(box), FadeOut(tags), run_time=0.4)

        # 「薄めて、ノイズを足す」: the two halves of the Gaussian, with the real numbers of a step
        first, last = forward.step_factors(1), forward.step_factors(1000)
        keep_brace = Brace(eq[3], DOWN, color=style.ACCENT, buff=0.1)
        keep_words = VGroup(
            jp(tr("ちょっと薄める"), 0.28, style.ACCENT),
            formula(rf"\times {first.keep:.5f}\ (t{{=}}1) \;\to\; \times {last.keep:.5f}\ (t{{=}}1000)",
                    font_size=30, color=style.MUTED),
        ).arrange(DOWN, buff=0.1).next_to(keep_brace, DOWN, buff=0.1).align_to(keep_brace, RIGHT)
        noise_brace = Brace(eq[5], DOWN, color=style.NOISE, buff=0.1)
        noise_words = VGroup(jp(tr("ノイズを足す"), 0.28, style.NOISE), mixed(tr(r"分散 $\beta_t$"), color=style.MUTED)
                             ).arrange(DOWN, buff=0.1).next_to(noise_brace, DOWN, buff=0.1).align_to(noise_brace, LEFT)
        self.wait_until(explain.start)
        self.play(eq[3].animate.set_color(style.ACCENT), Create(keep_brace), FadeIn(keep_words), run_time=0.8)
        self.wait_until(explain.at("その分だけ"))
        self.play(eq[5].animate.set_color(style.NOISE), Create(noise_brace), FadeIn(noise_words), run_time=0.8)

        # 「βₜ はノイズの量を決めるパラメータ」: the real linear schedule 1e-4 -> 0.02
        t, beta = forward.beta_schedule()
        plot = line_plot(t, beta, 4.2, 1.6, x_label=tr("ステップ t"), color=style.NOISE,
                         x_ticks=(1, 500, 1000), y_ticks=(0.0001, 0.02))
        plot.move_to([-3.6, -0.95, 0])
        plot_title = formula(r"\beta_t", font_size=34, color=style.NOISE).next_to(plot.axes, UP, buff=0.15)
        plot_title.align_to(plot.axes, LEFT)
        self.wait_until(explain.at("βₜ はノイズの量"))
        self.play(Create(plot.axes), FadeIn(plot.labels), FadeIn(plot_title), run_time=0.6)
        self.play(Create(plot.curve), run_time=1.4)

        # 「1000回繰り返すと」: the one-step formula applied 1000 times, a dot riding the schedule
        chain = forward.noising_chain(every=25)
        self.chain = chain
        spot = [2.6, -0.95, 0]
        origin = plot.axes[0].get_start()  # to_point is relative to the axes' corner
        pic0 = picture(chain.frames[0], 2.2).move_to(spot)
        t_is = formula("t =", font_size=32).next_to(pic0, RIGHT, buff=0.3).align_to(pic0, UP)
        share_is = formula(r"\sqrt{\bar\alpha_t} =", font_size=28, color=style.MUTED)
        share_is.next_to(t_is, DOWN, aligned_edge=LEFT, buff=0.25)
        shots = []  # only the picture, the numbers and the dot change: plain text, no LaTeX per shot
        for k, step in enumerate(chain.steps):
            pic = picture(chain.frames[k], 2.2).move_to(spot)
            t_value = number(step, 0, em=0.3).next_to(t_is, RIGHT, buff=0.15)
            share = number(chain.sqrt_alpha_bar[k], 3, em=0.26, color=style.MUTED).next_to(share_is, RIGHT, buff=0.15)
            dot = Dot(origin + plot.to_point(max(step, 1), beta[max(step, 1) - 1]), radius=0.07, color=style.ACCENT)
            shots.append(Group(pic, t_value, share, dot))
        self.wait_until(self.line("thousand_steps").start)
        self.play(FadeIn(shots[0]), FadeIn(t_is), FadeIn(share_is), run_time=0.5)
        self.remove(shots[0])
        self.last_shot = self.flip_book(shots, min(6.0, self.seconds_left - 1.0))
        self.chain_labels = Group(t_is, share_is)
        self.formula_stage = Group(eq, keep_brace, keep_words, noise_brace, noise_words, plot, plot_title)

    def pure_noise_arrow(self):
        """最終的に完全なノイズ画像になる。矢印で「元画像 → 完全なノイズ」を示す"""
        chain = self.chain
        y = 1.25
        source = picture(chain.frames[0], 2.4).move_to([-4.4, y, 0])
        noise = picture(chain.frames[-1], 2.4).move_to([4.4, y, 0])
        arrow = flow_arrow(source, noise, color=style.NOISE, buff=0.25)
        steps = label(tr("1000 ステップ"), color=style.NOISE).next_to(arrow, DOWN, buff=0.12)
        source_caption = jp(tr("元画像"), 0.3).next_to(source, DOWN, buff=0.2)
        noise_caption = jp(tr("完全なノイズ"), 0.3).next_to(noise, DOWN, buff=0.2)
        facts = VGroup(
            formula(rf"\sqrt{{\bar\alpha_{{1000}}}} = {chain.sqrt_alpha_bar[-1]:.4f}", font_size=26, color=style.MUTED),
            mixed(tr("平均 {mean:+.2f}　標準偏差 {std:.2f}").format(mean=chain.final_mean, std=chain.final_std), em=SMALL_EM),
        ).arrange(DOWN, buff=0.1).next_to(noise_caption, DOWN, buff=0.15)
        last_picture, *last_numbers = self.last_shot
        self.play(FadeOut(self.formula_stage), FadeOut(Group(*last_numbers, self.chain_labels)),
                  Transform(last_picture, noise), run_time=1.0)
        self.play(FadeIn(source), GrowArrow(arrow), FadeIn(steps), run_time=1.2)
        self.play(FadeIn(source_caption), FadeIn(noise_caption), FadeIn(facts), run_time=0.8)

        # the 1000 steps the arrow stands for, before the question: the picture travels along it
        # through the chain's recorded states (the one-step formula applied 1000 times), above it
        # where the record will be shown (large enough to be seen moving: visuals/motion.py)
        side = 1.3
        question = self.first_line_of_cue()
        travel = self.seconds_until(question.speech.start) - 0.9
        if travel > 1.0:
            going = [Group(pic, label(f"t = {t}").next_to(pic, UP, buff=0.06))
                     for pic, t in zip(along(arrow, chain.frames, side, 0.08, 0.92, offset=UP * (0.15 + side / 2)),
                                       chain.steps)]
            self.play(FadeIn(going[0]), run_time=0.3)
            self.remove(going[0])
            self.play(FadeOut(self.flip_book(going, travel - 0.3), target_position=noise, scale=0.5), run_time=0.5)

        # 「壊す過程を記録しておくと、戻す方法を学べる」: the recorded states along the way, and the way back
        point = self.line("record_to_learn")
        record = Group(*[picture(chain.frames[chain.steps.index(t)], 0.9) for t in (250, 500, 750)])
        record.arrange(RIGHT, buff=0.45).next_to(arrow, UP, buff=0.15)
        record_caption = label(tr("途中を記録"), color=style.MUTED).next_to(record, UP, buff=0.08)
        way_back = CurvedArrow([3.0, -0.6, 0], [-3.0, -0.6, 0], angle=-0.35, color=style.ACCENT)
        back = DashedVMobject(way_back, num_dashes=40)
        back_words = jp(tr("戻す方法を学ぶ"), 0.3, style.ACCENT).move_to([0, back.get_bottom()[1] - 1.0, 0])
        self.wait_until(point.start)
        self.play(LaggedStart(*[FadeIn(r, shift=UP * 0.1) for r in record], lag_ratio=0.3), FadeIn(record_caption),
                  run_time=1.2)
        self.wait_until(point.at("戻す方法"))
        self.play(Create(back), FadeIn(back_words), run_time=1.2)

        # after the line, up to the scene change: the record read backwards along the way back,
        # from the noise to the picture (what the network will learn to undo, step by step)
        self.wait_until(point.end)
        if self.seconds_left > 1.5:
            returning = [Group(pic, label(f"t = {t}").next_to(pic, UP, buff=0.06)) for pic, t in
                         zip(along(way_back, chain.frames[::-1], 1.2, 0.2, 0.86, offset=UP * 0.12), chain.steps[::-1])]
            self.play(FadeIn(returning[0]), run_time=0.3)
            self.remove(returning[0])
            self.play(FadeOut(self.flip_book(returning, self.seconds_left - 0.9), target_position=source, scale=0.5),
                      run_time=0.5)
        self.hold()
