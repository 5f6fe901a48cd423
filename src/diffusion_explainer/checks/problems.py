"""Everything a render would refuse, found in seconds without rendering.

`check` runs all of it and prints every problem (one paragraph each, file:line: field: message);
`render` runs the same checks before it starts a scene, so a render never fails minutes in on
something a check could have said. The parts:
- scene files: each scene has its file, which parses, has its scene class, a method per cue and
  no method without a cue; every line and phrase the code syncs to is in the screenplay, by name;
- voices: every character's voice exists in the speech engine;
- readings: nothing in what the voice reads would be dropped by the engine;
- the machine: the font is installed, LaTeX and dvisvgm are present;
- speech fit: every scene's lines fit its duration (from cached speech where there is some, else
  the silent-mode estimate), with a table of how tight each scene is.
- translation (warnings, never a refusal: the Japanese video needs no English): once a screenplay
  has any English, every line, cue, scene and character without it, and English voices the English
  engine does not have; the scene files' on-screen texts without English (translations.py).
Nothing here imports Manim or runs the speech engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import CheckFailed, Problem, SetupError
from ..narration.engines import get_engine
from ..narration.readings import unreadable_symbols
from ..screenplay import Scene, Screenplay
from ..timing.sync import phrase_found
from ..timing.timeline import MAX_SPEEDUP, TimelineError, minimum_gaps_s, speed_needed
from . import preflight
from .scene_code import code_problems, explain
from .scene_files import SceneFile, SceneFileError, read_scene_file
from .translations import onscreen_text_problems  # noqa: F401  (`check` lists them beside translation_problems)

ENGINE = "kokoro"  # the engine renders speak with
ENGLISH_ENGINE = "kokoro-en"  # the engine the English version speaks with


@dataclass(frozen=True)
class SceneFit:
    """How tight a scene is: its lines' speech against the time the pauses leave."""

    scene: Scene
    speech_s: float
    free_s: float  # the scene's duration less the minimum pauses
    speed: float  # the speaking-rate factor it needs (1.0: fits as spoken)
    cached_lines: int  # lines measured from cached speech; the rest are estimates

    @property
    def source(self) -> str:
        total = len(self.scene.lines)
        if self.cached_lines == total:
            return "cached speech"
        return "estimate" if self.cached_lines == 0 else f"{self.cached_lines}/{total} cached, rest estimated"


def display(path: Path) -> str:
    """A path as a person typed it: relative to the working directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --- the parts ---------------------------------------------------------------------------------------


def scene_file_problems(screenplay: Screenplay) -> tuple[list[Problem], dict[str, SceneFile]]:
    """Problems of the scene files, and the files that could be read (by scene id)."""
    problems, files = [], {}
    if screenplay.scene_dir is None or not Path(screenplay.scene_dir).is_dir():
        return [Problem(screenplay.path, None, "scene_dir",
                        f"the folder of scene files {screenplay.scene_dir} does not exist")], files
    for scene in screenplay.scenes:
        path = screenplay.scene_file(scene.id)
        shown = display(path)
        try:
            info = read_scene_file(path, scene.id)
        except SceneFileError as e:
            problems.append(Problem(shown, e.line, f"scene {scene.id}", e.message))
            continue
        files[scene.id] = info
        where = f"{info.class_name}"
        cue_ids = [cue.id for cue in scene.cues]
        for cue in scene.cues:
            if cue.id not in info.methods:
                problems.append(Problem(shown, info.class_line, where,
                                        f"has no method for the cue '{cue.id}' ({cue.animation}) of scene {scene.id} "
                                        f"({screenplay.path}:{cue.source_line}): add `def {cue.id}(self):`, or rename "
                                        f"the cue back"))
        for name, lineno in info.methods.items():
            if name not in cue_ids:
                problems.append(Problem(shown, lineno, f"{where}.{name}",
                                        f"is a public method but scene {scene.id} has no cue '{name}' (its cues: "
                                        f"{', '.join(cue_ids)}): rename the cue in {screenplay.path} to match, or, "
                                        f"for a helper, start its name with _"))
        problems += _reference_problems(screenplay, scene, info, shown)
    by_path = {screenplay.scene_file(scene_id): info for scene_id, info in files.items()}
    for found in code_problems(sorted(by_path)):
        info = by_path.get(found.path)
        where = info.class_name if info is not None else "scene file"
        problems.append(Problem(display(found.path), found.line, where, explain(found)))
    return problems, files


def _reference_problems(screenplay: Screenplay, scene: Scene, info: SceneFile, shown: str) -> list[Problem]:
    problems = [Problem(shown, lineno, info.class_name, why) for lineno, why in info.unchecked]
    lines = {line.id: line for line in scene.lines}
    named = ", ".join(line.id for line in scene.lines if line.named) or "none"
    reported = set()
    for ref in info.references:
        line = lines.get(ref.line_id)
        where = f"{info.class_name}.{ref.method}"
        if line is None or not line.named:
            if ref.line_id in reported:
                continue
            reported.add(ref.line_id)
            if line is None:
                message = (f"syncs to the line '{ref.line_id}', which scene {scene.id} of {screenplay.path} does not "
                           f"have (named lines: {named}): give the line back its `id: {ref.line_id}`, or change the code")
            else:
                message = (f"'{ref.line_id}' is a line's position, which an inserted line would shift: give that line "
                           f"an `id:` in {screenplay.path}:{line.source_line} and sync to the name")
            problems.append(Problem(shown, ref.lineno, where, message))
        elif ref.phrase is not None and not phrase_found(line.text, ref.phrase):
            problems.append(Problem(shown, ref.lineno, where,
                                    f"syncs to the phrase 「{ref.phrase}」 of the line '{ref.line_id}' "
                                    f"({screenplay.path}:{line.source_line}), whose text no longer has it: "
                                    f"「{line.text.strip()}」"))
    return problems


def voice_problems(screenplay: Screenplay, engine: str = ENGINE) -> list[Problem]:
    voices = get_engine(engine).voices
    return [Problem(screenplay.path, c.source_line, f"characters.{c.name}.voice",
                    f"the speech engine {engine} has no voice '{c.voice}'; it has {', '.join(voices)}")
            for c in screenplay.characters if c.voice not in voices]


def reading_problems(screenplay: Screenplay) -> list[Problem]:
    problems = []
    for scene in screenplay.scenes:
        for line in scene.lines:
            dropped = unreadable_symbols(line.reading)
            if dropped:
                field = "say" if line.say is not None else "text"
                problems.append(Problem(screenplay.path, line.source_line, f"scenes.{scene.id}.{line.id}.{field}",
                                        f"the voice would drop or garble {' '.join(dropped)}: write the reading in kana "
                                        f"(a `say:` beside the text)"))
    return problems


def translation_problems(screenplay: Screenplay) -> list[Problem]:
    """What the English version still lacks: warnings for `check`, not refusals (the Japanese
    render reads no English). A screenplay without any English is Japanese only: nothing to say."""
    english = [c.en_voice for c in screenplay.characters] + [screenplay.en_title] + [
        b.en for scene in screenplay.scenes for b in scene.beats] + [s.en_title for s in screenplay.scenes]
    if not any(english):
        return []
    path, voices = screenplay.path, get_engine(ENGLISH_ENGINE).voices
    problems = [] if screenplay.en_title else [Problem(path, None, "en.title", "the English title is missing")]
    for c in screenplay.characters:
        if not c.en_voice:
            problems.append(Problem(path, c.source_line, f"characters.{c.name}.en",
                                    "no English name and voice (`en: {name: ..., voice: ...}`)"))
        elif c.en_voice not in voices:
            problems.append(Problem(path, c.en_source_line, f"characters.{c.name}.en.voice",
                                    f"the English engine has no voice '{c.en_voice}'; it has {', '.join(voices)}"))
    for scene in screenplay.scenes:
        if not scene.en_title:
            problems.append(Problem(path, scene.source_line, f"scenes.{scene.id}.en", "no English title"))
        problems += [Problem(path, cue.source_line, f"scenes.{scene.id}.{cue.id}.en", "the cue has no English description")
                     for cue in scene.cues if cue.en is None]
    problems += [Problem(path, line.source_line, f"scenes.{scene.id}.{line.id}.en", f"not translated: {line.text[:40]}")
                 for scene, line in screenplay.untranslated_lines]
    return problems


def machine_problems(screenplay: Screenplay) -> list[Problem]:
    problems = []
    for check, field in ((lambda: preflight.check_font(screenplay.style.font), "style.font"),
                         (preflight.check_tex, "LaTeX")):
        try:
            check()
        except SetupError as e:
            problems.append(Problem(screenplay.path if field == "style.font" else "this machine", None, field, str(e)))
    return problems


def speech_fit(screenplay: Screenplay) -> tuple[list[SceneFit], list[Problem]]:
    """Each scene's fit, from cached speech where there is some and the estimate elsewhere."""
    from ..narration import cached_speech
    from ..narration.silent_mode import estimate_duration

    fits, problems = [], []
    for scene in screenplay.scenes:
        lengths, cached = {}, 0
        for line in scene.lines:
            voice = screenplay.character(line.speaker).voice
            speech = cached_speech(line.reading, voice) if voice in get_engine(ENGINE).voices else None
            if speech is not None:
                lengths[line.id] = speech.duration_s - speech.lead_in_s
                cached += 1
            else:
                lengths[line.id] = estimate_duration(line.reading, voice)
        spoken = sum(lengths.values())
        free = scene.duration_s - minimum_gaps_s(scene)
        try:
            speed = speed_needed(scene, lengths)
        except TimelineError as e:
            speed = spoken / free if free > 0 else float("inf")
            first = scene.lines[0].source_line if scene.lines else scene.source_line
            problems.append(Problem(screenplay.path, first, f"scenes.{scene.id}.beats", str(e)))
        fits.append(SceneFit(scene, spoken, free, speed, cached))
    return fits, problems


def fit_table(fits: list[SceneFit]) -> str:
    rows = ["| scene | seconds | speech s | free s | speed needed | measured from |", "|---|---|---|---|---|---|"]
    for fit in fits:
        flag = "  ← too long" if fit.speed > MAX_SPEEDUP + 1e-9 else "  (sped up)" if fit.speed > 1.0 else ""
        rows.append(f"| {fit.scene.id} | {fit.scene.duration_s} | {fit.speech_s:.1f} | {fit.free_s - fit.speech_s:.1f} | "
                    f"{fit.speed:.2f}x{flag} | {fit.source} |")
    rows.append(f"(free s: the duration less the minimum pauses and the speech; a scene may be spoken up to "
                f"{MAX_SPEEDUP:g}x faster)")
    return "\n".join(rows)


# --- all of it -------------------------------------------------------------------------------------


def static_problems(screenplay: Screenplay) -> list[Problem]:
    """Everything but the speech fit (which a render measures with the real speech)."""
    problems, _ = scene_file_problems(screenplay)
    return problems + voice_problems(screenplay) + reading_problems(screenplay) + machine_problems(screenplay)


def refuse_problems(problems: list[Problem]) -> None:
    if problems:
        raise CheckFailed(problems)
