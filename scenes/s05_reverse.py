"""Scene 05: 逆過程 — 画像の生成 (4:30-6:15)."""

from types import SimpleNamespace

import numpy as np

from manim import (
    DOWN, LEFT, RIGHT, UP, Create, CurvedArrow, FadeIn, FadeOut, Group, GrowArrow, LaggedStart,
    ReplacementTransform, Transform, VGroup, Write,
)

from diffusion_explainer.demos import reverse
from diffusion_explainer.scene.toolbox import (
    REVERSE_STEP, SMALL_EM, ExplainerScene, flow_arrow, formula, highlight_box, jp, label, mixed, picture,
    play_section_title, pulse, style, toy_network_note, tr, unet, walk,
)


class ReverseProcess(ExplainerScene):
    scene_id = "s05_reverse"

    def section_title(self):
        """セクションタイトル「Step 3: 逆過程（Reverse Process）— 画像を生み出す」"""
        self.title = play_section_title(self)
        self.step = reverse.first_step()  # the engine's first DDPM step, computed while the title shows

        # 「学習が終わったら、いよいよ画像生成」: the network trained in Step 2 is what generates; it
        # lights up until the voice starts (the title leaves a longer pause in English)
        opening = self.first_line_of_cue()
        net = unet(2.6, 1.9, caption="")
        net.shift([0, self.layout.stage_center_y, 0] - net[0].get_center())
        trained = label(tr("Step 2 で学習したネットワーク"), color=style.NETWORK).next_to(net, DOWN, buff=0.2)
        ready = highlight_box(net[0], style.NETWORK)
        self.play(FadeIn(net), FadeIn(trained), run_time=0.8)
        self.play(FadeIn(ready), pulse(net, 1.06), run_time=max(0.8, self.seconds_until(opening.speech.start)))
        self.hold(leave=0.6)
        self.play(FadeOut(Group(net, trained, ready)), run_time=0.6)

    def pure_noise_xt(self):
        """完全なノイズ xT を表示"""
        step = self.step
        x_t = picture(step.x_t, 3.0).move_to([0, 0.95, 0])
        # the random values drawn one row after another, over the pause before the question
        rows = step.x_t.shape[0]
        drawing = [picture(np.where(np.arange(rows)[:, None, None] < k, step.x_t, 0.0), 3.0).move_to(x_t)
                   for k in range(1, rows + 1)]
        caption = mixed(tr("完全なノイズ $x_T$（$t = 1000$）"), color=style.INK).next_to(x_t, DOWN, buff=0.2)
        # x_T is drawn at random: it holds no picture (the forward process only ends near such noise)
        facts = VGroup(
            label(tr("{n} 個の値をすべて乱数（標準正規分布）で選ぶ：絵はまったく入っていない").format(n=step.x_t.size),
                  SMALL_EM, style.INK),
            mixed(tr(r"前方過程の行き着く先もこれに近い（元の画像の割合 $\sqrt{{\bar\alpha_{{1000}}}} = {share:.4f}$）")
                  .format(share=reverse.sqrt_alpha_bar(1000)), em=SMALL_EM),
        ).arrange(DOWN, buff=0.1).next_to(caption, DOWN, buff=0.15)
        self.play(FadeIn(caption, shift=UP * 0.1), FadeIn(facts), FadeIn(drawing[0]), run_time=0.8)
        self.remove(drawing[0])
        question = self.first_line_of_cue()
        self.remove(self.flip_book(drawing, min(6.0, max(4.0, self.seconds_until(question.speech.start) - 1.2))))
        self.add(x_t)
        # a longer pause (the English voice is quicker): the highlight goes over x_T and what was
        # said of it until the question
        walk(self, [x_t, facts[0], facts[1]], self.seconds_until(question.speech.start) - 0.3)

        # 「学習済みのネットワークに…ノイズを予測して、と頼む」: x_T -> U-Net -> the predicted noise
        ask = self.line("ask_network")
        y = 1.6
        small_x = picture(step.x_t, 1.7).move_to([-4.6, y, 0])
        net = unet(1.6, 1.2)
        net.shift([-1.6, y, 0] - net[0].get_center())  # the hourglass level with the arrows
        toy = toy_network_note(3.2).next_to(net, UP, buff=0.12)
        eps = picture(step.eps_raw, 1.7).move_to([1.4, y, 0])  # what the network itself answers
        to_net = flow_arrow(small_x, net[0])
        to_eps = flow_arrow(net[0], eps, color=style.NOISE)
        x_label = mixed("$x_T$", color=style.INK).next_to(small_x, DOWN, buff=0.15)
        eps_label = mixed(tr(r"予測したノイズ $\hat\epsilon_\theta(x_T, T)$"), color=style.NOISE).next_to(eps, DOWN, buff=0.15)
        self.wait_until(ask.start)
        self.play(Transform(x_t, small_x), FadeOut(facts), ReplacementTransform(caption, x_label), run_time=1.0)
        self.play(GrowArrow(to_net), FadeIn(net), FadeIn(toy), run_time=0.8)
        self.play(GrowArrow(to_eps), FadeIn(eps, shift=RIGHT * 0.2), FadeIn(eps_label), run_time=1.0)
        self.query = Group(x_t, x_label, net, toy, to_net, to_eps, eps, eps_label)

        # 「予測されたノイズを引き算すると、すこしだけきれいになる」: x_T - eps_hat -> x_{T-1}
        self.terms = self._step_terms()
        y2 = -0.8
        first = Group(self.terms.x_t, self.terms.minus, self.terms.eps).arrange(RIGHT, buff=0.2).move_to([-3.0, y2, 0])
        self.terms.x_prev.move_to([3.6, y2, 0])
        to_result = flow_arrow(first, self.terms.x_prev, color=style.ACCENT, buff=0.3)
        result_label = mixed(tr("$x_{T-1}$（$t = 999$）"), color=style.ACCENT)
        result_label.next_to(self.terms.x_prev, DOWN, buff=0.15)
        self.wait_until(ask.page("予測されたノイズを引き算").span.start)
        self.play(FadeIn(first), run_time=0.8)
        self.play(GrowArrow(to_result), FadeIn(self.terms.x_prev, shift=RIGHT * 0.2), FadeIn(result_label), run_time=1.0)
        self.arrow_and_label = VGroup(to_result, result_label)
        self.hold()

    def one_reverse_step(self):
        """xT → ノイズ予測 → 引き算 → xT-1（少しだけきれいに）のステップを図示"""
        step, terms = self.step, self.terms
        eq = formula(*REVERSE_STEP, font_size=40).move_to([0.3, 2.45, 0])
        shown = [terms.x_t, terms.minus, terms.eps, terms.x_prev]
        added = [terms.scale, terms.plus, terms.z, terms.equals]
        before = [m.get_center() for m in shown]
        full = Group(terms.scale, terms.x_t, terms.minus, terms.eps, terms.plus, terms.z, terms.equals, terms.x_prev)
        full.arrange(RIGHT, buff=0.18).move_to([0, 0.95, 0])
        after = [m.get_center() for m in shown]
        for m, c in zip(shown, before):
            m.move_to(c)
        label_y = after[0][1] - 0.85
        labels = VGroup(*[mixed(text, color=color).move_to([x, label_y, 0]) for x, text, color in (
            (after[0][0], "$x_T$", style.INK), (after[2][0], r"$\hat\epsilon_\theta(x_T, T)$ ※", style.NOISE),
            (terms.z.get_x(), tr("$z$（新しいノイズ）"), style.MUTED), (after[3][0], "$x_{T-1}$", style.ACCENT))])
        self.play(FadeOut(self.query), FadeOut(self.arrow_and_label), Write(eq), run_time=1.2)
        self.play(*[m.animate.move_to(c) for m, c in zip(shown, after)], *[FadeIn(m) for m in added], FadeIn(labels),
                  run_time=1.0)

        # ※ what the subtracted noise is: the network's answer, recomputed after clipping (as DDPM's code does)
        footnote = VGroup(*[label(("※ " if i == 0 else "") + tr(line), SMALL_EM) for i, line in enumerate(step.noise_footnote)])
        footnote.arrange(DOWN, aligned_edge=LEFT, buff=0.08).move_to([0, label_y - 0.85, 0])
        # 「すこしだけきれいになる」, in the step's own numbers: a little subtracted, much new noise added
        change = VGroup(label(tr(step.change_words[0]), SMALL_EM + 0.02, style.ACCENT),
                        label(tr(step.change_words[1]), SMALL_EM, style.INK)).arrange(DOWN, buff=0.08)
        change.next_to(footnote, DOWN, buff=0.22)
        self.play(FadeIn(footnote), FadeIn(change), run_time=0.8)

        # the step computed along the equation before 「これを繰り返す」: x_T, minus the predicted
        # noise, plus the new noise z, gives x_{T-1} (a box on the pictures, one on the formula's term)
        repeat = self.line("repeat_steps")
        walk = ((Group(terms.scale, terms.x_t), eq[2], terms.x_t), (Group(terms.minus, terms.eps), eq[2], terms.eps),
                (Group(terms.plus, terms.z), eq[4], terms.z), (terms.x_prev, eq[0], terms.x_prev))
        each = max(0.5, (self.seconds_until(repeat.start) - 0.2) / len(walk))
        boxes = None
        for where, term, shown_picture in walk:
            targets = VGroup(highlight_box(where), highlight_box(term))
            move = FadeIn(targets) if boxes is None else Transform(boxes, targets)
            self.play(move, pulse(shown_picture, 1.12), run_time=0.7 * each)
            boxes = boxes or targets
            self.wait(0.3 * each)

        # 「これを繰り返す。1000回、999回、998回…」: back into the network, t counting down (the
        # loop passes above the footnote, which stays to be read)
        loop = CurvedArrow(labels[-1].get_bottom() + DOWN * 0.08, labels[0].get_bottom() + DOWN * 0.08, angle=-0.25,
                           color=style.ACCENT)
        counters = [jp(tr("くり返す：t = {t}").format(t=t), 0.3, style.ACCENT).next_to(change, DOWN, buff=0.2)
                    for t in (1000, 999, 998, 997, 996, 995, 994)]
        self.wait_until(repeat.start)
        self.play(Create(loop), FadeIn(counters[0]), FadeOut(boxes), run_time=0.8)
        self.remove(counters[0])
        last = self.flip_book(counters, 3.0)
        self.hold(leave=0.6)
        self.play(FadeOut(Group(eq, full, labels, footnote, change, loop, last)), run_time=0.6)

    def denoising_stages(self):
        """段階的なデノイジングプロセス。5段階くらいで画像がどんどんきれいに。各ステップに矢印とU-Netを表示"""
        run = reverse.denoising()
        side, gap, y1, y2 = 1.42, 1.15, 1.45, -0.95  # the row inside the frame's safe area
        xs = [-4.55 + i * (side + gap) for i in range(len(run.stages))]
        states = Group(*[picture(s.x_t, side).move_to([x, y1, 0]) for s, x in zip(run.stages, xs)])
        t_labels = VGroup(*[mixed(f"$t = {s.t}$", color=style.INK).next_to(p, DOWN, buff=0.12)
                            for s, p in zip(run.stages, states)])
        links = VGroup()
        for a, b, n in zip(states, states[1:], run.steps_between):
            arrow = flow_arrow(a, b, color=style.MUTED, buff=0.1)
            net = unet(0.62, 0.46, caption="").next_to(arrow, UP, buff=0.08)
            count = label(tr("{n} 回").format(n=n), SMALL_EM, style.NETWORK).next_to(arrow, DOWN, buff=0.08)
            links.add(VGroup(arrow, net, count))
        row_label = mixed("$x_t$", em=0.3, color=style.INK).next_to(states[0], LEFT, buff=0.35)

        self.play(FadeIn(states[0]), FadeIn(t_labels[0]), FadeIn(row_label), run_time=0.6)
        # each stage computed while it appears: the run's recorded states between the two stages
        # (every 20th step) flip by at the next place, paced to end before the first line
        each = min(2.4, max(0.9, (self.seconds_until(self.first_line_of_cue().speech.start) - 1.5) / len(links)))
        for link, pic, t_label, (before, after) in zip(links, states[1:], t_labels[1:], zip(run.stages, run.stages[1:])):
            self.play(GrowArrow(link[0]), FadeIn(link[1:]), run_time=0.3 * each)
            way = [picture(x, side).move_to(pic) for t, x in zip(run.film_steps, run.film) if after.t <= t < before.t]
            self.remove(self.flip_book(way, 0.5 * each))
            self.add(pic)
            self.play(FadeIn(t_label, shift=UP * 0.05), run_time=0.2 * each)
        unet_note = label(tr(run.repeat_caption), SMALL_EM, style.NETWORK)
        unet_note.next_to(Group(links, states), UP, buff=0.22).set_x(0.6)  # clear of the pictures, not only the arrows
        self.play(FadeIn(unet_note), run_time=0.6)

        # 「最初は全体的な構図や色が決まって…」: the model's guess of the finished picture at each stage
        guesses = Group(*[picture(s.x0_hat, side).move_to([x, y2, 0]) for s, x in zip(run.stages, xs)])
        guess_label = mixed(r"$\hat x_0$", em=0.3, color=style.ACCENT).next_to(guesses[0], LEFT, buff=0.35)
        guess_caption = label(tr("各段階でモデルが予想する完成図：構図と色が先に決まり、細部は後から"), SMALL_EM, style.ACCENT)
        guess_caption.next_to(guesses, DOWN, buff=0.15).set_x(0.6)
        self.wait_until(self.line("coarse_to_fine").start)
        self.play(FadeIn(guess_label), LaggedStart(*[FadeIn(g, shift=DOWN * 0.1) for g in guesses], lag_ratio=0.25),
                  run_time=2.0)
        self.play(FadeIn(guess_caption), run_time=0.6)

        # 「同じノイズから始めたら毎回同じ絵にならない？」: another starting noise, another picture
        other = reverse.denoising(reverse.picks().other)
        others = Group(*[picture(s.x_t, side).move_to([x, y2, 0]) for s, x in zip(other.stages, xs)])
        other_label = label(tr("別のノイズ"), SMALL_EM, style.INK).next_to(others[0], LEFT, buff=0.12)
        other_links = VGroup(*[flow_arrow(a, b, color=style.MUTED, buff=0.1) for a, b in zip(others, others[1:])])
        self.wait_until(self.line("same_noise_question").start)
        self.play(FadeOut(Group(guesses, guess_label, guess_caption)), run_time=0.6)
        self.play(FadeIn(others[0]), FadeIn(other_label), run_time=0.6)
        answer = self.line("random_start")
        self.wait_until(answer.start)
        for arrow, pic in zip(other_links, others[1:]):
            self.play(GrowArrow(arrow), FadeIn(pic, shift=RIGHT * 0.15), run_time=0.7)

        # 「無限のバリエーション」: the finished pictures of the run's other starting noises
        rest = reverse.variety()
        finals = Group(*[picture(img, 0.95) for img in rest]).arrange(RIGHT, buff=0.2)
        finals.move_to([0.4, y2 - 0.05, 0])
        finals_caption = label(tr("ほかの {n} 個のノイズから生まれた絵（同じネットワーク）").format(n=len(rest)), SMALL_EM, style.INK)
        finals_caption.next_to(finals, DOWN, buff=0.15)
        self.wait_until(answer.page("同じネットワークでも").span.start)
        self.play(FadeOut(Group(others, other_label, other_links)), run_time=0.5)
        self.play(LaggedStart(*[FadeIn(f, scale=0.9) for f in finals], lag_ratio=0.15), FadeIn(finals_caption),
                  run_time=1.6)
        # after the line, up to the scene change: each picture made again from its own starting
        # noise, all at once (the run's recorded states, t = 1000 down to 0)
        self.wait_until(answer.end)
        films = self._films_of(rest)
        pages = [Group(*[picture(film[k], 0.95).move_to(f) for film, f in zip(films, finals)])
                 for k in range(0, len(films[0]), 2)] + [finals]
        if self.seconds_left > 1.5:
            self.remove(*finals)
            self.flip_book(pages, self.seconds_left - 0.4)
        self.hold()

    @staticmethod
    def _films_of(finished: np.ndarray) -> list[np.ndarray]:
        """The recorded way (x_t, t = 1000 down to 0) of each of reverse.variety()'s pictures: the run's
        starting noises other than the two the scene follows, each ending on its picture."""
        p = reverse.picks()
        films = [reverse.denoising(i).film for i in range(reverse.RUN_SIZE) if i not in (p.main, p.other)]
        assert len(films) == len(finished) and all(np.array_equal(f[-1], x) for f, x in zip(films, finished)), \
            "reverse.variety() is no longer the run's other starting noises in order"
        return films

    def _step_terms(self) -> SimpleNamespace:
        """x_{T-1} = 1/sqrt(alpha_t) (x_T - c eps_hat) + sigma_t z with the step's real pictures and numbers."""
        step, side = self.step, 1.2
        return SimpleNamespace(
            scale=formula(rf"{step.rescale:.3f}\,\times\Big(", font_size=40),
            x_t=picture(step.x_t, side),
            minus=formula(rf"-\ {step.remove_factor:.3f}\,\times", font_size=40),
            eps=picture(step.eps_hat, side),
            plus=formula(rf"\Big)\ +\ {step.sigma:.3f}\,\times", font_size=40),
            z=picture(step.z, side),
            equals=formula("=", font_size=40),
            x_prev=picture(step.x_prev, side),
        )
