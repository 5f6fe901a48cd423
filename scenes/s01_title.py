"""Scene 01: タイトル (0:00-0:25)."""

from manim import DOWN, UP, FadeIn, FadeOut, Group, GrowArrow, Indicate, ShowPassingFlash, Write

from diffusion_explainer.demos import title as title_demo
from diffusion_explainer.scene.toolbox import (
    HEADING_EM, TITLE_EM, ExplainerScene, flow_arrow, in_render_language, jp, picture_card, style, tr,
)

PICTURE_SIDE = 2.4
TITLE_GAP = 0.5  # between the title and the pictures, and the line that joins them
TITLE_WIDTH = 12.0  # the widest the title may be: inside the safe area (the English title is wider)
BUILD_S = 2.7  # the title card's two plays; shortened if the first line comes sooner


class TitleScene(ExplainerScene):
    scene_id = "s01_title"

    def title_card(self):
        """タイトル表示"""
        # The title over one real run of the engine: the noise it started from and what it made.
        # Fully drawn before the first line: the thumbnail is taken from this frame.
        run = title_demo.title_run()
        title = in_render_language(self.screenplay.title, self.screenplay.en_title)
        self.title = jp(title, TITLE_EM + 0.12)
        if self.title.width > TITLE_WIDTH:
            self.title.scale_to_fit_width(TITLE_WIDTH)
        noise = picture_card(run.start_noise, PICTURE_SIDE, tr(run.start_caption))
        image = picture_card(run.picture, PICTURE_SIDE, tr(run.picture_caption), color=style.INK)
        self.strip = Group(noise, image).arrange(buff=2.2, aligned_edge=UP)
        self._stack(self.title, self.strip)
        arrow = flow_arrow(noise[0], image[0], color=style.ACCENT, buff=0.25)
        self.strip.add(arrow)
        asked = self.line("how_does_ai_draw")
        build = min(1.0, (self.seconds_until(asked.start) - 2 / self.fps) / BUILD_S)  # done before any subtitle
        self.play(Write(self.title), run_time=1.5 * build)
        self.play(FadeIn(noise), GrowArrow(arrow), FadeIn(image), run_time=1.2 * build)

        # 「AI で絵が描けるって…どういう仕組みなの？」: the question joins the title
        self.question = jp(tr("AIはどうやって絵を描くの？"), HEADING_EM)
        targets = self._stack(self.title.copy(), self.question, self.strip.copy())
        self.wait_until(asked.start)
        self.play(self.title.animate.move_to(targets[0]), self.strip.animate.move_to(targets[2]),
                  FadeIn(self.question, shift=UP * 0.15), run_time=0.8)

        # 「今日は「拡散モデル」っていう…」: the words of the title that name it
        name = _glyphs_of(self.title, title, tr("拡散モデル"), TITLE_EM + 0.12)
        self.wait_until(self.line("diffusion_models_today").at("拡散モデル"))
        self.play(name.animate.set_color(style.ACCENT), run_time=0.6)
        self.hold()

    def title_and_subtitle(self):
        """「拡散モデルによる画像生成」タイトル + サブタイトル表示"""
        subtitle = jp(in_render_language(self.screenplay.subtitle, self.screenplay.en_subtitle), HEADING_EM, style.MUTED)
        targets = self._stack(self.title.copy(), subtitle, self.strip.copy())
        self.play(FadeOut(self.question, shift=UP * 0.15), self.title.animate.move_to(targets[0]).set_color(style.INK),
                  self.strip.animate.move_to(targets[2]), run_time=0.8)
        self.play(FadeIn(subtitle, shift=UP * 0.15), run_time=1.0)
        # no one speaks here: the way from the noise to the picture, lit again and again
        arrow = self.strip[-1]
        while self.seconds_left > 1.4:
            self.play(ShowPassingFlash(arrow.copy().set_stroke(style.INK, width=8), time_width=0.6), run_time=1.0)
            self.play(Indicate(self.strip[1][0], color=style.ACCENT, scale_factor=1.04), run_time=0.6)
        self.hold()

    def _stack(self, *parts) -> Group:
        """The parts one under another, centred on the stage (moves them; returns them grouped)."""
        stack = Group(*parts).arrange(DOWN, buff=TITLE_GAP)
        return stack.move_to([0, self.layout.stage_center_y, 0])


def _glyphs_of(text, words: str, part: str, em: float):
    """The glyphs of `part` (any case) in `text`, the Text drawn from `words`: counted by setting
    what comes before it, since a space has no glyph and a ligature (the 「ff」 of 「Diffusion」) is one."""
    start = words.lower().find(part.lower())
    if start < 0:
        return text[:0]

    def count(prefix: str) -> int:
        return len(jp(prefix, em)) if prefix.strip() else 0

    return text[count(words[:start]):count(words[:start + len(part)])]
