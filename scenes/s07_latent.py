"""Scene 07: 潜在拡散モデル (7:45-9:15)."""

from manim import (
    DOWN, LEFT, RIGHT, UP, Circumscribe, Create, DashedLine, FadeIn, FadeOut, Group, GrowArrow, LaggedStart, Line,
    RoundedRectangle, VGroup, Write,
)

from diffusion_explainer.demos import latent
from diffusion_explainer.scene.toolbox import (
    HEADING_EM, LABEL_EM, SMALL_EM, ExplainerScene, coder, flow_arrow, jp, label, latent_stack, mixed, picture, picture_card,
    play_section_title, size_box, style, toy_network_note, tr, unet, walk,
)


def level(diagram, point):
    """A network or coder moved so its shape (not its caption below) is centred on the point: the
    arrows into and out of it then run level."""
    return diagram.shift(point - diagram[0].get_center())


class LatentDiffusion(ExplainerScene):
    scene_id = "s07_latent"

    def section_title(self):
        """セクションタイトル「Step 5: 潜在空間での高速化 — Stable Diffusion」"""
        self.title = play_section_title(self)
        sd = latent.sizes()["stable_diffusion"]

        # 「512×512 の画像を1000ステップも処理する」: the numbers of pixel-space diffusion
        square = VGroup(size_box(2.6, style.INK), *[
            line for k in range(1, 16) for line in (
                Line([-1.3 + k * 2.6 / 16, -1.3, 0], [-1.3 + k * 2.6 / 16, 1.3, 0], stroke_width=1, color=style.MUTED),
                Line([-1.3, -1.3 + k * 2.6 / 16, 0], [1.3, -1.3 + k * 2.6 / 16, 0], stroke_width=1, color=style.MUTED))
        ]).move_to([-3.6, 0.6, 0])  # a grid: a picture is a grid of numbers
        square_label = label(tr("{height}×{width} の画像").format(height=sd.picture.height, width=sd.picture.width),
                             color=style.INK).next_to(square, DOWN, buff=0.15)
        lines = VGroup(
            jp(tr("1 枚 = {size} = {values:,} 個の数").format(size=sd.picture, values=sd.picture.values), 0.3),
            jp(tr("それを U-Net に 1000 回通す"), 0.3),
            jp(tr("→ 1 枚描くのに U-Net が処理する数：のべ {total:,} 個").format(total=sd.picture.values * 1000), 0.3,
               style.ACCENT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3).next_to(square, RIGHT, buff=0.7)
        self.wait_until(self.line("too_slow").start)
        self.play(FadeIn(square), FadeIn(square_label), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(line, shift=RIGHT * 0.15) for line in lines], lag_ratio=0.6), run_time=2.4)

        # 「そこで登場したのが潜在拡散モデル」
        name = VGroup(jp(tr("潜在拡散モデル（Latent Diffusion）"), HEADING_EM + 0.06),
                      label(tr("Rombach ほか 2022 ── Stable Diffusion の仕組み"), color=style.INK)
                      ).arrange(DOWN, buff=0.25).move_to([0, 0.6, 0])
        self.wait_until(self.line("latent_enters").page("そこで登場したのが").span.start)
        self.play(FadeOut(Group(square, square_label, lines)), run_time=0.6)
        self.play(Write(name[0]), FadeIn(name[1]), run_time=1.4)
        self.hold(leave=0.5)
        self.play(FadeOut(name), run_time=0.5)

    def image_vs_latent(self):
        """画像空間（大）vs 潜在空間（小）の比較図"""
        enc, toy, sd = latent.encoding(), latent.sizes()["toy"], latent.sizes()["stable_diffusion"]
        y, big = 1.05, 2.8
        image = picture(enc.picture, big).move_to([-4.6, y, 0])
        small = size_box(big / toy.side_factor, style.ACCENT).move_to([0.7, y, 0])
        zoom = latent_stack(enc.latent, 1.5).move_to([4.5, y, 0])
        leads = VGroup(DashedLine(small.get_corner(UP + RIGHT), zoom.get_corner(UP + LEFT), color=style.MUTED),
                       DashedLine(small.get_corner(DOWN + RIGHT), zoom.get_corner(DOWN + LEFT), color=style.MUTED))
        image_label = VGroup(jp(tr("画像空間"), 0.3), label(tr("{size} = {values:,} 個").format(size=toy.picture,
                                                                                         values=toy.picture.values))
                             ).arrange(DOWN, buff=0.1).next_to(image, DOWN, buff=0.18)
        latent_label = VGroup(jp(tr("潜在空間"), 0.3, style.ACCENT),
                              label(tr("{size} = {values:,} 個").format(size=toy.latent, values=toy.latent.values))
                              ).arrange(DOWN, buff=0.1).next_to(small, DOWN, buff=0.3)
        zoom_label = label(tr("拡大：{channels} チャンネルを重ねた {height}×{width}").format(
            channels=toy.latent.channels, height=toy.latent.height, width=toy.latent.width), SMALL_EM).next_to(zoom, DOWN, buff=0.2)
        self.play(FadeIn(image), FadeIn(image_label), run_time=1.0)
        self.play(FadeIn(small), FadeIn(latent_label), run_time=0.8)
        self.play(*[FadeIn(l) for l in leads], FadeIn(zoom), FadeIn(zoom_label), run_time=1.0)

        # the two spaces compared until the encoder is named: the picture with its numbers, the
        # small latent with its numbers, the latent enlarged
        idea = self.line("compress_idea")
        compressing = idea.page("まず画像を").span.start
        walk(self, [Group(image, image_label), Group(small, latent_label), Group(zoom, zoom_label)],
             self.seconds_until(compressing) - 0.1)

        # 「まず画像をオートエンコーダで圧縮して」: the encoder between the two
        encoder = level(coder(tr("エンコーダ"), narrowing=True, width=1.1, height=1.2), [-1.6, y, 0])
        arrows = VGroup(flow_arrow(image, encoder[0], buff=0.12), flow_arrow(encoder[0], small, buff=0.12))
        self.wait_until(compressing)
        self.play(GrowArrow(arrows[0]), FadeIn(encoder), GrowArrow(arrows[1]), run_time=1.0)

        # 「例えば 512×512 の画像を 64×64 の潜在表現に圧縮する」: Stable Diffusion's sizes
        facts = VGroup(
            jp(tr("Stable Diffusion：{picture} = {picture_values:,} 個 → {latent} = {latent_values:,} 個").format(
                picture=sd.picture, picture_values=sd.picture.values, latent=sd.latent, latent_values=sd.latent.values),
               0.28, style.INK),
            jp(tr("1 辺 1/{side}、数は 1/{values}（この模型も同じ比率）").format(side=sd.side_factor, values=sd.value_factor),
               0.28, style.ACCENT),
        ).arrange(DOWN, buff=0.15).move_to([0.6, -1.78, 0])
        self.wait_until(idea.page("例えば 512×512").span.start)
        self.play(FadeIn(facts[0], shift=UP * 0.1), run_time=0.8)
        self.play(FadeIn(facts[1], shift=UP * 0.1), run_time=0.6)
        self.hold(leave=0.6)
        self.play(FadeOut(Group(image, image_label, small, latent_label, leads, zoom, zoom_label, encoder, arrows,
                                facts)), run_time=0.6)

    def latent_pipeline(self):
        """エンコーダで画像が圧縮される → 潜在空間で拡散過程 → デコーダで復元、のパイプライン"""
        enc, toy, sd = latent.encoding(), latent.sizes()["toy"], latent.sizes()["stable_diffusion"]
        noising, generation = latent.latent_noising(), latent.latent_generation()
        top, bottom, side, sheet = 1.6, -0.6, 1.5, 0.75
        x_img, x_coder, x_z, x_net, x_end = -5.7, -3.75, -1.4, 1.6, 5.0

        # Pixel space on the left, latent space on the right, as in Rombach et al.'s figure
        divider = DashedLine([-2.65, 2.45, 0], [-2.65, -1.85, 0], color=style.ACCENT, dash_length=0.12)
        region_label = label(tr("潜在空間（{size}）").format(size=toy.latent), SMALL_EM, style.ACCENT).next_to(divider.get_top(), RIGHT, buff=0.15)
        pixel_label = label(tr("画像空間（{size}）").format(size=toy.picture), SMALL_EM).next_to(divider.get_bottom(), LEFT, buff=0.15)
        image = picture(enc.picture, side).move_to([x_img, top, 0])
        encoder = level(coder(tr("エンコーダ"), True, 1.0, 1.1), [x_coder, top, 0])
        z0 = latent_stack(enc.latent, sheet).move_to([x_z, top, 0])
        z_label = mixed("$z_0$", color=style.INK).next_to(z0, DOWN, buff=0.12)
        row1 = VGroup(flow_arrow(image, encoder[0], buff=0.1), flow_arrow(encoder[0], z0, buff=0.1))
        learn = label(tr("学習：画像を圧縮してから、潜在空間でノイズを足す"), SMALL_EM, style.INK).move_to([2.6, top + 1.0, 0])
        self.play(FadeIn(image), Create(divider), FadeIn(region_label), FadeIn(pixel_label), run_time=0.8)
        self.play(GrowArrow(row1[0]), FadeIn(encoder), GrowArrow(row1[1]), FadeIn(z0), FadeIn(z_label), FadeIn(learn),
                  run_time=1.2)

        # Forward diffusion of the latent (what training does), along the top of the latent space
        noisy_at = [x_end, top, 0]
        noise_arrow = flow_arrow(z0, noisy_at + LEFT * 0.75, color=style.NOISE, buff=0.1)
        noise_words = label(tr("ノイズを足す（前方過程）"), SMALL_EM, style.NOISE).next_to(noise_arrow, UP, buff=0.08)
        shots = []
        for z, t in zip(noising.latents, noising.steps):
            stack = latent_stack(z, sheet).move_to(noisy_at)
            shots.append(Group(stack, mixed(f"$z_{{{t}}}$", em=SMALL_EM, color=style.INK).next_to(stack, DOWN, buff=0.1)))
        self.play(GrowArrow(noise_arrow), FadeIn(noise_words), FadeIn(shots[0]), run_time=0.8)
        self.remove(shots[0])
        noised = self.flip_book(shots, 2.0)

        # Generation: new noise -> U-Net in latent space -> decoder -> picture (arrows run right to left)
        make = VGroup(label(tr("生成：潜在空間でノイズを除去し、デコーダで絵に戻す"), SMALL_EM, style.INK), toy_network_note()
                      ).arrange(DOWN, buff=0.08).move_to([1.4, bottom - 1.3, 0])
        net = level(unet(1.3, 1.0), [x_net, bottom, 0])
        decoder = level(coder(tr("デコーダ"), False, 1.0, 1.1), [x_coder, bottom, 0])
        gen_shots = [Group(latent_stack(z, sheet).move_to([x_z, bottom, 0]), picture(img, side).move_to([x_img, bottom, 0]),
                           mixed(f"$t = {t}$", em=SMALL_EM, color=style.INK).move_to([(x_net + x_end) / 2 + 0.2, bottom - 0.3, 0]))
                     for z, img, t in zip(generation.latents, generation.decoded, generation.steps)]
        start = latent_stack(generation.latents[0], sheet).move_to([x_end, bottom, 0])
        start_label = label(tr("新しいノイズ"), SMALL_EM, style.INK).next_to(start, DOWN, buff=0.12)
        first = gen_shots[0]
        row2 = VGroup(*[flow_arrow(a.get_left(), b.get_right(), buff=0.1) for a, b in (
            (start, net[0]), (net[0], first[0]), (first[0], decoder[0]), (decoder[0], first[1]))])
        self.play(FadeIn(start), FadeIn(start_label), FadeIn(make), run_time=0.8)
        self.play(FadeIn(net), GrowArrow(row2[0]), GrowArrow(row2[1]), FadeIn(first[0]), FadeIn(first[2]), run_time=0.8)
        self.play(GrowArrow(row2[2]), FadeIn(decoder), GrowArrow(row2[3]), FadeIn(first[1]), run_time=0.8)
        self.remove(first)
        last = self.flip_book(gen_shots, 4.0)

        # 「8分の1！」「計算量が劇的に減る」: what the U-Net handles per step
        cheaper, answer = self.line("cheaper_in_latent"), self.line("nearly_lossless")
        side_note = label(tr("1 辺 {picture} → {latent}（1/{factor}）").format(
            picture=toy.picture.height, latent=toy.latent.height, factor=toy.side_factor), SMALL_EM,
            style.ACCENT).next_to(encoder, DOWN, buff=0.1)  # what the encoder did
        work_note = VGroup(label(tr("ノイズ予測 1 回に入る数：画像 {picture:,} → 潜在 {latent:,}").format(
                                     picture=toy.picture.values, latent=toy.latent.values), SMALL_EM, style.ACCENT),
                           label(tr("Stable Diffusion の U-Net：{picture:,} → {latent:,}（1/{factor}）").format(
                                     picture=sd.picture.values, latent=sd.latent.values, factor=sd.value_factor),
                                 SMALL_EM, style.INK)).arrange(DOWN, buff=0.08)
        work_note.next_to(net, UP, buff=0.15)
        self.wait_until(self.line("one_eighth").start)
        self.play(FadeIn(side_note), run_time=0.6)
        self.wait_until(cheaper.start)
        self.play(FadeIn(work_note), run_time=0.8)
        self.wait_until(cheaper.page("そしてノイズ除去が終わったら").span.start)
        self.play(Circumscribe(Group(decoder, last[1]), color=style.ACCENT, buff=0.12), run_time=1.4)

        # 「画質は落ちないの？」: what the decoder gives back, measured
        pipeline = Group(divider, region_label, pixel_label, image, encoder, z0, z_label, row1, learn, noise_arrow,
                         noise_words, noised, make, net, decoder, row2, last, start, start_label, side_note, work_note)
        cards = Group(
            picture_card(enc.picture, 2.0, tr("学習に使っていない元の画像"), em=0.22, color=style.INK),
            picture_card(enc.linear, 2.0, tr("線形の復元だけ：{psnr:.1f} dB").format(psnr=enc.psnr_linear), em=0.22),
            picture_card(enc.decoded, 2.0, tr("学習したデコーダ：{psnr:.1f} dB").format(psnr=enc.psnr_decoded), em=0.22,
                         color=style.ACCENT),
        ).arrange(RIGHT, buff=1.0, aligned_edge=UP)  # the pictures in one row, whatever their captions
        cards.move_to([0, 0, 0]).align_to([0, 2.8, 0], UP)
        summary = VGroup(
            label(tr("PSNR（大きいほど元の画像に近い）　見たことのない {n} 枚の平均：{linear:.1f} dB → {decoded:.1f} dB").format(
                n=enc.held_out_count, linear=enc.held_out_psnr_linear, decoded=enc.held_out_psnr_decoded), SMALL_EM,
                style.INK),
            label(tr("この模型のオートエンコーダは小さい。Stable Diffusion は大きな CNN を学習させ、ずっと精細に戻す"), SMALL_EM),
        ).arrange(DOWN, buff=0.1).next_to(cards, DOWN, buff=0.2)
        correction = self._name_correction().next_to(summary, DOWN, buff=0.15)
        self.wait_until(self.line("quality_question").start)
        self.play(FadeOut(pipeline), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(c, shift=UP * 0.1) for c in cards], lag_ratio=0.3), run_time=1.6)
        self.wait_until(answer.start)
        self.play(FadeIn(summary[0]), run_time=0.6)
        self.wait_until(answer.at("ほぼ劣化なく"))
        self.play(FadeIn(summary[1]), run_time=0.6)
        # 「これが Stable Diffusion の名前の由来」: not so; the correction stays to the end of the line
        self.wait_until(answer.page("名前の由来").span.start)
        self.play(FadeIn(correction, shift=UP * 0.1), run_time=0.6)
        self.play(Circumscribe(correction[0], color=style.ACCENT, buff=0.05), run_time=1.0)
        # over what the scene has left: the original beside its two reconstructions, in turn
        walk(self, list(cards), self.seconds_left - 0.1)
        self.hold()

    @staticmethod
    def _name_correction() -> VGroup:
        """The name is not from 安定: a boxed correction, as large as the captions."""
        words = VGroup(
            jp(tr("訂正：「Stable」は、拡散が「安定」するという技術の意味ではない"), LABEL_EM + 0.02, style.ACCENT),
            label(tr("手法の名前は「潜在拡散モデル」（Rombach ほか 2022）。Stable Diffusion は、それを"), LABEL_EM, style.INK),
            label(tr("Stability AI・CompVis・Runway が 2022 年に学習・公開したモデルの製品名"), LABEL_EM, style.INK),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        frame = RoundedRectangle(corner_radius=0.1, width=words.width + 0.4, height=words.height + 0.3,
                                 stroke_color=style.ACCENT, stroke_width=2.5).set_fill(style.PANEL, opacity=1)
        return VGroup(frame, words.move_to(frame))
