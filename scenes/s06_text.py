"""Scene 06: テキスト条件付け (6:15-7:45)."""

from manim import (
    DOWN, LEFT, RIGHT, UP, Arrow, Create, FadeIn, FadeOut, Group, GrowArrow, Indicate, LaggedStart,
    SurroundingRectangle, Transform, VGroup, Write,
)

from diffusion_explainer.demos import guidance
from diffusion_explainer.scene.toolbox import (
    GUIDANCE, SMALL_EM, ExplainerScene, box, flow_arrow, formula, label, mixed, picture, play_section_title, style,
    toy_network_note, tr, unet, vector_grid, walk, wrapped,
)


class TextConditioning(ExplainerScene):
    scene_id = "s06_text"

    def section_title(self):
        """セクションタイトル「Step 4: テキストで画像を操る」"""
        self.title = play_section_title(self)

        # 「ノイズからだとランダムな絵しかできないんじゃ？」: what the model draws with no prompt
        drawn = Group(*[picture(img, 1.6) for img in guidance.unprompted()]).arrange(RIGHT, buff=0.3)
        drawn.move_to([0, 0.7, 0])
        caption = label(tr(guidance.UNPROMPTED_CAPTION), color=style.INK)
        caption.next_to(drawn, DOWN, buff=0.25)
        self.wait_until(self.line("random_only_question").start)
        self.play(LaggedStart(*[FadeIn(d, shift=UP * 0.15) for d in drawn], lag_ratio=0.15), run_time=1.6)
        self.play(FadeIn(caption), run_time=0.6)

        # 「プロンプト…を、まず数値ベクトルに変換する」: the prompt appears
        self.prompt = box(tr("「{prompt}」").format(prompt=tr(guidance.PROMPT)), width=4.2, height=0.95, color=style.ACCENT, em=0.3)
        self.prompt.move_to([-3.9, 0.9, 0])
        self.wait_until(self.line("text_conditioning").page("プロンプト").span.start)
        self.play(FadeOut(drawn), FadeOut(caption), run_time=0.6)
        self.play(FadeIn(self.prompt, scale=0.95), run_time=0.8)
        self.hold()

    def prompt_to_vector(self):
        """テキスト「夕焼けの中を歩く猫」→ テキストエンコーダ → ベクトル"""
        vec = guidance.prompt_vector()
        encoder = box(tr("テキストエンコーダ"), width=2.6, height=0.95, color=style.INK).move_to([0.7, 0.9, 0])
        grid = vector_grid(vec.values, columns=16, cell=0.21).move_to([4.7, 0.9, 0])
        arrows = VGroup(flow_arrow(self.prompt, encoder), flow_arrow(encoder, grid[1]))
        grid_caption = mixed(tr("{n} 個の数：（{a:+.2f}, {b:+.2f}, {c:+.2f}, …）").format(n=len(vec.values), a=vec.values[0],
                             b=vec.values[1], c=vec.values[2]), em=SMALL_EM, color=style.INK).next_to(grid, DOWN, buff=0.2)
        note = VGroup(
            wrapped(tr("この模型の「テキストエンコーダ」は、知っている {prompts} 種類のプロンプトごとに"
                       "学習した {n} 個の数の表（クラス埋め込み）").format(prompts=vec.table_rows - 1, n=len(vec.values)),
                    12.4, SMALL_EM),
            wrapped(tr("Stable Diffusion v1 は CLIP のテキストエンコーダで、プロンプトを 77 トークン × 768 個の数に変換する"
                       "（77 トークンを超える分は切り捨て）"), 12.4, SMALL_EM),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12).move_to([0, -1.0, 0])
        self.play(GrowArrow(arrows[0]), FadeIn(encoder), run_time=0.9)
        self.play(GrowArrow(arrows[1]), Create(grid[1]), LaggedStart(*[FadeIn(c) for c in grid[0]], lag_ratio=0.02),
                  run_time=1.4)
        self.play(FadeIn(grid_caption), run_time=0.5)
        self.play(FadeIn(note), run_time=0.8)

        # the way just described, walked until the next line: the prompt, the encoder, its numbers
        said = self.line("pass_every_step")
        walk(self, [self.prompt, encoder, grid], self.seconds_until(said.start) - 0.1)

        # 「この情報をノイズ除去のたびにネットワークに一緒に渡す」: the chain moves up, and the same
        # vector goes into every denoising step, one after another (the note on what it is stays)
        chain = VGroup(self.prompt, arrows, encoder, grid)
        self.wait_until(said.start)
        self.play(FadeOut(grid_caption), chain.animate.scale(0.8).move_to([0.9, 2.45, 0]),
                  note.animate.move_to([0, -1.45, 0]), run_time=1.0)
        self.chain, self.grid = chain, grid
        self.per_step = self._every_step(said, note)
        self.hold()

    def _every_step(self, said, note) -> Group:
        """x_T -> denoising step -> step -> step … -> the prompt's picture, the text vector flowing
        into each step in turn; returns what it drew."""
        run = guidance.conditioned_run()
        y, xs = 0.55, (-3.3, -0.9, 1.5)
        start = picture(run.noisy[0], 1.1).move_to([-5.6, y, 0])
        nets = VGroup()
        for x in xs:
            net = unet(0.95, 0.75, caption="")
            nets.add(net.shift([x, y, 0] - net[0].get_center()))
        steps = VGroup(*[mixed(f"$t = {t}$", em=SMALL_EM, color=style.INK).next_to(n[0], DOWN, buff=0.12)
                         for n, t in zip(nets, (1000, 999, 998))])
        dots = label(tr("…（1000 回）"), SMALL_EM, style.INK).move_to([3.3, y, 0])
        final = picture(run.final, 1.1).move_to([5.6, y, 0])
        links = VGroup(*[flow_arrow(a, b, buff=0.1) for a, b in zip([start, *[n[0] for n in nets]],
                                                                    [*[n[0] for n in nets], dots])],
                       flow_arrow(dots, final, color=style.ACCENT, buff=0.1))
        caption = label(tr("ノイズ除去の 1 回ごとに、同じテキスト情報をネットワークへ"), SMALL_EM, style.ACCENT)
        caption.next_to(steps, DOWN, buff=0.2).set_x(0)
        final_label = label(tr("猫を残す方向へ"), SMALL_EM, style.ACCENT).next_to(final, DOWN, buff=0.12)
        self.play(FadeIn(start), FadeIn(nets), FadeIn(steps), FadeIn(caption), run_time=0.8)
        tokens = VGroup()
        for net, link in zip(nets, links):
            token = self.grid.copy()
            self.play(GrowArrow(link), token.animate.scale_to_fit_width(0.6).next_to(net[0], UP, buff=0.08),
                      run_time=0.9)
            self.play(Indicate(net[0], color=style.ACCENT, scale_factor=1.08), run_time=0.5)
            tokens.add(token)
        self.play(GrowArrow(links[3]), FadeIn(dots), run_time=0.6)
        self.wait_until(said.at("猫を残す方向"))
        self.play(GrowArrow(links[4]), FadeIn(final, shift=RIGHT * 0.15), FadeIn(final_label), run_time=0.9)
        return Group(start, nets, steps, dots, final, links, caption, final_label, tokens, note)

    def unet_with_text(self):
        """U-Netに「ノイズ画像」と「テキスト情報」の両方が入力される図。出力が猫の画像になっていく"""
        run = guidance.conditioned_run()
        y, side = -0.35, 2.0
        net = unet(2.0, 1.5)
        net.shift([0.9, y, 0] - net[0].get_center())  # the hourglass level with the arrows
        noisy_at, guess_at = [-3.0, y, 0], [4.9, y, 0]
        text_in = Arrow(self.grid.get_bottom(), net[0].get_top() + RIGHT * 0.3, buff=0.1, color=style.ACCENT,
                        stroke_width=4, max_tip_length_to_length_ratio=0.2)
        text_label = label(tr("テキスト情報"), SMALL_EM, style.ACCENT).next_to(text_in.get_center(), LEFT, buff=0.25)
        shots = [Group(picture(run.noisy[i], side).move_to(noisy_at), picture(run.guesses[i], side).move_to(guess_at),
                       mixed(f"$t = {t}$", color=style.INK).move_to([0.9, y - 1.35, 0]))
                 for i, t in enumerate(run.steps)]
        first_noisy, first_guess, _ = shots[0]
        into = flow_arrow(first_noisy, net[0])
        out = flow_arrow(net[0], first_guess, color=style.ACCENT)
        noisy_label = mixed(tr("ノイズ画像 $x_t$"), color=style.INK).next_to(first_noisy, UP, buff=0.15)
        guess_label = label(tr("予想される完成図"), color=style.ACCENT).next_to(first_guess, UP, buff=0.15)
        # under the picture row: what the network really is here, then how its values are shown
        toy_note = toy_network_note()
        decoder_note = label(tr("（潜在空間の値をデコーダで絵にして表示）"), SMALL_EM)
        VGroup(toy_note, decoder_note).arrange(RIGHT, buff=0.3).next_to(shots[0][2], DOWN, buff=0.12).set_x(0.9)
        self.play(FadeOut(self.per_step), run_time=0.5)
        self.play(FadeIn(net), GrowArrow(text_in), FadeIn(text_label), FadeIn(toy_note), run_time=1.0)
        self.play(FadeIn(shots[0]), GrowArrow(into), GrowArrow(out), FadeIn(noisy_label), FadeIn(guess_label),
                  run_time=1.0)
        self.remove(shots[0])
        last = self.flip_book(shots, 6.0)
        self.play(FadeIn(decoder_note), run_time=0.5)

        # 「テキストあり」と「テキストなし」の両方でノイズを予測: the same x_t, two predictions
        at = guidance.guidance_at()
        self.cfg = at
        yc, yu = 0.55, -1.25
        x_t = picture(at.noisy, 1.6).move_to([-3.6, (yc + yu) / 2, 0])
        x_label = mixed(tr("$x_t$（$t = {t}$）").format(t=at.t), color=style.INK).next_to(x_t, DOWN, buff=0.12)
        net_c, net_u = unet(1.3, 0.95, caption=""), unet(1.3, 0.95, caption="")
        net_c.shift([0.0, yc, 0] - net_c[0].get_center())
        net_u.shift([0.0, yu, 0] - net_u[0].get_center())
        with_text = picture(at.with_text, 1.3).move_to([2.85, yc, 0])
        without_text = picture(at.without_text, 1.3).move_to([2.85, yu, 0])
        c_label = mixed(tr(r"テキストあり $\hat\epsilon(x_t, c)$"), color=style.ACCENT).next_to(with_text, RIGHT, buff=0.2)
        u_label = mixed(tr(r"テキストなし $\hat\epsilon(x_t, \varnothing)$"), color=style.MUTED).next_to(without_text, RIGHT, buff=0.2)
        empty = mixed(tr(r"$\varnothing$（テキストなし）"), em=SMALL_EM).next_to(net_u[0], DOWN, buff=0.08)
        links = VGroup(flow_arrow(x_t, net_c[0]), flow_arrow(x_t, net_u[0]), flow_arrow(net_c[0], with_text, style.ACCENT),
                       flow_arrow(net_u[0], without_text))
        text_c = Arrow(self.grid.get_bottom(), net_c[0].get_top(), buff=0.1, color=style.ACCENT, stroke_width=4,
                       max_tip_length_to_length_ratio=0.2)
        self.wait_until(self.line("two_predictions").page("もう少し正確に言うと").span.start)
        self.play(FadeOut(Group(last, into, out, noisy_label, guess_label, toy_note, decoder_note, text_label)),
                  FadeOut(net), FadeIn(net_c), Transform(text_in, text_c), FadeIn(x_t), FadeIn(x_label), run_time=1.0)
        self.play(FadeIn(net_u), FadeIn(empty), *[GrowArrow(a) for a in links], run_time=1.0)
        self.play(FadeIn(with_text), FadeIn(c_label), FadeIn(without_text), FadeIn(u_label), run_time=0.8)
        shown_as = wrapped(tr("絵は、それぞれの予測ノイズから計算した完成図の予想（デコードして表示）"),
                           self.layout.frame_width / 2 - 0.75 - c_label.get_left()[0], SMALL_EM)
        shown_as.move_to([0, (yc + yu) / 2, 0]).align_to(c_label, LEFT)
        self.play(FadeIn(shown_as), run_time=0.5)
        self.predictions = dict(with_text=with_text, without_text=without_text, c_label=c_label, u_label=u_label)
        self.branches = Group(x_t, x_label, net_c, net_u, empty, links, text_in, shown_as)
        self.hold()

    def guidance_arrows(self):
        """2つの予測（条件あり/なし）の差分を矢印で表し、条件ありの方向に強調される様子"""
        at, p = self.cfg, self.predictions
        eq = formula(*GUIDANCE, font_size=40).move_to([0.9, 2.45, 0])
        eq[4].set_color(style.ACCENT)
        side, y_dots, y_pics = 1.5, 0.95, -0.55
        xs = {"u": -4.8, "c": -2.2}
        xs["g"] = xs["u"] + at.scale * (xs["c"] - xs["u"])
        guided = picture(at.guided, side).move_to([xs["g"], y_pics, 0])
        dots = {k: [x, y_dots, 0] for k, x in xs.items()}
        diff = Arrow(dots["u"], dots["c"], buff=0, color=style.INK, stroke_width=5, max_tip_length_to_length_ratio=0.15)
        # ε̃ = ε̂(x_t, ∅) + s × 差: the stretched arrow starts where the difference starts
        boost = Arrow([xs["u"], y_dots - 0.2, 0], [xs["g"], y_dots - 0.2, 0], buff=0, color=style.ACCENT, stroke_width=5,
                      max_tip_length_to_length_ratio=0.05)
        diff_label = mixed(tr(r"差 $\hat\epsilon(x_t,c)-\hat\epsilon(x_t,\varnothing)$"), em=SMALL_EM, color=style.INK)
        diff_label.next_to(diff, UP, buff=0.1)
        boost_label = mixed(tr(r"$\hat\epsilon(x_t,\varnothing)$ から、差を $s = {s:g}$ 倍に伸ばす").format(s=at.scale),
                            em=SMALL_EM, color=style.ACCENT).next_to(boost, DOWN, buff=0.08).align_to(boost, RIGHT)
        names = VGroup(
            label(tr("テキストなし"), SMALL_EM).next_to([xs["u"], y_pics - side / 2, 0], DOWN, buff=0.12),
            label(tr("テキストあり"), SMALL_EM, style.INK).next_to([xs["c"], y_pics - side / 2, 0], DOWN, buff=0.12),
            mixed(tr(r"ガイダンス後 $\tilde\epsilon$（$s = {s:g}$）").format(s=at.scale), em=SMALL_EM, color=style.ACCENT).next_to(
                [xs["g"], y_pics - side / 2, 0], DOWN, buff=0.12),
        )
        size_note = VGroup(label(tr("実際の差の大きさ {norm:.2f}").format(norm=at.difference_norm), SMALL_EM),
                           label(tr("（予測ノイズ全体は {norm:.1f}、t = {t}）").format(norm=at.prediction_norm, t=at.t),
                                 SMALL_EM),
                           ).arrange(DOWN, buff=0.08).move_to([(xs["c"] + xs["g"]) / 2, y_pics, 0])
        self.play(FadeOut(self.branches), FadeOut(self.chain), FadeOut(p["c_label"]), FadeOut(p["u_label"]),
                  p["without_text"].animate.scale(side / 1.3).move_to([xs["u"], y_pics, 0]),
                  p["with_text"].animate.scale(side / 1.3).move_to([xs["c"], y_pics, 0]), Write(eq), run_time=1.4)
        self.play(FadeIn(names[:2]), GrowArrow(diff), FadeIn(diff_label), run_time=0.9)
        self.play(GrowArrow(boost), FadeIn(boost_label), FadeIn(guided, shift=RIGHT * 0.2), FadeIn(names[2]), run_time=1.2)
        self.play(FadeIn(size_note), run_time=0.5)
        arrows_stage = Group(diff, boost, diff_label, boost_label, names, size_note, guided, p["without_text"], p["with_text"])

        # the guidance computed in the formula's order, walked until the scale is named: the
        # prediction without text, the difference, stretched s times, the guided prediction
        answer = self.line("guidance_scale")
        walk(self, [p["without_text"], diff, boost, guided], self.seconds_until(answer.start) - 0.1)

        # 「ガイダンススケール」: real samples of the prompt at each scale, with the measured numbers
        sweep = guidance.scale_sweep()
        columns = Group()
        for result in sweep:
            grid = Group(*[picture(img, 0.82) for img in result.samples]).arrange_in_grid(2, 2, buff=0.07)
            head = mixed(f"$s = {result.scale:g}$", color=style.INK).next_to(grid, UP, buff=0.12)
            numbers = VGroup(label(tr("正解率 {percent:.0f}%").format(percent=result.accuracy * 100), SMALL_EM, style.INK),
                             label(tr("多様性 {diversity:.2f}").format(diversity=result.diversity), SMALL_EM, style.INK),
                             ).arrange(DOWN, buff=0.06)
            numbers.next_to(grid, DOWN, buff=0.1)
            columns.add(Group(head, grid, numbers))
        columns.arrange(RIGHT, buff=0.6).move_to([0, 0.5, 0])
        method, judged = guidance.sweep_method()
        legend = VGroup(label(tr(method), SMALL_EM),
                        label(tr("{accuracy}　多様性：同じプロンプトの絵どうしの違い（画素の RMS）").format(accuracy=tr(judged)),
                              SMALL_EM)).arrange(DOWN, buff=0.07)

        # Where this small model's measurements differ from the narration, each clause from its own
        # number: what is below the best scale beside the s = 0 side, the rest beside the largest scale.
        side_width = self.layout.frame_width / 2 - columns.get_right()[0] - 0.95  # inside the safe area
        clauses = guidance.sweep_caveat(sweep)
        low_notes = self._caveat_notes([c for c in clauses if c.kind == "unformed"], side_width)
        high_notes = self._caveat_notes([c for c in clauses if c.kind != "unformed"], side_width)
        low_notes.next_to(columns, LEFT, buff=0.2).align_to(columns, UP).shift(DOWN * 0.4)
        high_notes.next_to(columns, RIGHT, buff=0.2).align_to(columns, UP).shift(DOWN * 0.4)
        beside = [notes for notes in (low_notes, high_notes) if len(notes)]
        legend.next_to(Group(columns, *beside), DOWN, buff=0.18).set_x(columns.get_x())  # under the lowest of them
        self.wait_until(answer.start)
        self.play(FadeOut(arrows_stage), eq.animate.scale(0.8).move_to([0.9, 2.6, 0]), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(c, shift=UP * 0.1) for c in columns], lag_ratio=0.2), FadeIn(legend), run_time=1.6)

        # 「大きくすると…」「小さくすると…」: the scale turned up, then down
        marker = SurroundingRectangle(columns[1], color=style.ACCENT, buff=0.1, corner_radius=0.1)
        self.play(Create(marker), run_time=0.5)
        self.wait_until(answer.page("大きくすると").span.start)
        for column in columns[2:]:
            self.play(Transform(marker, SurroundingRectangle(column, color=style.ACCENT, buff=0.1, corner_radius=0.1)),
                      run_time=0.8)
            self.wait(0.8)
        if len(high_notes):
            self.play(FadeIn(high_notes), run_time=0.6)
        self.wait_until(answer.page("小さくすると").span.start)
        self.play(Transform(marker, SurroundingRectangle(columns[0], color=style.ACCENT, buff=0.1, corner_radius=0.1)),
                  run_time=1.2)
        if len(low_notes):
            self.play(FadeIn(low_notes), run_time=0.6)
        # the scale turned up once more over what the scene has left: from free and unformed to
        # obedient and alike
        walk(self, list(columns), self.seconds_left - 0.1, buff=0.1)
        self.hold()

    @staticmethod
    def _caveat_notes(clauses, width: float) -> VGroup:
        """Each clause as its claim (accent) over its numbers (muted), in lines `width` wide."""
        notes = VGroup(*[VGroup(wrapped(tr(c.text), width, SMALL_EM, style.ACCENT), wrapped(tr(c.numbers), width, SMALL_EM)
                                ).arrange(DOWN, aligned_edge=LEFT, buff=0.06) for c in clauses])
        return notes.arrange(DOWN, aligned_edge=LEFT, buff=0.22)
