"""The whole video's plan: every scene's plan at the render's frame rate and where it starts.

Planned once in the render process (no Manim needed): the same `plan_for` the scenes call, so
captions, chapters, stills and the audio track line up with what the scenes draw.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Iterator

from ..core.runtime import SILENT_ENV
from ..core.settings import DEFAULT_LANGUAGE, RenderSettings
from ..screenplay import Screenplay, ScreenplayError, load_screenplay
from .scene_plan import ScenePlan, plan_for, speech_speed, voicing
from .timeline import TimelineError


@dataclass(frozen=True)
class VideoPlan:
    screenplay: Screenplay
    settings: RenderSettings
    scenes: tuple[ScenePlan, ...]

    @property
    def fps(self) -> int:
        return self.settings.fps

    @property
    def total_frames(self) -> int:
        return self.screenplay.duration_s * self.fps

    def start_frame(self, scene_id: str) -> int:
        """The scene's first frame in the joined video, from the scene table."""
        return self.screenplay.scene(scene_id).start_s * self.fps

    def scene_plan(self, scene_id: str) -> ScenePlan:
        return next(p for p in self.scenes if p.scene.id == scene_id)

    def mixed(self) -> VideoPlan:
        """This plan with every scene's narration track mixed (plan_video's mix=False leaves them)."""
        return replace(self, scenes=tuple(p.mixed() for p in self.scenes))


@contextmanager
def silent_env(silent: bool) -> Iterator[None]:
    """The narration package reads silent mode from the environment too: make it agree."""
    old = os.environ.get(SILENT_ENV)
    os.environ[SILENT_ENV] = "1" if silent else "0"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(SILENT_ENV, None)
        else:
            os.environ[SILENT_ENV] = old


def plan_video(settings: RenderSettings, screenplay: Screenplay | None = None,
               only: list[str] | None = None, references: dict[str, dict] | None = None,
               mix: bool = True) -> VideoPlan:
    """Every scene's plan (or only those of `only`, for a render of a few scenes). `references`:
    the layouts the scenes were last rendered with, kept where an edit allows (timing/timeline.py).
    `mix=False`: the narration tracks are left to mix (VideoPlan.mixed), beside the drawing."""
    screenplay = screenplay or load_screenplay()
    scenes = [s for s in screenplay.scenes if only is None or s.id in only]
    plans = []
    with silent_env(settings.silent):
        if not settings.silent:
            _synthesize_all(screenplay, settings.jobs, scenes, settings.language)
        for scene in scenes:
            started = time.monotonic()
            try:
                plans.append(plan_for(scene.id, settings.fps, frame_width=settings.frame_width,
                                      silent=settings.silent, screenplay=screenplay,
                                      reference=(references or {}).get(scene.id), language=settings.language,
                                      mix=mix))
            except TimelineError as e:
                first = scene.lines[0].source_line if scene.lines else None
                raise ScreenplayError(screenplay.path, first, f"scenes.{scene.id}", str(e)) from None
            took = time.monotonic() - started
            if took > 1.0:  # speech made, or a narration track mixed: say so, or the render seems stuck
                print(f"  plan    {scene.id:<16} {'timeline and narration track' if mix else 'timeline'} in {took:.1f} s",
                      file=sys.stderr, flush=True)
    _check_scene_table(screenplay)
    return VideoPlan(screenplay, settings, tuple(plans))


def speech_to_make(screenplay: Screenplay, language: str = DEFAULT_LANGUAGE, scenes=None) -> bool:
    """Whether some line has no speech in the cache at natural speed (a line reworded): what a
    render asks, in the background, before it loads the speech model or starts its warm
    processes, which an edit undone does not need (they would take a core from its planning)."""
    from .. import narration

    for scene in scenes if scenes is not None else screenplay.scenes:
        for line in scene.lines:
            request = voicing(line, screenplay, language).request(1.0)
            if narration.cached_speech(request.text, request.voice, request.speed, request.engine) is None:
                return True
    return False


def _synthesize_all(screenplay: Screenplay, jobs: int, scenes=None, language: str = DEFAULT_LANGUAGE) -> None:
    """Every line's speech at natural speed, in parallel; then, for a scene too tight for natural
    speed, its lines spoken faster, in parallel too: planning then finds them all cached (it
    would otherwise synthesise the faster ones one by one, saying nothing)."""
    from .. import narration

    scenes = scenes if scenes is not None else screenplay.scenes

    def synthesize_missing(lines_at_speed, why: str | None = None) -> None:
        requests = [voicing(line, screenplay, language).request(speed) for line, speed in lines_at_speed]
        missing = [r for r in requests if narration.cached_speech(r.text, r.voice, r.speed, r.engine) is None]
        if missing:  # (its progress lines go to stderr)
            if why:
                print(f"speech: {len(missing)} lines {why}", file=sys.stderr, flush=True)
            narration.synthesize_many(missing, jobs=max(1, jobs), silent=False)

    synthesize_missing([(line, 1.0) for scene in scenes for line in scene.lines])
    faster = []
    for scene in scenes:
        try:
            speed = speech_speed(scene, screenplay, silent=False, language=language)
        except TimelineError:
            continue  # planning the scene says what and where
        if speed > 1.0:
            faster += [(line, speed) for line in scene.lines]
    synthesize_missing(faster, "of scenes too tight for natural speed, spoken faster")


def _check_scene_table(screenplay: Screenplay) -> None:
    clock = 0
    for scene in screenplay.scenes:
        if scene.start_s != clock:
            raise ScreenplayError(screenplay.path, None, f"scenes.{scene.id}.start",
                                  f"starts at {scene.start_s} s but the scene before it ends at {clock} s")
        clock = scene.end_s
    if clock != screenplay.duration_s:
        raise ScreenplayError(screenplay.path, None, "duration",
                              f"the scenes add up to {clock} s, not the video's {screenplay.duration_s} s")
