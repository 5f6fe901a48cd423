"""Scene 04: 核心 — ノイズ除去を学ぶ (2:45-4:30)."""

from manim import (
    DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, Group, GrowArrow, Indicate, RoundedRectangle,
    ShowPassingFlash, SurroundingRectangle, Transform, VGroup, Write,
)

import numpy as np

from diffusion_explainer.demos import loss, training
from diffusion_explainer.scene.toolbox import (
    LOSS, SMALL_EM, ExplainerScene, flow_arrow, formula, highlight_box, jp, label, line_plot, mixed, picture,
    play_section_title, pulse, style, toy_network_note, tr, unet, wrapped,
)

SIDE = 2.2  # the size of the pictures in the game
OTHER_TS = (250, 500, 750)  # the same network asked at other steps (as many digits as t = 100: the box keeps its size)
DRAWS_SEED = 4  # the t drawn at random after 「毎回ランダムに」


class TrainingScene(ExplainerScene):
    scene_id = "s04_training"

    def section_title(self):
        """セクションタイトル「Step 2: ニューラルネットワークの学習」"""
        self.title = play_section_title(self)
        self.guess = training.noise_guess()
        self.noisy = picture(self.guess.x_t, 2.6).move_to([0, self.layout.stage_center_y + 0.1, 0])
        question = jp(tr("どんなノイズが加わっている？"), 0.32).next_to(self.noisy, DOWN, buff=0.25)
        mark = jp("?", 0.9, style.ACCENT).next_to(self.noisy, RIGHT, buff=0.35)
        game = self.line("noise_game")
        self.wait_until(game.start + self.fps)
        self.play(FadeIn(self.noisy), run_time=0.8)
        self.wait_until(game.at("どんなノイズが"))
        self.play(FadeIn(question, shift=UP * 0.1), FadeIn(mark, scale=1.3), run_time=0.8)
        self.hold(leave=0.6)
        self.play(FadeOut(question), FadeOut(mark), run_time=0.6)

    def noise_unet_flow(self):
        """ノイズ画像 → ニューラルネットワーク(U-Net)のボックス → 予測ノイズ、の流れ"""
        y = 1.0
        net = unet(2.6, 1.9)
        net.shift([0, y, 0] - net[0].get_center())  # the hourglass itself level with the pictures
        predicted = picture(self.guess.eps_hat, SIDE, border=style.NETWORK).move_to([4.6, y, 0])
        noisy_spot = picture(self.guess.x_t, SIDE).move_to([-4.6, y, 0])
        into, out = flow_arrow(noisy_spot, net[0]), flow_arrow(net[0], predicted)
        self.noisy_caption = jp(tr("ノイズまみれの画像"), 0.28).next_to(noisy_spot, DOWN, buff=0.2)
        self.predicted_caption = jp(tr("予測したノイズ"), 0.28, style.NETWORK).next_to(predicted, DOWN, buff=0.2)
        self.play(Transform(self.noisy, noisy_spot), FadeIn(self.noisy_caption), run_time=1.0)
        toy = toy_network_note().next_to(net, UP, buff=0.2)  # the U-Net drawn, and what really ran
        self.play(GrowArrow(into), FadeIn(net), FadeIn(toy), run_time=1.0)
        # the guess made, paced to end as the question starts (the pause is longer in English): a
        # copy of the picture travels along the arrow into the network, the network works (lit),
        # its prediction comes out
        question = self.first_line_of_cue()
        pace = max(0.6, (self.seconds_until(question.speech.start) - 0.6) / 3.6)
        going = picture(self.guess.x_t, SIDE).move_to(self.noisy)
        working = highlight_box(net[0], style.NETWORK)
        self.play(going.animate.scale(0.25).move_to(net[0]), run_time=1.2 * pace)
        self.remove(going)
        self.play(FadeIn(working), pulse(net, 1.06), run_time=0.8 * pace)
        self.play(GrowArrow(out), FadeIn(predicted, target_position=net[0], scale=0.25), FadeOut(working),
                  run_time=1.2 * pace)
        self.play(FadeIn(self.predicted_caption), run_time=0.4 * pace)

        # 「ノイズまみれの画像 xₜ と、今どのステップ t にいるかを教える … ノイズはこれだろうと予測する」
        line = self.line("network_predicts")
        t_box = self._t_box(self.guess.t).next_to(net, DOWN, buff=0.75)
        t_arrow = flow_arrow(t_box.get_top(), net[1].get_bottom(), buff=0.08)
        t_caption = jp(tr("今のステップ"), 0.24).next_to(t_box, RIGHT, buff=0.2)
        self.wait_until(line.at("ノイズまみれの"))
        self.play(pulse(self.noisy, 1.05), run_time=1.0)
        self.wait_until(line.at("今どのステップ"))
        self.play(FadeIn(t_box, shift=UP * 0.2), GrowArrow(t_arrow), FadeIn(t_caption), run_time=0.8)
        self.wait_until(line.at("予測する"))
        self.play(pulse(predicted, 1.05), run_time=1.0)
        self.flow = Group(net, toy, predicted, into, out, t_box, t_arrow, t_caption)

    def unet_inputs(self):
        """入力（xₜ, t）→ U-Net → 予測ノイズ ε̂ を図示"""
        net, toy, predicted, into, out, t_box, t_arrow, t_caption = self.flow
        x_label = mixed(tr("入力 $x_t$"), em=0.28, color=style.INK).next_to(self.noisy, DOWN, buff=0.2)
        t_label = mixed(tr("入力 $t$"), em=0.28, color=style.INK).next_to(t_box, RIGHT, buff=0.2)
        eps_label = mixed(tr(r"出力 $\hat\epsilon_\theta(x_t, t)$"), em=0.28, color=style.NETWORK)
        eps_label.next_to(predicted, DOWN, buff=0.2)
        self.play(Transform(self.noisy_caption, x_label), Transform(t_caption, t_label),
                  Transform(self.predicted_caption, eps_label), run_time=1.2)

        # 「今どのステップ t にいるかを教える」: both inputs change, the network answers each time
        # (the same picture and noise at other t, its real predictions), then back to t = 100
        check = self.line("answer_check")
        asked = [training.noise_guess(t) for t in OTHER_TS] + [self.guess]
        each = max(0.9, (self.seconds_until(check.start) - 0.9) / len(asked))
        for guess in asked:
            x_t = picture(guess.x_t, SIDE).move_to(self.noisy)
            step = self._t_box(guess.t).move_to(t_box)
            answer = picture(guess.eps_hat, SIDE, border=style.NETWORK).move_to(predicted)
            self.play(Transform(self.noisy, x_t), Transform(t_box, step), run_time=0.3 * each)
            self.play(ShowPassingFlash(into.copy().set_color(style.ACCENT).set_stroke(width=8), time_width=0.5),
                      ShowPassingFlash(t_arrow.copy().set_color(style.ACCENT).set_stroke(width=8), time_width=0.5),
                      Indicate(net[0], color=style.NETWORK, scale_factor=1.04), run_time=0.35 * each)
            self.play(Transform(predicted, answer),
                      ShowPassingFlash(out.copy().set_color(style.NETWORK).set_stroke(width=8), time_width=0.5),
                      run_time=0.35 * each)

        # 「答え合わせ」: the noise that was really added, next to the guess
        self.wait_until(check.start + self.fps // 2)
        self.play(FadeOut(Group(self.noisy, self.noisy_caption, net, into, out, t_box, t_arrow, t_caption, toy,
                                self.predicted_caption)), run_time=0.8)
        self.truth = picture(self.guess.eps, SIDE, border=style.NOISE).move_to([-3.3, 0.7, 0])
        self.heading = jp(tr("答え合わせ"), 0.36, style.ACCENT).move_to([0.4, 2.6, 0])
        truth_caption = mixed(tr(r"実際に加えたノイズ $\epsilon$"), em=0.28, color=style.NOISE)
        guess_caption = mixed(tr(r"予測ノイズ $\hat\epsilon$"), em=0.28, color=style.NETWORK)
        self.play(predicted.animate.move_to([0, 0.7, 0]), run_time=0.8)
        truth_caption.next_to(self.truth, DOWN, buff=0.2)
        guess_caption.next_to(predicted, DOWN, buff=0.2)
        self.play(FadeIn(self.truth, shift=RIGHT * 0.2), FadeIn(truth_caption), FadeIn(guess_caption),
                  FadeIn(self.heading), run_time=1.0)
        self.predicted, self.captions = predicted, VGroup(truth_caption, guess_caption)

    def loss_comparison(self):
        """損失関数 L = ||ε − ε̂||²、実際のノイズと予測の比較"""
        g = self.guess
        eq = formula(*LOSS, font_size=48).move_to([0.4, 2.6, 0])
        eq[4].set_color(style.NOISE)
        eq[6].set_color(style.NETWORK)
        difference = picture(g.eps - g.eps_hat, SIDE).move_to([3.3, 0.7, 0])
        minus = formula("-", font_size=60).move_to([-1.65, 0.7, 0])
        equals = formula("=", font_size=60).move_to([1.65, 0.7, 0])
        diff_caption = wrapped(tr(g.difference_caption), SIDE + 0.9, em=0.24, color=style.INK)
        diff_caption.next_to(difference, DOWN, buff=0.2)
        # the loss of this one guess, defined as the training log defines it: per value
        value = VGroup(
            formula(rf"L = \tfrac{{1}}{{{g.eps.size}}}\lVert\epsilon - \hat\epsilon\rVert^2 = {g.loss:.3f}",
                    font_size=34),
            label(tr("{unit}（D = {d} 個の値の平均）").format(unit=tr(loss.UNIT), d=g.eps.size), SMALL_EM),
        ).arrange(DOWN, buff=0.12).next_to(diff_caption, DOWN, buff=0.2).set_x(difference.get_x())
        self.play(FadeOut(self.heading, shift=UP * 0.2), Write(eq), run_time=1.0)
        # the loss read along what the voice just said, term by term: the noise added (ε), the
        # prediction (ε̂), their difference, squared and averaged over the D values
        each = max(0.8, (self.seconds_until(self.line("answer_known").start) - 0.3) / 4)
        box = highlight_box(eq[4])
        self.play(FadeIn(box), pulse(self.truth), run_time=0.6 * each)
        self.wait(0.4 * each)
        self.play(Transform(box, highlight_box(eq[6])), pulse(self.predicted), run_time=0.6 * each)
        self.wait(0.4 * each)
        self.play(Transform(box, highlight_box(VGroup(*eq[3:]))), FadeIn(minus), FadeIn(equals), FadeIn(difference),
                  FadeIn(diff_caption), run_time=0.7 * each)
        self.wait(0.3 * each)
        self.play(Transform(box, highlight_box(VGroup(*eq))), FadeIn(value, shift=UP * 0.1), run_time=0.6 * each)

        # 「ノイズは自分で加えたものだから」正解が分かっている
        answer_box = SurroundingRectangle(self.truth, color=style.ACCENT, buff=0.08)
        answer_words = jp(tr("正解（自分で加えた）"), 0.28, style.ACCENT).next_to(answer_box, UP, buff=0.12)
        self.wait_until(self.line("answer_known").start)
        self.play(FadeOut(box), run_time=0.4)
        self.wait_until(self.line("answer_known").at("ノイズは自分で"))
        self.play(Create(answer_box), FadeIn(answer_words), run_time=0.8)

        # 正解を知っているから学習できる: the real training log of the model on screen
        kept = Group(self.truth, self.predicted, self.captions, answer_box, answer_words)
        dropped = Group(difference, minus, equals, diff_caption, value)
        score = VGroup(formula(rf"L = {g.loss:.3f}", font_size=40), label(tr("（{unit}）").format(unit=tr(loss.UNIT)), SMALL_EM)
                       ).arrange(RIGHT, buff=0.15)
        curve = loss.training_loss()
        plot = line_plot(curve.iterations, curve.loss, 4.6, 2.4, x_label=tr("学習の反復回数"), y_label=tr(loss.Y_LABEL),
                         color=style.ACCENT, x_ticks=(curve.iterations[0], curve.total_iterations // 2,
                                                      curve.total_iterations),
                         y_ticks=(round(curve.first, 2), round(curve.last, 3)))
        plot.move_to([3.65, -0.2, 0])  # its last tick label inside the safe area
        plot_title = VGroup(jp(tr("実際の学習：損失の推移"), 0.28), label(tr(curve.caption), SMALL_EM)
                            ).arrange(DOWN, aligned_edge=LEFT, buff=0.1).next_to(plot.axes, UP, buff=0.2)
        plot_title.align_to(plot.axes, LEFT)
        self.wait_until(self.line("know_the_answer").start + self.fps // 2)
        self.play(FadeOut(dropped), run_time=0.6)
        self.play(kept.animate.scale(0.8).move_to([-3.4, 0.75, 0]), run_time=1.0)
        score.next_to(kept, DOWN, buff=0.3)
        self.play(FadeIn(score), run_time=0.5)
        self.play(Create(plot.axes), FadeIn(plot.labels), FadeIn(plot_title), run_time=0.8)
        self.play(Create(plot.curve), run_time=2.5)

        # 「毎回ランダムにステップ t を選んで」: the same picture at t = 10, 500, 990, really noised
        cards = Group()
        for guess in training.random_t_guesses():
            pic = picture(guess.x_t, 1.55)
            cards.add(Group(pic, formula(f"t = {guess.t}", font_size=32).next_to(pic, DOWN, buff=0.15)))
        cards.arrange(RIGHT, buff=0.45).move_to([-3.4, 0.2, 0])
        header = mixed(tr("毎回ランダムに $t$ を選んで学習"), em=0.28, color=style.INK).next_to(cards, UP, buff=0.35)
        answer = self.line("random_t")
        self.wait_until(self.line("every_step_question").start + round(0.3 * self.fps))
        self.play(FadeOut(kept), FadeOut(score), run_time=0.8)
        self.wait_until(answer.start)
        self.play(FadeIn(header), run_time=0.6)
        for card, said in zip(cards, (answer.at("t=10"), answer.at("t=500"), answer.at("t=990"))):
            self.wait_until(said)
            self.play(FadeIn(card, shift=UP * 0.15), run_time=0.5)

        # after the line, up to the scene change: t drawn again and again, as each iteration of
        # training draws it (and the noise), the same picture noised by the engine each time
        self.wait_until(answer.end)
        draws = max(0, round((self.seconds_left - 0.3) / 0.7))
        rng = np.random.default_rng(DRAWS_SEED)
        pages = []
        for _ in range(draws):
            drawn = Group()
            for card in cards:
                guess = training.noise_guess(int(rng.integers(1, 1001)), noise_seed=int(rng.integers(1, 2**31)))
                pic = picture(guess.x_t, card[0].width).move_to(card[0])
                drawn.add(Group(pic, formula(f"t = {guess.t}", font_size=32).next_to(pic, DOWN, buff=0.15)))
            pages.append(drawn)
        if pages:
            self.remove(*cards)
            self.flip_book(pages, self.seconds_left - 0.3)
        self.hold()

    # -- helpers -------------------------------------------------------------------------------
    def _t_box(self, t: int) -> VGroup:
        words = formula(f"t = {t}", font_size=34)
        frame = RoundedRectangle(corner_radius=0.1, width=words.width + 0.5, height=words.height + 0.35,
                                 stroke_color=style.INK, stroke_width=2.5).set_fill(style.PANEL, opacity=1)
        return VGroup(frame, words.move_to(frame))
