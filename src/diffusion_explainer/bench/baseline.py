"""The naive way to render a scene, kept as the benchmark's baseline.

`NaiveSubtitles` turns a scene into what one would first write in Manim: the same cue methods
and the same subtitle pages, but
- the subtitle follows the clock through an updater (like `always_redraw`, but time-based so
  Manim calls it during waits too): the page for the current time, each page built once and
  copied into the subtitle in every frame,
- `play` and `wait` are Manim's own: no frame-exact slicing, so Manim's rounding applies,
- and the scene is rendered with Manim's defaults (its partial-movie cache on, default x264).
An updater makes Manim render every frame of every wait instead of repeating a still frame, and
the cache hashes the whole scene at every play: that is what the baseline measures.
"""

from __future__ import annotations

import importlib.util
import logging

from manim import Scene, VGroup
from manim.animation.animation import prepare_animation

from ..core import runtime
from ..scene.explainer_scene import ExplainerScene
from ..subtitles.paging import Page

BASELINE_ENV = "DIFFUSION_EXPLAINER_BASELINE_SCENE"
log = logging.getLogger("diffusion_explainer")


def load_scene_class(scene_id: str) -> type[ExplainerScene]:
    """The ExplainerScene subclass in scenes/<scene_id>.py."""
    path = runtime.SCENES_DIR / f"{scene_id}.py"
    spec = importlib.util.spec_from_file_location(f"_baseline_{scene_id}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, ExplainerScene) and value.scene_id == scene_id:
            return value
    raise LookupError(f"{path} has no ExplainerScene with scene_id {scene_id!r}")


class NaiveSubtitles:
    """Mix in before an ExplainerScene subclass."""

    def setup(self) -> None:
        super().setup()
        self._pages: dict[tuple[str, int], VGroup] = {}
        # A time-based updater (it takes dt): Manim treats a wait with only an always_redraw as a
        # still frame and would never call it, so the subtitle would not change during waits.
        subtitle = VGroup().set_z_index(1000)  # above the band, as the real one
        subtitle.add_updater(lambda mob, dt: mob.become(self._subtitle_now()).set_z_index(1000))
        self.add(subtitle)

    def _subtitle_now(self) -> VGroup:
        frame = int(self.renderer.time * self.fps)
        current = None
        for start, page, line in self._events:
            if start <= frame:
                current = (page, line)
        if current is None:
            return VGroup()
        page, line = current
        key = (line.line.id, page.span.start)
        if key not in self._pages:
            mob = self.subtitles.page(line.line.speaker, Page(tuple(page.text.split("\n"))))
            self._pages[key] = mob.set_z_index(1000)
        return self._pages[key]

    def _sync(self) -> None:
        self._frame = round(self.renderer.time * self.fps)

    def play(self, *animations, run_time: float | None = None, **kwargs) -> None:
        animations = [prepare_animation(a) for a in animations]
        wanted = run_time if run_time is not None else max(a.run_time for a in animations)
        budget = self.seconds_left
        if budget <= 0:
            return
        Scene.play(self, *animations, run_time=min(wanted, budget), **kwargs)
        self._sync()

    def wait(self, duration: float = 1.0, stop_condition=None, frozen_frame=None) -> None:
        duration = min(duration, self.seconds_left)
        if duration > 0:
            Scene.wait(self, duration)
        self._sync()

    def _advance_to(self, frame: int, ends_at=None) -> None:
        if frame > self._frame:
            Scene.wait(self, (frame - self._frame) / self.fps)
        self._sync()

    def _show_subtitles_at(self, frame: int) -> None:
        pass  # the updater does it

    def _check_length(self) -> None:
        rendered = self.renderer.time * self.fps
        log.info("naive %s: %.1f frames rendered, %d planned", self.scene_id, rendered, self.timeline.total_frames)
