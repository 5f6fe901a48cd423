"""From the screenplay to a scene's plan: its timeline in frames and its narration track.

This is where speech and timing meet: each line is synthesised (or, in silent mode, its reading
time estimated), a scene that is too tight is spoken faster within `timeline.MAX_SPEEDUP`, the
lines are laid on the frame clock and the scene's audio track is mixed to its exact length.
It knows nothing of Manim: the base scene and the render command both use it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .screenplay import Scene, Screenplay, load_screenplay
from .style import FRAME_HEIGHT, Layout
from .subtitles import SubtitleFitter
from .timeline import SceneTimeline, estimate_speech_seconds, plan_scene, speed_needed

SILENT_ENV = "DIFFUSION_EXPLAINER_SILENT"


def silent_by_default() -> bool:
    return os.environ.get(SILENT_ENV, "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class ScenePlan:
    screenplay: Screenplay
    scene: Scene
    timeline: SceneTimeline
    audio: Path | None  # the scene's narration track, exactly the scene's length (None: silent)
    fitter: SubtitleFitter


def speech_lengths(scene: Scene, screenplay: Screenplay, speed: float, silent: bool) -> dict[str, float]:
    """Seconds each line takes to speak at `speed`: measured from real speech, or estimated."""
    if silent:
        return {line.id: estimate_speech_seconds(line.reading) / speed for line in scene.lines}
    from . import narration

    return {
        line.id: narration.synthesize(line.reading, screenplay.character(line.speaker).voice, speed=speed).duration_s
        for line in scene.lines
    }


def plan_for(
    scene_id: str,
    fps: int,
    frame_width: float = FRAME_HEIGHT * 16 / 9,
    silent: bool | None = None,
    screenplay: Screenplay | None = None,
) -> ScenePlan:
    silent = silent_by_default() if silent is None else silent
    screenplay = screenplay or load_screenplay()
    scene = screenplay.scene(scene_id)
    fitter = SubtitleFitter(Layout(frame_width, screenplay.style.subtitle_size), screenplay.style.font)

    lengths = speech_lengths(scene, screenplay, 1.0, silent)
    speed = speed_needed(scene, lengths)  # refuses a scene that cannot fit even sped up
    if speed > 1.0:
        speed = round(speed + 0.005, 2)  # a whole percent, rounded up, so the cache key is stable
        lengths = speech_lengths(scene, screenplay, speed, silent)
        if speed_needed(scene, lengths) > 1.0:  # the engine's rate is not exactly linear
            speed = round(min(speed * speed_needed(scene, lengths) + 0.01, 1.2), 2)
            lengths = speech_lengths(scene, screenplay, speed, silent)
    timeline = plan_scene(scene, fps, lengths, paginate=lambda line: [p.text for p in fitter.pages(line)], speed=speed)

    audio = None
    if not silent:
        from . import narration

        placements = [
            (t.speech.start / fps, narration.synthesize(t.line.reading, screenplay.character(t.line.speaker).voice, speed=speed).path)
            for t in timeline.lines
        ]
        key = hashlib.sha256(repr((scene.duration_s, [(s, str(p)) for s, p in placements])).encode()).hexdigest()[:16]
        out = paths.cache_dir("tracks") / f"{scene.id}-{key}.wav"
        if not out.exists():
            narration.mix_track(placements, scene.duration_s, out)
        audio = out
    return ScenePlan(screenplay, scene, timeline, audio, fitter)
