"""From the screenplay to a scene's plan: its timeline in frames and its narration track.

This is where speech and timing meet: each line is synthesised (or, in silent mode, its reading
time estimated), a scene that is too tight is spoken faster within `timeline.MAX_SPEEDUP`, the
lines are laid on the frame clock and the scene's audio track is mixed to its exact length.
It knows nothing of Manim: the base scene and the render command both use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from .. import narration
from ..core import runtime
from ..core.keys import digest, files_digest
from ..core.settings import DEFAULT_LANGUAGE
from ..core.store import Store
from ..core.style import FRAME_HEIGHT, Layout
from ..screenplay import Line, Scene, Screenplay, ScreenplayError, load_screenplay
from ..subtitles import SubtitleFitter
from ..subtitles.language import ENGLISH, line_language, line_reading, speaker_name
from .timeline import SceneTimeline, plan_scene, speed_needed


def silent_by_default() -> bool:
    """Whether DIFFUSION_EXPLAINER_SILENT asks for silent drafts (no speech synthesised)."""
    return narration.silent_mode()


@dataclass(frozen=True)
class NarrationTrack:
    """A scene's narration track as it will be mixed: every clip and the second it starts at."""

    key: str
    placements: tuple[tuple[float, Path], ...]
    duration_s: float

    def mixed(self) -> Path:
        """The track's file, from the cache or mixed now."""
        return narration_track(self.key, list(self.placements), self.duration_s)


@dataclass(frozen=True)
class ScenePlan:
    screenplay: Screenplay
    scene: Scene
    timeline: SceneTimeline  # in the plan's language: its speech lengths and subtitle pages
    audio: Path | None  # the scene's narration track, exactly the scene's length (None: silent, or not mixed yet)
    fitter: SubtitleFitter
    language: str = DEFAULT_LANGUAGE  # what the scene speaks, subtitles and labels in
    track: NarrationTrack | None = None  # the track still to mix (plan_for's mix=False), else None

    def mixed(self) -> ScenePlan:
        """This plan with its narration track mixed (from the cache if it was mixed before)."""
        return replace(self, audio=self.track.mixed(), track=None) if self.track is not None else self


def fitter_for(screenplay: Screenplay, aspect: float, language: str = DEFAULT_LANGUAGE) -> SubtitleFitter:
    """How subtitles are paged for a frame of this width-to-height ratio, in `language`."""
    names = tuple((c.name, speaker_name(screenplay, c.name, language)) for c in screenplay.characters)
    return SubtitleFitter(Layout(FRAME_HEIGHT * aspect, screenplay.style.subtitle_size), screenplay.style.font,
                          language, tuple((a, b) for a, b in names if a != b))


# The speech engine of each language (narration/engines.py): Kokoro reads Japanese, and English
# given English phonemes.
ENGINES = {"ja": "kokoro", "en": "kokoro-en"}


@dataclass(frozen=True)
class Voicing:
    """What the voice reads for a line, in which voice, by which engine."""

    reading: str
    voice: str
    engine: str

    def request(self, speed: float) -> narration.SpeechRequest:
        return narration.SpeechRequest(self.reading, self.voice, speed, self.engine)


def voicing(line: Line, screenplay: Screenplay, language: str = DEFAULT_LANGUAGE) -> Voicing:
    """A line's voicing in a render of `language`: its English reading by its speaker's English voice
    (the English engine), or its Japanese reading by the Japanese voice (in an English render too,
    for a line without English yet: subtitles/language.py). Each is its own clip in the speech
    cache, keyed by its engine, voice and reading (narration/speech.py)."""
    said_in = line_language(line, language)
    character = screenplay.character(line.speaker)
    voice = character.en_voice if said_in == ENGLISH else character.voice
    if not voice:
        raise ScreenplayError(screenplay.path, character.en_source_line or character.source_line,
                              f"characters.{character.name}.en.voice",
                              f"{character.name} speaks English lines but has no English voice: give the character "
                              f"`en: {{name: ..., voice: ...}}` (the English voices: "
                              f"{', '.join(narration_voices(ENGINES[ENGLISH]))})")
    return Voicing(line_reading(line, language), voice, ENGINES[said_in])


def narration_voices(engine: str) -> tuple[str, ...]:
    from ..narration.engines import get_engine

    return get_engine(engine).voices


def speak(scene: Scene, screenplay: Screenplay, speed: float, silent: bool,
          language: str = DEFAULT_LANGUAGE) -> dict[str, narration.Speech]:
    """Each line's speech at `speed`: synthesised (cached), or only its length estimated when silent."""
    spoken = {line.id: voicing(line, screenplay, language) for line in scene.lines}
    return {line_id: narration.synthesize(v.reading, v.voice, speed=speed, engine=v.engine, silent=silent)
            for line_id, v in spoken.items()}


def speech_speed(scene: Scene, screenplay: Screenplay, silent: bool, language: str = DEFAULT_LANGUAGE) -> float:
    """How fast the scene's lines are spoken: 1.0, or faster (a whole percent, rounded up, so the
    cache key is stable) if they do not fit at natural speed; refuses a scene that cannot fit even
    sped up."""
    speed = speed_needed(scene, _lengths(speak(scene, screenplay, 1.0, silent, language)))
    return math.ceil(speed * 100) / 100 if speed > 1.0 else 1.0


def plan_for(
    scene_id: str,
    fps: int,
    frame_width: float = FRAME_HEIGHT * 16 / 9,
    silent: bool | None = None,
    screenplay: Screenplay | None = None,
    reference: dict | None = None,
    language: str = DEFAULT_LANGUAGE,
    mix: bool = True,
) -> ScenePlan:
    """A scene's plan in `language`; `reference`: the layout it was last rendered with (timeline.plan_scene).
    `mix=False`: the narration track is left to mix (ScenePlan.mixed): the scene's frames do not
    need it, so a render draws them while the track is mixed beside them."""
    silent = narration.silent_mode(silent)
    screenplay = screenplay or load_screenplay()
    scene = screenplay.scene(scene_id)
    fitter = fitter_for(screenplay, frame_width / FRAME_HEIGHT, language)

    speed = speech_speed(scene, screenplay, silent, language)
    speech = speak(scene, screenplay, speed, silent, language)
    timeline = plan_scene(scene, fps, _lengths(speech), paginate=lambda line: [p.text for p in fitter.pages(line)],
                          speed=speed, reference=reference)

    if silent:
        return ScenePlan(screenplay, scene, timeline, None, fitter, language)
    # Each clip starts its short lead-in early, so the voice begins on the subtitle's frame.
    placements = [(t.speech.start / fps - speech[t.line.id].lead_in_s, speech[t.line.id].path) for t in timeline.lines]
    track = NarrationTrack(track_key(scene.id, scene.duration_s, placements), tuple(placements), scene.duration_s)
    plan = ScenePlan(screenplay, scene, timeline, None, fitter, language, track)
    return plan.mixed() if mix else plan


TRACK_NAME = "track.wav"
# The code a narration track is mixed by (read as files: importing it would import SciPy's signal
# module, which a scene process that only reads its plan never needs).
MIXING_CODE = tuple(Path(narration.__file__).with_name(name) for name in ("mixing.py", "loudness.py", "audio_files.py"))


def mixing_code_digest(files: tuple[Path, ...] = MIXING_CODE) -> str:
    return files_digest(files, files[0].parent)


def track_key(scene_id: str, duration_s: int, placements: list[tuple[float, Path]], code: str | None = None) -> str:
    """A narration track's key: the scene's length, where each clip starts and which clip (a clip's
    path names its speech by content), and the code that mixes them."""
    code = mixing_code_digest() if code is None else code
    return f"{scene_id}-{digest([duration_s, [(start, str(path)) for start, path in placements], code])}"


def narration_track(key: str, placements: list[tuple[float, Path]], duration_s: float) -> Path:
    """The scene's narration track from the cache's tracks/ store (checked: a damaged one is mixed
    again, with one line saying so), mixed and kept if it is not there."""
    tracks = Store(runtime.cache_dir("tracks"))
    entry = tracks.entry_dir(key)
    if entry is None:
        with tracks.making() as work:
            narration.mix_track(placements, duration_s, work / TRACK_NAME)
            entry = tracks.put_files(key, work)
    return entry / TRACK_NAME


def _lengths(speech: dict[str, narration.Speech]) -> dict[str, float]:
    """How long each line holds the voice: from where its voice starts to the end of its clip."""
    return {line_id: s.duration_s - s.lead_in_s for line_id, s in speech.items()}
