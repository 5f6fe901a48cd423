"""The base of every scene: a Manim Scene that plays its part of the screenplay on an exact clock.

A scene file names its scene id and defines one method per animation cue, named after the cue id.
This class loads the scene's plan (timeline and narration), shows the subtitle pages when the
voice reaches them, calls each cue method at its start frame and pads it to its end, and ends
the scene at exactly its duration in frames.

A cue method syncs to the narration by name, never by position (see timing/sync.py):
`self.line("beta_explained")` is a named line of the screenplay, with `.start`, `.end`,
`.at("phrase")` (the frame the voice reaches a phrase, or `.at(0.4)`, a fraction of its speech)
and `.page("phrase")` (the subtitle page showing it); `self.wait_until(frame)` holds until then.

Inside a cue method, `self.play` and `self.wait` work as usual, with three guarantees:
- each call lasts a whole number of frames on the scene's absolute clock (no drift);
- a call never runs past the cue's budget (it is shortened, with a warning in the log);
- subtitle pages change at their frames even in the middle of an animation (the animation is
  played in slices and the page is swapped between them: discrete events, no updaters);
- a long animation is also played in slices of at most MAX_SLICE_S, so that a chunk can begin
  inside it: a heavy 1.6 s play (16 pictures fading in) drawn as one call is a chunk of 20 CPU-s.

Handed a plan by the render (a `HandOver`, timing/handover.py), a scene may draw only a chunk of its
frames: it runs its whole story, but the calls that start before the chunk are played without
drawing (Manim's skipping: every animation is begun and finished, so each mobject ends where it
would), the calls that start in the chunk are drawn, and the scene stops at the first call after
it. It then writes a `SceneReport` (render/chunks.py reads it): where each call started and
whether it was drawn, and what of the timeline the story read (which cues and named lines), so
that the render can tell later whether a chunk's frames could have changed.
"""

from __future__ import annotations

import dataclasses
import logging
import time

from manim import Animation, Mobject, Scene, Wait, config
from manim.animation.animation import prepare_animation
from manim.utils.exceptions import EndSceneEarlyException

from ..checks import preflight
from ..core import style
from ..core.errors import RenderError
from ..core.style import Layout
from ..screenplay import load_screenplay
from ..subtitles.band import SubtitleBand
from ..subtitles.language import cue_description, line_language
from ..timing.handover import CallRecord, FrameRange, HandOver, Read, SavedStateFile, SceneReport
from ..timing.scene_plan import ScenePlan, plan_for
from ..timing.sound_marks import SoundEvent
from ..timing.sync import LineSync, line_sync
from ..visuals import catalogue
from ..visuals.formulas import tex_template
from . import launcher, skipping, text_layout
from . import saved_state as scene_state
from .camera import PictureCamera
from .layout_check import StageNotes

# The longest stretch of an animation played as one Manim call. At 1080p60 a heavy play costs up to
# 180 ms a frame (s07's whole pipeline fading out): with 0.8 s slices the largest chunk is 18 CPU-s,
# with 0.4 s it is 13. The extra calls cost little: s06 + s07 rendered whole (three jobs) take
# 312 CPU-s with 0.8 s slices and 320 with 0.4 s (+2%), measured in the same hour.
MAX_SLICE_S = 0.4

log = logging.getLogger("diffusion_explainer")


def sliced(cuts: list[int], longest: int) -> list[int]:
    """The frames `cuts`, with every stretch between two of them longer than `longest` frames
    divided evenly into stretches of at most that many."""
    out = cuts[:1]
    for a, b in zip(cuts, cuts[1:]):
        parts = -(-(b - a) // longest)
        out += [a + (b - a) * k // parts for k in range(1, parts)] + [b]
    return out


class _Slice(Animation):
    """Frames [start, start + frames) of an animation of `total` frames; begins and finishes it
    only once.

    Manim draws a call of n frames at alpha = k / (n - 0.5), k = 0 .. n - 1 (_play_frames asks for
    the middle of the last frame), so the whole animation in one call draws its frame g at
    g / (total - 0.5). A slice maps its own frame k to the whole's frame start + k, so the frames
    drawn in slices are the frames drawn in one call, wherever the cuts fall."""

    def __init__(self, inner: Animation, start: int, frames: int, total: int, first: bool, last: bool):
        super().__init__(inner.mobject, run_time=max(frames, 1), introducer=inner.is_introducer() and first,
                         remover=inner.is_remover() and last)
        self.inner, self.start, self.frames, self.total = inner, start, frames, total
        self.first, self.last = first, last

    def _alpha(self, alpha: float) -> float:
        """The whole's alpha at this slice's alpha: at a drawn frame k the whole's frame start + k
        (k rounded: Manim's alpha carries float error), at the slice's end the next slice's first."""
        frame = self.start + (self.frames if alpha >= 1.0 else round(alpha * (self.frames - 0.5)))
        return min(1.0, frame / (self.total - 0.5))

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
        text_layout.install()  # texts wrap as in the 1080p video at every resolution
        # Plain MathTex/Tex/Matrix as any Manim user writes them: Manim's default template needs the
        # `standalone` class (texlive-latex-extra), which this machine's texlive-latex-base lacks.
        config.tex_template = tex_template()
        if not launcher.installed():
            # plain `manim -pql scenes/...` (a preview): the speed-ups a render's jobs have, and no
            # partial-movie cache, which hashes every mobject at every play (scene-level reuse is the
            # render's business)
            launcher.install_speedups()
            config.disable_caching = True
        kwargs.setdefault("camera_class", PictureCamera)  # same frames, pictures composited faster
        super().__init__(*args, **kwargs)

    # --- set-up ----------------------------------------------------------------------------------

    def setup(self) -> None:
        if not self.scene_id:
            raise RenderError(f"{type(self).__name__} does not set scene_id")
        self.fps = int(round(config.frame_rate))
        handed = HandOver.from_environment()
        if handed is None:  # run alone (`manim -pql scenes/...`): plan here, narration in the file
            screenplay = load_screenplay()
            preflight.check_all(screenplay.style.font)  # Manim would only warn and draw empty boxes
            plan = plan_for(self.scene_id, self.fps, frame_width=config.frame_width, screenplay=screenplay)
            sound, draw, self._report_path = True, None, None
            self._resume, self._save_states, layout = None, None, None
        else:
            plan, sound, draw, self._report_path = handed.plan, handed.sound, handed.draw, handed.report
            self._resume, self._save_states, layout = handed.resume, handed.save_states, handed.layout
            if plan.scene.id != self.scene_id or plan.timeline.fps != self.fps:
                raise RenderError(f"{type(self).__name__} ({self.scene_id}, {self.fps} fps) was handed the plan of "
                                  f"{plan.scene.id} at {plan.timeline.fps} fps")
        self.plan: ScenePlan = plan
        self.language = plan.language
        catalogue.set_language(self.language)  # every tr() of the scene file, from its first cue on
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
        self._draw = draw or FrameRange(0, self.timeline.total_frames)
        self._calls: list[CallRecord] = []
        self._reads: list[Read] = []  # what of the timeline the story read, and when
        self._sound_events: list[SoundEvent] = []
        self._saved: list[SavedStateFile] = []  # the states saved at cue starts
        self._layout_path, self._stage_notes = layout, (StageNotes() if layout else None)  # the layout check
        self._page_starts = {e[0] for e in self._events}
        if self.plan.audio is not None and sound:
            self.add_sound(str(self.plan.audio), time_offset=0)
        self._cpu = {"set up": time.process_time()}  # CPU seconds of this process at each stage (the bench)
        self._framework_keys = set(self.__dict__) | {"_framework_keys"}

    # --- the story -------------------------------------------------------------------------------

    def construct(self) -> None:
        first = 0
        if self._resume is not None:  # a state saved where a cue starts: the story goes on from there
            scene_state.restore(self, self._resume.state)
            first, self._frame = self._resume.cue, self._resume.frame
            self._reads = list(self._resume.reads)
            self.renderer.time = self._frame / self.fps
            self._cpu["resumed"] = time.process_time()
        for index, cue in enumerate(self.timeline.cues[first:], start=first):
            self._advance_to(cue.span.start, ends_at=("cue_start", cue.cue.id))
            self._save_state(index)
            self._read("cue_start", cue.cue.id)  # everything the cue does follows from where it starts
            self._cue_end = cue.span.end
            self.cue = cue
            self._read("cue_text", cue.cue.id)  # its description, in the render's language (section titles show it)
            getattr(self, cue.cue.id)()
            self._note_stage("cue end")
            self.hold()
        self._cue_end = self.timeline.total_frames
        self._advance_to(self.timeline.total_frames)
        self._write_report()
        self._give_manim_a_play()
        self._check_length()

    # --- syncing to the narration, by name -----------------------------------------------------------

    def line(self, line_id: str) -> LineSync:
        """A line of this scene by its `id:` in the screenplay (a SyncError if it has none)."""
        found = line_sync(self.timeline, line_id, self.screenplay.scene_file(self.scene_id))
        # what of the line the story uses is noted when it is used: a chunk that waits for a
        # line's start does not depend on its words
        return dataclasses.replace(found, on_read=lambda what, argument: self._read(f"line_{what}", line_id, argument))

    def first_line_of_cue(self):
        """The first line spoken in the current cue's time (LineTiming), or None."""
        self._read("first_line", self.cue.cue.id)
        lines = self.timeline.lines_in(self.cue.span)
        return lines[0] if lines else None

    def _read(self, what: str, ident: str, bound: str | float | None = None) -> None:
        """Note what of the timeline the story used, at this frame (see chunks.py: a chunk's frames
        depend on what was read before its end)."""
        self._reads.append(Read(what, ident, self._frame, bound))

    def _budget_end(self, wanted_end: int) -> int:
        """min(wanted_end, the cue's end), noting what the result depended on: the cue's end
        itself, or only that it is not before wanted_end."""
        if wanted_end > self._cue_end:
            self._read("cue_end", self.cue.cue.id if hasattr(self, "cue") else "")
            return self._cue_end
        self._read("cue_end_from", self.cue.cue.id if hasattr(self, "cue") else "", wanted_end)
        return wanted_end

    def wait_until(self, frame: int) -> None:
        """Hold (subtitles still change on time) until `frame` of the scene, or the cue's end if
        that comes first; nothing happens if the frame has passed."""
        self._advance_to(self._budget_end(frame))

    def hold(self, leave: float = 0.0) -> None:
        """Hold until the cue's end (or `leave` seconds before it: time for a last animation).

        Prefer it to `self.wait(self.seconds_left)`: only the last held stretch depends on where
        the cue ends, so an edit that moves the end leaves the frames before it reusable."""
        end = self._cue_end - round(leave * self.fps)
        if end <= self._frame:
            self._read("cue_end", self.cue.cue.id)  # nothing held: because the end is this close
            return
        self._advance_to(end, ends_at=("cue_end", self.cue.cue.id))

    @property
    def seconds_left(self) -> float:
        """What remains of the current cue's budget."""
        self._read("cue_end", self.cue.cue.id if hasattr(self, "cue") else "")
        return (self._cue_end - self._frame) / self.fps

    @property
    def now(self) -> float:
        return self._frame / self.fps

    def seconds_until(self, frame: int) -> float:
        return max(0, frame - self._frame) / self.fps

    def sound_effect(self, name: str) -> None:
        """Mark a sound effect (sound.effects: "reveal", "finale") at this frame; the soundtrack
        mixes it in, ducked under any voice."""
        self._sound_events.append(SoundEvent(self._frame, name))

    def flip_book(self, pages: list[Mobject], seconds: float, keep_last: bool = True) -> Mobject | None:
        """Show mobjects one after another, like the pages of a flip book, over `seconds`.

        Each page is a discrete swap followed by a static hold (no updaters), so a long sequence
        of computed pictures stays cheap to render. Returns the last page if it is kept."""
        start = self._frame
        total = self._budget_end(start + max(len(pages), round(seconds * self.fps))) - start
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
        from manim import FadeIn, FadeOut, Paragraph, Text, VGroup

        title = Text(self.cue.cue.id, font=style.MONO, font_size=30, color=style.ACCENT)  # (its text is read)
        body = Paragraph(*_wrap(cue_description(self.cue.cue, self.language), 24), font=self.screenplay.style.font,
                         font_size=26, color=style.MUTED, alignment="center")
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
        wanted_end = self._frame + max(1, round(wanted * self.fps))
        target = self._budget_end(wanted_end)
        if target < wanted_end:
            log.warning("%s.%s: an animation of %.2f s was shortened to fit the cue's %.2f s left",
                        self.scene_id, getattr(getattr(self, "cue", None), "cue", None) and self.cue.cue.id,
                        wanted, (target - self._frame) / self.fps)
        if target <= self._frame:  # no time left: jump to the end state
            self._jump_to_end(anims)
            return
        scale = (target - self._frame) / self.fps / wanted  # frame quantisation stretches slightly
        for a in anims:
            a.run_time *= scale
        cuts = [self._frame] + [e[0] for e in self._events if self._frame < e[0] < target] + [target]
        cuts = sliced(cuts, max(1, round(MAX_SLICE_S * self.fps)))
        known = skipping.split(anims) if target <= self._draw.start else None
        for i, (a, b) in enumerate(zip(cuts, cuts[1:])):
            self._show_subtitles_at(a)
            if i and a in self._page_starts:
                self._note_stage("page")
            if known:  # skipped whole: Manim plays only what it must (scene/skipping.py)
                self._skip_to_end(*known, first=(i == 0), frames=b - a)
                continue
            slices = [_Slice(x, a - cuts[0], b - a, target - cuts[0], first=(i == 0), last=(b == target)) for x in anims]
            self._play_frames(slices, b - a)
        self._show_subtitles_at(target)

    def wait(self, duration: float = 1.0, stop_condition=None, frozen_frame=None) -> None:
        self._advance_to(self._budget_end(self._frame + max(1, round(duration * self.fps))))

    def _advance_to(self, frame: int, ends_at: tuple[str, str] | None = None) -> None:
        """Hold the picture until `frame`, changing subtitle pages on their frames. `ends_at`: what
        of the timeline `frame` is (("cue_end", id), say); only the last held stretch, the one that
        ends there, depends on it, so the read is noted where that stretch starts."""
        frame = min(frame, self.timeline.total_frames)
        while self._frame < frame:
            self._show_subtitles_at(self._frame)
            self._note_stage("page" if self._frame in self._page_starts else "hold")
            next_event = min([e[0] for e in self._events if self._frame < e[0] < frame] + [frame])
            if next_event == frame and ends_at:
                self._read(*ends_at)
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
        self._stop_if_past_the_chunk()
        drawn = self._frame >= self._draw.start
        if drawn and "drawing" not in self._cpu:
            self._cpu["drawing"] = time.process_time()
        if not drawn and isinstance(animations[0], Wait):  # a held picture before the chunk: nothing to do
            self._calls.append(CallRecord(self._frame, n, False, None, 0.0))
            self._frame += n
            return
        number = self.renderer.num_plays  # Manim names the call's movie file by it
        self.renderer._original_skipping_status = not drawn  # skipped: played to its end, not drawn
        before = time.process_time()
        Scene.play(self, *animations)
        self._calls.append(CallRecord(self._frame, n, drawn, number, round(time.process_time() - before, 4)))
        self._frame += n

    def _stop_if_past_the_chunk(self) -> None:
        if self._frame >= self._draw.end:  # what the chunk draws is done
            self._write_report()
            self._give_manim_a_play()
            raise EndSceneEarlyException()

    def _give_manim_a_play(self) -> None:
        """A chunk whose calls were all skipped without Manim (no call starts in it) still needs
        one play for Manim to end the scene normally: a skipped, unrecorded one."""
        if self.renderer.num_plays == 0:
            self.renderer._original_skipping_status = True
            Scene.play(self, Wait(run_time=1 / self.fps, frozen_frame=True))

    def _skip_to_end(self, known: list[Animation], others: list[Animation], first: bool, frames: int) -> None:
        self._stop_if_past_the_chunk()
        if first:
            skipping.start(self, known + others)
            if others:
                for a in others:
                    a.run_time = max(a.run_time, 1 / self.fps)
                self.renderer._original_skipping_status = True
                Scene.play(self, *others)
            skipping.end(self, known)
        self._calls.append(CallRecord(self._frame, frames, False, None, 0.0))
        self._frame += frames

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
        if frame < self._draw.start:  # before the chunk nothing is drawn: the page is made when it is
            if self._shown is not None:
                self.remove(self._shown)
            self._shown, self._shown_key = None, None
            return
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
            from ..subtitles.paging import Page

            mob = self.subtitles.page(line.line.speaker, Page(tuple(page.text.split("\n"))),
                                      line_language(line.line, self.language))
            self._shown = mob.set_z_index(1000)
            self.add(self._shown)
        self._shown_key = key

    def _save_state(self, cue_index: int) -> None:
        """Save the state where a cue starts (for later jobs, scene/saved_state.py), if asked to and if
        this run will reach frames the chunk draws."""
        if self._save_states is None or self._frame >= self._draw.end or cue_index == 0:
            return  # (the first cue starts where the story does)
        if self._resume is not None and cue_index == self._resume.cue:
            return  # restored from it
        path = self._save_states / f"state-{cue_index:03d}.pkl"
        if scene_state.save(self, path):
            self._saved.append(SavedStateFile(cue_index, self._frame, path.name))

    # --- the layout check (opt-in: HandOver.layout; the rules are checks/layout.py's) ----------------

    def _note_stage(self, reason: str) -> None:
        """In layout mode, note the boxes of what is on the stage now: a settled moment (a hold, a
        page change, a cue's end; in a skipped run every animation has already ended)."""
        if self._stage_notes is not None:
            cue = self.cue.cue.id if hasattr(self, "cue") else ""
            self._stage_notes.note(self.stage(), self._frame, cue, reason)

    def _write_layout(self) -> None:
        if self._stage_notes is not None:
            self._stage_notes.record(self.scene_id, self.fps, self.layout.frame_width,
                                     self.screenplay.style.subtitle_size).write(self._layout_path)

    # --- the report ---------------------------------------------------------------------------------

    def _write_report(self) -> None:
        """What this run drew, read and marked, for the render (render/chunks.py); nothing when
        run alone."""
        self._write_layout()
        if self._report_path is None:
            return
        SceneReport(self.scene_id, self.timeline.total_frames, self._draw, self._frame, tuple(self._calls),
                    tuple(self._reads), tuple(self._saved), tuple(self._sound_events),
                    dict(self._cpu, stopped=time.process_time())).write(self._report_path)

    def _check_length(self) -> None:
        if self._draw.start > 0 or self._draw.end < self.timeline.total_frames:
            return  # a chunk: the render checks its frames against the report
        rendered = self.renderer.time * self.fps
        if not self.renderer.skip_animations and abs(rendered - self.timeline.total_frames) > 0.5:
            raise RenderError(
                f"scene {self.scene_id} rendered {rendered:.1f} frames, not {self.timeline.total_frames}"
            )


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]
