"""The base of every scene: a Manim Scene that plays its part of the screenplay on an exact clock.

A scene file names its scene id and defines one method per animation cue, named after the cue id.
This class loads the scene's plan (timeline and narration), shows the subtitle pages when the
voice reaches them, calls each cue method at its start frame and pads it to its end, and ends
the scene at exactly its duration in frames.

A cue method syncs to the narration by name, never by position (see sync.py):
`self.line("beta_explained")` is a named line of the screenplay, with `.start`, `.end`,
`.at("phrase")` (the frame the voice reaches a phrase, or `.at(0.4)`, a fraction of its speech)
and `.page("phrase")` (the subtitle page showing it); `self.wait_until(frame)` holds until then.

Inside a cue method, `self.play` and `self.wait` work as usual, with three guarantees:
- each call lasts a whole number of frames on the scene's absolute clock (no drift);
- a call never runs past the cue's budget (it is shortened, with a warning in the log);
- subtitle pages change at their frames even in the middle of an animation (the animation is
  played in slices and the page is swapped between them: discrete events, no updaters).
"""

from __future__ import annotations

import logging
import os

from manim import Animation, Mobject, Scene, Wait, config
from manim.animation.animation import prepare_animation

from . import preflight, style
from .camera import PictureCamera
from .errors import RenderError
from .scene_plan import SCENE_SOUND_ENV, ScenePlan, plan_for
from .screenplay import load_screenplay
from .style import Layout
from .subtitles.band import SubtitleBand
from .sync import LineSync, line_sync

log = logging.getLogger("diffusion_explainer")


class _Slice(Animation):
    """The part of an animation between two of its times; begins and finishes it only once."""

    def __init__(self, inner: Animation, t0: float, t1: float, first: bool, last: bool):
        super().__init__(inner.mobject, run_time=max(t1 - t0, 1e-3), introducer=inner.is_introducer() and first,
                         remover=inner.is_remover() and last)
        self.inner, self.t0, self.t1, self.first, self.last = inner, t0, t1, first, last

    def _alpha(self, alpha: float) -> float:
        return min(1.0, (self.t0 + (self.t1 - self.t0) * alpha) / self.inner.run_time)

    def _setup_scene(self, scene) -> None:
        if self.first:
            self.inner._setup_scene(scene)

    def begin(self) -> None:
        if self.first:
            self.inner.begin()

    def interpolate(self, alpha: float) -> None:
        self.inner.interpolate(self._alpha(alpha))

    def update_mobjects(self, dt: float) -> None:
        self.inner.update_mobjects(dt)

    def finish(self) -> None:
        if self.last:
            self.inner.finish()
        else:
            self.inner.interpolate(self._alpha(1.0))

    def clean_up_from_scene(self, scene) -> None:
        if self.last:
            self.inner.clean_up_from_scene(scene)


class ExplainerScene(Scene):
    scene_id: str = ""  # set by each scene file: "s03_forward"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("camera_class", PictureCamera)  # same frames, pictures composited faster
        super().__init__(*args, **kwargs)

    # --- set-up ----------------------------------------------------------------------------------

    def setup(self) -> None:
        if not self.scene_id:
            raise RenderError(f"{type(self).__name__} does not set scene_id")
        self.fps = int(round(config.frame_rate))
        screenplay = load_screenplay()
        preflight.check_all(screenplay.style.font)  # Manim would only warn and draw empty boxes
        self.plan: ScenePlan = plan_for(self.scene_id, self.fps, frame_width=config.frame_width, screenplay=screenplay)
        self.screenplay = self.plan.screenplay
        self.timeline = self.plan.timeline
        missing = [c.cue.id for c in self.timeline.cues if not callable(getattr(self, c.cue.id, None))]
        if missing:
            raise RenderError(f"scenes/{self.scene_id}.py has no method for the cue(s) {', '.join(missing)}")
        self.camera.background_color = self.screenplay.style.background
        self.layout = Layout(config.frame_width, self.screenplay.style.subtitle_size)
        self.subtitles = SubtitleBand(self.screenplay)
        self._band = self.subtitles.background().set_z_index(900)
        self.add(self._band)
        self._frame = 0
        self._cue_end = self.timeline.total_frames
        self._events = [(frame, page, line) for line in self.timeline.lines for page in line.pages
                        for frame in [page.span.start]]
        self._events.sort(key=lambda e: e[0])
        self._shown: Mobject | None = None
        if self.plan.audio is not None and os.environ.get(SCENE_SOUND_ENV, "1") != "0":
            self.add_sound(str(self.plan.audio), time_offset=0)

    # --- the story -------------------------------------------------------------------------------

    def construct(self) -> None:
        for cue in self.timeline.cues:
            self._advance_to(cue.span.start)
            self._cue_end = cue.span.end
            self.cue = cue
            getattr(self, cue.cue.id)()
            self._advance_to(cue.span.end)
        self._cue_end = self.timeline.total_frames
        self._advance_to(self.timeline.total_frames)
        self._check_length()

    # --- syncing to the narration, by name -----------------------------------------------------------

    def line(self, line_id: str) -> LineSync:
        """A line of this scene by its `id:` in the screenplay (a SyncError if it has none)."""
        return line_sync(self.timeline, line_id, self.screenplay.scene_file(self.scene_id))

    def wait_until(self, frame: int) -> None:
        """Hold (subtitles still change on time) until `frame` of the scene, or the cue's end if
        that comes first; nothing happens if the frame has passed."""
        self._advance_to(min(frame, self._cue_end))

    @property
    def seconds_left(self) -> float:
        """What remains of the current cue's budget."""
        return (self._cue_end - self._frame) / self.fps

    @property
    def now(self) -> float:
        return self._frame / self.fps

    def seconds_until(self, frame: int) -> float:
        return max(0, frame - self._frame) / self.fps

    def flip_book(self, pages: list[Mobject], seconds: float, keep_last: bool = True) -> Mobject | None:
        """Show mobjects one after another, like the pages of a flip book, over `seconds`.

        Each page is a discrete swap followed by a static hold (no updaters), so a long sequence
        of computed pictures stays cheap to render. Returns the last page if it is kept."""
        start = self._frame
        total = min(self._cue_end - start, max(len(pages), round(seconds * self.fps)))
        shown = None
        for i, page in enumerate(pages):
            target = start + round(total * (i + 1) / len(pages))
            if target <= self._frame and i < len(pages) - 1:
                continue  # more pages than frames: skip the ones that would get no frame
            if shown is not None:
                self.remove(shown)
            self.add(page)
            shown = page
            self._advance_to(target)
        if not keep_last and shown is not None:
            self.remove(shown)
            return None
        return shown

    def stage(self) -> list[Mobject]:
        """Everything on screen but the subtitle band and its page."""
        return [m for m in self.mobjects if m is not self._band and m is not self._shown]

    def clear_stage(self, run_time: float = 0.6) -> None:
        """Fade out everything on the stage (the subtitles stay)."""
        from manim import FadeOut

        shown = self.stage()
        if shown:
            self.play(*[FadeOut(m) for m in shown], run_time=min(run_time, max(self.seconds_left, 1 / self.fps)))

    def placeholder(self) -> None:
        """Stands in for a cue's visual until it is drawn: the cue's id and description."""
        from manim import FadeIn, FadeOut, Paragraph, VGroup, Text

        title = Text(self.cue.cue.id, font=style.MONO, font_size=30, color=style.ACCENT)
        body = Paragraph(*_wrap(self.cue.cue.animation, 24), font=self.screenplay.style.font, font_size=26,
                         color=style.MUTED, alignment="center")
        group = VGroup(title, body).arrange(direction=[0, -1, 0], buff=0.3)
        group.move_to([0, self.layout.stage_center_y, 0])
        self.play(FadeIn(group), run_time=min(0.5, self.seconds_left))
        self.wait(self.seconds_left - 0.5)
        self.play(FadeOut(group), run_time=0.5)

    # --- timing: play and wait on the frame clock ---------------------------------------------------

    def play(self, *animations, run_time: float | None = None, **kwargs) -> None:
        anims = [prepare_animation(a) for a in animations]
        for key, value in kwargs.items():
            for a in anims:
                setattr(a, key, value)
        wanted = run_time if run_time is not None else max(a.run_time for a in anims)
        if run_time is not None:
            for a in anims:
                a.run_time = run_time
        target = self._frame + max(1, round(wanted * self.fps))
        if target > self._cue_end:
            log.warning("%s.%s: an animation of %.2f s was shortened to fit the cue's %.2f s left",
                        self.scene_id, getattr(getattr(self, "cue", None), "cue", None) and self.cue.cue.id,
                        wanted, self.seconds_left)
            target = self._cue_end
        if target <= self._frame:  # no time left: jump to the end state
            self._jump_to_end(anims)
            return
        scale = (target - self._frame) / self.fps / wanted  # frame quantisation stretches slightly
        for a in anims:
            a.run_time *= scale
        cuts = [self._frame] + [e[0] for e in self._events if self._frame < e[0] < target] + [target]
        for i, (a, b) in enumerate(zip(cuts, cuts[1:])):
            self._show_subtitles_at(a)
            t0, t1 = (a - cuts[0]) / self.fps, (b - cuts[0]) / self.fps
            slices = [_Slice(x, t0, t1, first=(i == 0), last=(b == target)) for x in anims]
            self._play_frames(slices, b - a)
        self._show_subtitles_at(target)

    def wait(self, duration: float = 1.0, stop_condition=None, frozen_frame=None) -> None:
        target = min(self._cue_end, self._frame + max(1, round(duration * self.fps)))
        self._advance_to(target)

    def _advance_to(self, frame: int) -> None:
        """Hold the picture until `frame`, changing subtitle pages on their frames."""
        frame = min(frame, self.timeline.total_frames)
        while self._frame < frame:
            self._show_subtitles_at(self._frame)
            next_event = min([e[0] for e in self._events if self._frame < e[0] < frame] + [frame])
            self._play_frames([Wait()], next_event - self._frame)
        self._show_subtitles_at(self._frame)

    def _play_frames(self, animations: list[Animation], n: int) -> None:
        """Exactly n frames: Manim gives an animation len(arange(0, t, 1/fps)) frames (rounding
        up) and a static wait int(t * fps) (rounding down), and even run_time = n/fps is a frame off
        for about 9% of n through float error; asking for the middle of a frame is exact."""
        static = len(animations) == 1 and isinstance(animations[0], Wait) and not self._has_time_updaters()
        if static:
            run_time = (n + 0.5) / self.fps
        else:
            run_time = (n - 0.5) / self.fps if n > 1 else 1 / self.fps
        for a in animations:
            a.run_time = run_time
        if isinstance(animations[0], Wait):
            animations = [Wait(run_time=run_time, frozen_frame=static)]
        Scene.play(self, *animations)
        self._frame += n

    def _has_time_updaters(self) -> bool:
        return bool(self.always_update_mobjects or self.updaters
                    or any(m.has_time_based_updater() for m in self.get_mobject_family_members()))

    def _jump_to_end(self, anims: list[Animation]) -> None:
        for a in anims:
            a._setup_scene(self)
            a.begin()
            a.finish()
            if not a.is_introducer() and a.mobject is not None and a.mobject not in self.mobjects:
                self.add(a.mobject)
            a.clean_up_from_scene(self)

    # --- subtitles --------------------------------------------------------------------------------

    def _show_subtitles_at(self, frame: int) -> None:
        current = None
        for start, page, line in self._events:
            if start <= frame:
                current = (page, line)
        key = current and (current[1].line.id, current[0].span.start)
        if key == getattr(self, "_shown_key", None):
            return
        if self._shown is not None:
            self.remove(self._shown)
        self._shown = None
        if current:
            page, line = current
            from .subtitles.paging import Page

            mob = self.subtitles.page(line.line.speaker, Page(tuple(page.text.split("\n"))))
            self._shown = mob.set_z_index(1000)
            self.add(self._shown)
        self._shown_key = key

    def _check_length(self) -> None:
        rendered = self.renderer.time * self.fps
        if not self.renderer.skip_animations and abs(rendered - self.timeline.total_frames) > 0.5:
            raise RenderError(
                f"scene {self.scene_id} rendered {rendered:.1f} frames, not {self.timeline.total_frames}"
            )


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]
