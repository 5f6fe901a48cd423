"""`render`: from a screenplay to its video and its side files, in the output folder of its quality
and language (build/diffusion_explainer.mp4 for 1080p60 in Japanese, build/en/480p15/ ... for
English at 480p15: core/build_layout.py).

0. check the screenplay and its scene files (what `check` finds), prepare what the scenes need
   (the trained models), so that no scene process starts on something that would fail;
1. plan every scene once (its timeline; the layout a scene was last rendered with is kept where an
   edit allows; its narration track is mixed beside the drawing) and hash each scene's inputs;
2. for the scenes whose inputs changed, find the chunks whose frames could have changed
   (scene_work.py, chunks.py) and render them as jobs, on local processes or a Ray cluster
   (executors.py), then join each scene's chunks into its video;
3. join the scene videos (stream copy) with one narration track encoded once, read the result
   back and refuse it if any number is off;
4. write the captions, chapters, thumbnail and contact sheet beside it, and the review page with
   the cheap parts of its quality report (review/); or, when an earlier render joined the video
   from the same inputs (an edit undone), put its video and side files back (finished.py).
Every file is written under a temporary name and renamed when complete; a run that changes
nothing rewrites nothing. One render at a time per build directory (a lock file).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import io
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .. import review
from ..checks import problems as checks
from ..core import build_layout
from ..core.build_layout import BuildLayout
from ..core.errors import RenderError
from ..core.files import PARTIAL_MARK, atomic_path, file_stamps, link_or_copy, sweep_partials, write_bytes, write_text
from ..core.keys import digest as _digest
from ..core.settings import RenderSettings
from ..media import caption_files as captions
from ..media import stills
from ..media.join import Chapter, ScenePiece, SubtitleTrack, join
from ..media.probe import AUDIO_RATE, probe, video_problems
from ..screenplay import DEFAULT_PATH, Screenplay, load_screenplay
from ..sound import kept_mix
from ..sound.aac_segments import SegmentWorkers
from ..sound.mixdown import SEED, MixGround
from ..sound.soundtrack import (
    NO_SOUNDS,
    MixMemory,
    SceneSounds,
    SoundCosts,
    Soundtrack,
    file_digest,
    mix_ground,
    mix_layout,
    soundtrack,
)
from ..subtitles.language import ENGLISH, ENGLISH_FONT, check_english_font, scene_title, video_title
from ..timing.sound_marks import from_json
from ..timing.video_plan import VideoPlan, plan_video, speech_to_make
from .chunks import ChunkStore
from .executors import LocalExecutor, RayExecutor
from .faults import check_space, system_errors
from .finished import FinishedRenders
from .inputs import (
    PACKAGE_DIR,
    Manifest,
    SharedInputs,
    engine_artefacts_digest,
    package_code_digest,
    scene_inputs,
    toolchain_digest,
)
from .jobs import NEW_PROCESSES, JobResult, JobSpec
from .progress import Progress, clock
from .scene_work import (
    MIN_JOB_S,
    WARM_MIN_JOB_S,
    JobRun,
    SceneWork,
    assemble,
    checked_scene_video,
    file_result,
    job_spec,
    make_work,
    plan_jobs,
)
from .warm_processes import WarmProcesses


def build_root(screenplay: Screenplay) -> Path:
    return build_layout.build_root(screenplay.path, screenplay.name, DEFAULT_PATH)


def layout_for(screenplay: Screenplay, settings: RenderSettings, root: Path | None = None) -> BuildLayout:
    """The folders of this screenplay's render: its build folder (build_root unless `root` is given)
    and, in it, the output folder of its quality and language."""
    return BuildLayout(Path(root) if root is not None else build_root(screenplay), settings, screenplay.name)


@dataclass
class RenderReport:
    settings: RenderSettings
    video: Path
    rendered: list[JobRun] = field(default_factory=list)  # the jobs that ran
    reused: list[str] = field(default_factory=list)
    reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)  # why each rendered scene was stale
    chunks: dict[str, dict[int, str]] = field(default_factory=dict)  # scene -> chunk index -> why it rendered
    chunks_of: dict[str, int] = field(default_factory=dict)  # scene -> how many chunks it has (those rendering)

    @property
    def rendered_scenes(self) -> list[str]:
        return sorted(self.chunks)
    joined: bool = False
    restored: bool = False  # the video and side files of an earlier render with the same inputs put back
    wall_s: float = 0.0
    scenes_wall_s: float = 0.0
    sound_wait_s: float = 0.0
    sound_cpu_s: float = 0.0  # the soundtrack's mix and encode, and the page's sound measures, beside the scenes
    # of which the segments encoded in processes of their own, apart from the mix (aac_segments.py)
    sound_segments_cpu_s: list[float] = field(default_factory=list)
    join_s: float = 0.0
    side_files_s: float = 0.0


@contextlib.contextmanager
def build_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".render.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RenderError(f"another render is already writing to {root}; wait for it to finish "
                              f"(or remove {root / '.render.lock'} if no render is running)") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def render_video(settings: RenderSettings, *, screenplay: Screenplay | None = None, root: Path | None = None,
                 force: bool = False, progress: Progress | None = None, only: list[str] | None = None,
                 executor: str | LocalExecutor = "local", job_environment: dict | None = None,
                 chunks_per_job: int | None = None, keep_states: bool = False, preview: bool = False,
                 sound_workers: SegmentWorkers | None = None, mix_memory: MixMemory | None = None) -> RenderReport:
    """Render what changed and join the video. `only`: render just these scenes (a quick look),
    without the join and the side files. `preview`: the joined video and the review record only
    (the studio's: no captions, stills, stems, sound measures or page, which cost several seconds an
    edit and which the studio's page does not show). `executor`: "local" (processes here), "ray", or an executor
    made for this render's build layout (the studio's, whose jobs start in warm processes).
    `chunks_per_job`: cut jobs to this many chunks instead of sizing them to the workers.
    `keep_states`: a forced render still resumes stories from the saved states (the bench).
    `sound_workers`: processes kept by the caller to encode the soundtrack's segments in (the
    studio's; else this render starts its own). `mix_memory`: the last mix, kept by the caller
    (the studio's; else the last joined video's, made again meanwhile: last_mix), patched where a
    scene's narration changed."""
    started = time.monotonic()
    screenplay = screenplay or load_screenplay()
    outputs = layout_for(screenplay, settings, root)
    progress = progress or Progress()
    report = RenderReport(settings, outputs.video)
    checks.refuse_problems(checks.static_problems(screenplay))  # what `check` finds, before anything starts
    if settings.language == ENGLISH:
        check_english_font()
    only = _known_scenes(screenplay, only)
    # jobs in the caller's warm processes (the studio's) are cut small: each starts in a fork
    warm = isinstance(executor, LocalExecutor) and executor.processes is not NEW_PROCESSES
    with build_lock(outputs.root), system_errors(outputs.root), contextlib.ExitStack() as early:  # (a full disk or a refused write, said so)
        for directory in (outputs.root, outputs.output, outputs.scenes_dir):
            sweep_partials(directory)
        check_space(outputs, settings, sum(s.duration_s for s in screenplay.scenes if not only or s.id in only))
        # whether this render looks like drawing (a line to speak, code saved since the last render
        # drew): asked in the background, by what would start early for it
        drawing = _asked_once(lambda: force or bool(only)
                              or (not settings.silent and speech_to_make(screenplay, settings.language))
                              or code_saved_since(outputs.scenes_manifest, [PACKAGE_DIR, Path(screenplay.scene_dir or ".")]))
        if executor == "local":
            # this machine's jobs fork from a server that imports Manim and the package while the
            # speech is made and the render planned (if it looks like drawing: else when a job
            # starts): no job pays its imports when it is needed
            executor = LocalExecutor(settings.jobs, outputs.jobs_dir, outputs.compiled_dir,
                                     processes=early.enter_context(WarmProcesses.started_early(drawing)))
        keeping = None  # this render's mix, kept on disk for the next (keep_mix)
        if mix_memory is None and not only and not settings.silent:
            mix_memory = last_mix(outputs, settings, when=drawing)
            keeping = early.enter_context(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="keep-mix"))
        prepare_for_scenes(screenplay, only or [s.id for s in screenplay.scenes], progress)
        store = ChunkStore(outputs.chunks_dir)
        references = {} if force else {s.id: store.reference(s.id) for s in screenplay.scenes}
        plan = plan_video(settings, screenplay, only=only, references=references, mix=False)  # tracks: beside the drawing
        # the narration tracks are mixed from here on (1.5 CPU-s for a long scene's), while the
        # jobs are planned on the other core: the soundtrack needs them before the scenes are drawn
        mixing = None if only else early.enter_context(
            concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="narration")).submit(plan.mixed)
        run_on = make_executor(executor, settings, outputs, screenplay)
        workers = run_on.workers() if isinstance(run_on, RayExecutor) else settings.jobs
        title = video_title(screenplay, settings.language)[0]
        progress.say(f"render: {title} — {len(plan.scenes)} scene{'s' if len(plan.scenes) > 1 else ''}"
                     f"{' of ' + str(len(screenplay.scenes)) if only else ''}, {sum(p.scene.duration_s for p in plan.scenes)} s, "
                     f"{settings.describe()}, {workers} worker{'s' if workers > 1 else ''} ({run_on.name})")

        manifest = Manifest(outputs.scenes_manifest)
        works, report.reused = scene_works(plan, manifest, outputs, force, keep_states)
        report.reasons = {w.scene_id: w.reasons for w in works}
        report.chunks = {w.scene_id: dict(w.stale) for w in works}
        report.chunks_of = {w.scene_id: len(w.ranges) for w in works}
        if report.reused:
            progress.say(f"  reuse   {', '.join(report.reused)} (unchanged)")
        plan_jobs(works, workers, store, chunks_per_job, WARM_MIN_JOB_S if warm else MIN_JOB_S)
        for work in works:
            layout = f" (timing {work.timeline.layout})" if work.timeline.layout else ""
            progress.say(f"  render  {work.scene_id:<16} {work.describe()}{layout}")

        t = time.monotonic()
        if only:
            report.rendered = run_works(run_on, works, settings, manifest, outputs, progress, job_environment)
            report.wall_s = time.monotonic() - started
            for scene_id in only:
                progress.say(f"  scene   {outputs.scene_video(scene_id)}")
            progress.say(f"render: {len(report.rendered)} jobs, {len(report.reused)} scenes reused, not joined "
                         f"(--scene), total {clock(report.wall_s)}")
            return report
        sounds = SceneSounds(lambda scene_id: from_json((manifest.get(scene_id) or {}).get("sounds", [])),
                             rendering=[w.scene_id for w in works])
        measures = EarlyMeasures(outputs, plan.screenplay.duration_s, enabled=not preview)
        mixed: list[VideoPlan] = []  # the plan with its narration tracks, as the soundtrack mixes them

        def pieces() -> list[ScenePiece]:
            mixed.append(mixing.result())
            return scene_pieces(mixed[0], outputs)

        no_stills = threading.Event()  # set: the stills being drawn are not wanted (an earlier render's put back)
        with measures, early_soundtrack(pieces, settings, outputs.sound_cache, sounds, on_encoded=measures.add,
                                        workers=sound_workers, memory=mix_memory, stems=not preview) as sound, \
                concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="stills") as ahead, \
                contextlib.ExitStack() as leaving:
            leaving.callback(no_stills.set)  # (first thing on leaving, before the stills' thread is waited for)
            report.rendered = run_works(run_on, works, settings, manifest, outputs, progress, job_environment,
                                        on_scene=sounds.settle)
            report.scenes_wall_s = time.monotonic() - t
            # the pictures need only the scene videos: drawn while the soundtrack is finished and joined
            drawn = None if preview else ahead.submit(draw_stills, plan, outputs, no_stills)
            t = time.monotonic()
            sound_files, sound_cpu_s, costs = sound.result()  # its errors are the render's errors
            report.sound_wait_s = time.monotonic() - t  # the soundtrack still being made after the scenes
            if keeping is not None:  # written while the video is joined (waited for on leaving)
                keeping.submit(keep_mix, mix_memory, outputs)
            plan = mixed[0]

            final_inputs = _final_inputs(plan, manifest, sound_files)
            recorded = Manifest(outputs.manifest).get(outputs.name)
            wanted = [outputs.video, outputs.record] if preview else outputs.all_files()
            if (recorded and recorded.get("inputs") == final_inputs and not force
                    and all(p.exists() for p in wanted)
                    and recorded.get("bytes") == outputs.video.stat().st_size):
                progress.say(f"  up to date: {outputs.video}")
            else:
                finished = FinishedRenders(outputs)
                kept = [p for p in wanted if p not in (outputs.narration_stem, outputs.music_stem)]
                key = finished.key(final_inputs, kept)
                t = time.monotonic()
                restored = None if force else finished.restore(key, kept)
                if restored is not None:  # an edit undone: the video and side files made from these inputs
                    no_stills.set()
                    if not preview:
                        place_stems(sound_files, outputs)
                    frames, report.restored = restored["frames"], True
                    report.side_files_s = time.monotonic() - t
                    progress.say(f"  restored {outputs.video} and its side files in {clock(report.side_files_s)}: "
                                 f"an earlier render's, made from the same inputs (nothing joined or written)")
                else:
                    frames = join_and_write(plan, outputs, settings, sound_files, report, progress, preview,
                                            before_page=measures.wait, drawn=drawn)
                    finished.keep(key, kept, {"frames": frames})
                    progress.say(f"  wrote   {', '.join(outputs.relative(p) for p in wanted[1:])} "
                                 f"in {clock(report.side_files_s)}")
                Manifest(outputs.manifest).record(outputs.name, {
                    "inputs": final_inputs, "settings": settings.key, "frames": frames,
                    "bytes": outputs.video.stat().st_size, "mixed": mixed_from(scene_pieces(plan, outputs)),
                    "written_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                })
                for line in [] if preview else flagged_lines(outputs.report):
                    progress.say(line)
        report.sound_cpu_s = sound_cpu_s + sum(costs.segments_cpu_s) + measures.cpu_s  # (the measures are done)
        report.sound_segments_cpu_s = [round(s, 2) for s in costs.segments_cpu_s]
    report.wall_s = time.monotonic() - started
    progress.say(f"render: {len(report.rendered)} jobs for {len(works)} scenes, {len(report.reused)} scenes reused, "
                 f"total {clock(report.wall_s)}")
    progress.say(f"render: the video is {outputs.video}, its side files beside it")
    return report


def mixed_from(pieces: list[ScenePiece]) -> list[list]:
    """What the soundtrack of a joined video was mixed from: each scene's frames and narration track."""
    return [[p.scene_id, p.frames, None if p.audio is None else str(p.audio)] for p in pieces]


def last_mix(outputs: BuildLayout, settings: RenderSettings, when: Callable[[], bool] | None = None) -> MixMemory:
    """The mix of the video this output folder last joined, so that the soundtrack patches it
    where an edit changed the narration instead of mixing ten minutes from nothing (sound/mixdown.py):
    what the studio keeps in memory, for a new process. Read back from where the last render kept
    it (sound/kept_mix.py: about 0.5 CPU-s, its files checked), else made again from that render's
    narration tracks if they are still in the cache (about 4.5 CPU-s), in the background at the
    lowest priority while the speech is made and the scenes are planned (if `when()`: else when a
    mix takes it). If the edit changed the scenes' lengths it is not used. Empty if nothing was
    joined here before: the mix this render makes is kept in it, and then on disk (keep_mix)."""
    memory = MixMemory(prime_found=False)
    recorded = (Manifest(outputs.manifest).get(outputs.name) or {}).get("mixed")
    try:
        pieces, start = [], 0
        for scene_id, frames, audio in recorded or ():
            pieces.append(ScenePiece(str(scene_id), outputs.scene_video(str(scene_id)), start, int(frames),
                                     None if audio is None else Path(audio)))
            start += int(frames)
    except (TypeError, ValueError):  # a record this code did not write: nothing to start from
        return memory
    if not pieces or any(p.audio is not None and not p.audio.exists() for p in pieces):
        return memory
    places, music = mix_layout(pieces, settings.fps, settings.music)

    def ground() -> MixGround:
        return (kept_mix.kept_ground(places, AUDIO_RATE, SEED, music, outputs.sound_cache)
                or mix_ground(pieces, settings.fps, outputs.sound_cache, settings.music))

    memory.prime(ground, when)
    return memory


def _asked_once(question: Callable[[], bool]) -> Callable[[], bool]:
    """`question`, answered once for all threads that ask it (the first asks; the others wait)."""
    lock, answers = threading.Lock(), []

    def ask() -> bool:
        with lock:
            if not answers:
                answers.append(question())
            return answers[0]

    return ask


def code_saved_since(record: Path, folders: Sequence[Path]) -> bool:
    """Whether a Python file in `folders` (the package's, the scene files') was saved after `record`
    (the scenes' manifest, which every render that draws writes): the render will likely draw.
    Without a record, it will."""
    try:
        since = record.stat().st_mtime_ns
    except OSError:
        return True
    return any(mtime > since for _, mtime, _, _ in file_stamps(p for folder in folders for p in folder.rglob("*.py")))


def keep_mix(memory: MixMemory, outputs: BuildLayout) -> None:
    """Keep on disk the ground of the mix this render made (sound/kept_mix.py), for the next render
    to patch; nothing if it made none (its soundtrack was found in the cache), or if it patched the
    one kept on disk (the next render patches that one again where its narration differs, rather
    than this render writing 575 MB, 1.1 CPU-s beside the side files). A ground that cannot be
    written (a full disk) is only not kept: the next render mixes from the tracks."""
    ground = memory.kept() if memory.mixed else None
    if ground is not None:
        kept_mix.keep_ground_unless_recalled(ground, outputs.sound_cache)


def join_and_write(plan: VideoPlan, outputs: BuildLayout, settings: RenderSettings, sound_files: Soundtrack,
                   report: RenderReport, progress: Progress, preview: bool, before_page=lambda: None,
                   drawn: concurrent.futures.Future | None = None) -> int:
    """Join the video and write its side files (a preview: the review record only); its frames.
    `drawn`: the stills (draw_stills), being drawn meanwhile."""
    t = time.monotonic()
    language = settings.language
    facts = join_and_check(scene_pieces(plan, outputs), settings, plan.screenplay.duration_s,
                           outputs.video, title=video_title(plan.screenplay, language)[0],
                           sound=sound_files.audio, outputs=outputs,
                           chapters=[Chapter(s.start_s * 1000, s.end_s * 1000, scene_title(s, language))
                                     for s in plan.screenplay.scenes],
                           subtitles=captions.subtitle_tracks(plan))
    report.joined, report.join_s = True, time.monotonic() - t
    progress.say(f"  joined  {outputs.video} in {clock(report.join_s)}: {facts.frames} frames, "
                 f"{facts.video_duration_s:g} s, {facts.width}x{facts.height} H.264 {facts.profile}, "
                 f"AAC {facts.audio_rate} Hz stereo, fast start")
    t = time.monotonic()
    if preview:
        review.publish_record(plan, outputs)
    else:
        place_stems(sound_files, outputs)
        write_side_files(plan, outputs, before_page=before_page,
                         drawn=drawn.result() if drawn is not None else None)
    report.side_files_s = time.monotonic() - t
    return facts.frames


def make_executor(name: str | LocalExecutor, settings: RenderSettings, outputs: BuildLayout, screenplay: Screenplay):
    if isinstance(name, LocalExecutor):  # made by the caller (the studio's warm processes)
        return name
    if name == "local":
        return LocalExecutor(settings.jobs, outputs.jobs_dir, outputs.compiled_dir)
    if name == "ray":
        from ..engine import models

        ids = [s.id for s in screenplay.scenes]
        engine = [d for d in models.artefact_dirs() if d.is_dir()] if uses_trained_models(screenplay, ids) else []
        return RayExecutor(outputs.jobs_dir, outputs.compiled_dir, engine_files=engine)
    raise RenderError(f"unknown executor '{name}': use local or ray")


def uses_trained_models(screenplay: Screenplay, scene_ids: list[str]) -> bool:
    """Whether a scene file imports what loads the trained models (engine pictures and schedule
    alone need none)."""
    from ..checks.scene_files import read_scene_file

    trained = ("diffusion_explainer.demos", "diffusion_explainer.engine.models")
    return any(module.startswith(trained) for scene_id in scene_ids
               for module in read_scene_file(screenplay.scene_file(scene_id), scene_id).imports)


def scene_works(plan: VideoPlan, manifest: Manifest, outputs: BuildLayout, force: bool,
                keep_states: bool = False) -> tuple[list[SceneWork], list[str]]:
    """The scenes to render (each with its stale chunks), longest first; and those reused whole."""
    screenplay = plan.screenplay
    ids = frozenset(s.id for s in screenplay.scenes)
    shared = SharedInputs(package_code_digest(scenes_dir=Path(screenplay.scene_dir), scene_ids=ids),
                          engine_artefacts_digest(), toolchain_digest(plan.settings, subtitle_fonts(plan)))
    works, reused = [], []
    for scene_plan in plan.scenes:
        scene_id = scene_plan.scene.id
        inputs = scene_inputs(screenplay, scene_plan.timeline, screenplay.scene_file(scene_id), shared,
                              scene_plan.language)
        reasons = stale_reasons(inputs, manifest.get(scene_id), outputs.scene_video(scene_id), force)
        if reasons:
            works.append(make_work(scene_plan, inputs, reasons, ChunkStore(outputs.chunks_dir), force, keep_states))
        else:
            reused.append(scene_id)
    return sorted(works, key=lambda w: -w.plan.scene.duration_s), reused


def subtitle_fonts(plan: VideoPlan) -> list[str]:
    """The fonts the scenes draw with, whose files key them: the screenplay's, and the English
    subtitles' in an English render."""
    english = [ENGLISH_FONT] if plan.settings.language == ENGLISH else []
    return [plan.screenplay.style.font] + english


def run_works(run_on, works: list[SceneWork], settings: RenderSettings, manifest: Manifest, outputs: BuildLayout,
              progress: Progress, job_environment: dict | None, on_scene=lambda scene_id: None) -> list[JobRun]:
    """Run every job; as each scene's last job finishes, join its chunks into its video (then
    `on_scene(scene_id)`: the soundtrack may take its sound effects)."""
    store = ChunkStore(outputs.chunks_dir)
    specs: list[tuple[JobSpec, SceneWork]] = [(job_spec(w, j, settings, store, job_environment), w)
                                              for w in works for j in w.jobs]
    specs.sort(key=lambda item: -next(j.estimate_s for j in item[1].jobs if j.name == item[0].name))  # longest first
    by_name = {spec.name: work for spec, work in specs}
    left = {w.scene_id: len(w.jobs) for w in works}
    for work in works:  # a scene with nothing stale (its chunks all reused) is joined at once
        if not work.jobs:
            assemble(work, store, outputs.scene_video(work.scene_id), manifest, settings)
            on_scene(work.scene_id)
            progress.say(f"  done    {work.scene_id:<16} from its chunks, none rendered")

    def on_result(spec: JobSpec, result: JobResult) -> None:
        work = by_name[spec.name]
        file_result(work, spec, result, store, outputs.compiled_dir(work.scene_id))
        if result.status != 0:
            progress.job_failed(spec.name, result.wall_s, result.error)
            return
        progress.job_finished(spec.name, spec.frames / settings.fps, result.wall_s, result.cpu_s, result.peak_rss_mb)
        left[work.scene_id] -= 1
        if left[work.scene_id] == 0:
            assemble(work, store, outputs.scene_video(work.scene_id), manifest, settings)
            on_scene(work.scene_id)
            progress.say(f"  done    {work.scene_id:<16} joined from {len(work.ranges)} chunks")

    for spec, _ in specs:
        progress.job_queued(spec.name, spec.frames)
    if specs:
        progress.start_live()
    try:
        run_on.run([spec for spec, _ in specs], on_result, progress.job_frames)
    finally:
        progress.close()
    return [run for work in works for run in work.runs]


def _known_scenes(screenplay: Screenplay, only: list[str] | None) -> list[str] | None:
    if not only:
        return None
    ids = [s.id for s in screenplay.scenes]
    unknown = [scene_id for scene_id in only if scene_id not in ids]
    if unknown:
        raise RenderError(f"{screenplay.path} has no scene {', '.join(unknown)}; its scenes are {', '.join(ids)}")
    return [scene_id for scene_id in ids if scene_id in only]  # in the screenplay's order, once each


def prepare_for_scenes(screenplay: Screenplay, scene_ids: list[str], progress: Progress) -> None:
    """Make, once and before any scene process starts, what the scenes would otherwise each make
    on first use: the trained diffusion models (when a scene file uses the engine). Training
    takes a few minutes on a new machine; its lock already keeps parallel scenes from training
    twice, but a scene's progress would show none of it."""
    if uses_trained_models(screenplay, scene_ids):
        from ..engine import models

        if not models.all_trained():
            progress.say("  training the diffusion models (a few minutes, once: they are cached)")
            t = time.monotonic()
            models.load_or_train_all(progress=True)
            progress.say(f"  trained the diffusion models in {clock(time.monotonic() - t)}")


def stale_reasons(inputs, recorded: dict | None, video: Path, force: bool) -> list[str]:
    """Why a scene must be rendered again; empty if its video can be reused."""
    if force:
        return ["--force"]
    if not video.exists():
        return ["no video"]
    if checked_scene_video(recorded, video):  # its size and checksum against the manifest's
        return ["video changed on disk"]
    return [f"{part} changed" if part not in ("never rendered", "manifest") else part
            for part in inputs.changed_since(recorded)]


def _final_inputs(plan: VideoPlan, manifest: Manifest, sound: Soundtrack) -> str:
    """What the joined file and its side files are made from: the scene videos, the soundtrack
    (the narration tracks, music and effects) and the timelines (captions)."""
    return _digest({
        "soundtrack": sound.key,
        "settings": plan.settings.key,
        "scenes": [(p.scene.id, (manifest.get(p.scene.id) or {}).get("inputs")) for p in plan.scenes],
        "audio": [file_digest(p.audio) for p in plan.scenes],
        "captions": captions.srt_text(plan),
        "english captions": captions.english_srt_text(plan),
        "chapters": captions.chapters_text(plan),
        "joining code": _render_code_digest(),
    })


def _render_code_digest() -> str:
    """The code that joins the video and writes its side files (render/, media/) and the review page's
    (review/, its template, script and style): a change to any of it rewrites them."""
    package = Path(__file__).parents[1]
    code = [p for folder in ("render", "media", "review") for p in (package / folder).rglob("*")
            if p.suffix in (".py", ".js", ".css", ".j2", ".html")]
    return _digest([[p.relative_to(package).as_posix(), file_digest(p)] for p in sorted(code)])


class EarlyMeasures:
    """The review page's sound measures of each soundtrack as soon as it is made, one after another
    in a thread of their own: the voice onsets, and the loudness and true peak its encoder measured
    (review/audio.py; decoded and measured here, about 6.5 CPU-s for ten minutes, only for a track
    without them). They run while the scenes render and the video is joined, and the page finds
    them kept.
    Each track is measured through hard links of its files, since the soundtrack's folder is
    renamed once it is known to be final."""

    def __init__(self, outputs: BuildLayout, duration_s: float, enabled: bool = True):
        self.outputs, self.duration_s, self.enabled = outputs, duration_s, enabled
        for left in outputs.sound_cache.glob(f".measure{PARTIAL_MARK}*"):  # by a render that was killed
            shutil.rmtree(left, ignore_errors=True)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="measures")
        self._pending: list[concurrent.futures.Future] = []
        self.cpu_s = 0.0

    def add(self, made: Soundtrack) -> None:
        if not self.enabled:  # (a preview has no page to show them)
            return
        folder = Path(tempfile.mkdtemp(prefix=f".measure{PARTIAL_MARK}", dir=made.folder.parent))
        for path in made.folder.iterdir():  # the track, its stems and what its encoder measured
            if path.is_file():
                link_or_copy(path, folder / path.name)
        self._pending.append(self._pool.submit(self._measure, Soundtrack(folder)))

    def _measure(self, made: Soundtrack) -> None:
        cpu = time.thread_time()
        try:
            self.cpu_s += review.measure_soundtrack(made, self.outputs, self.duration_s).other_threads_cpu_s
        finally:
            shutil.rmtree(made.folder, ignore_errors=True)
            self.cpu_s += time.thread_time() - cpu

    def wait(self) -> None:
        """Until every measure started is done (its error is raised here)."""
        for future in self._pending:
            future.result()

    def __enter__(self) -> EarlyMeasures:
        return self

    def __exit__(self, *exc) -> None:
        for future in self._pending:
            future.cancel()
        self._pool.shutdown(wait=True)


@contextlib.contextmanager
def early_soundtrack(pieces: Callable[[], list[ScenePiece]], settings: RenderSettings, cache_dir: Path,
                     sounds: SceneSounds = NO_SOUNDS, on_encoded=None,
                     workers: SegmentWorkers | None = None, memory: MixMemory | None = None,
                     stems: bool = True) -> Iterator[concurrent.futures.Future]:
    """Mix the narration tracks not mixed yet and encode the soundtrack (if the narration or music
    changed) while the scenes render: it needs the narration tracks and the scene lengths, and
    each scene's sound effects only when it gets to that scene; a core is often free (one stale
    scene, or the last one). `pieces()`: the scenes, their tracks mixed. The join then finds it in
    the cache. If the render stops, so does the encode. `on_encoded(soundtrack)`: what to do with
    each track as soon as it is made (the review page's sound measures). `memory`, `stems`: as
    soundtrack() takes them."""
    stop = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="soundtrack") as pool:
        def made() -> tuple[Soundtrack, float, SoundCosts]:  # the CPU seconds of this thread, and the rest
            cpu, costs = time.thread_time(), SoundCosts()
            track = soundtrack(pieces(), settings.fps, cache_dir, stop, music=settings.music, sounds=sounds,
                               on_encoded=on_encoded, workers=workers or settings.jobs, costs=costs,
                               stems=stems, memory=memory)
            return track, time.thread_time() - cpu, costs

        future = pool.submit(made)
        try:
            yield future
        except BaseException:
            stop.set()
            raise


def scene_pieces(plan: VideoPlan, outputs: BuildLayout) -> list[ScenePiece]:
    return [ScenePiece(p.scene.id, outputs.scene_video(p.scene.id), plan.start_frame(p.scene.id),
                       p.timeline.total_frames, p.audio) for p in plan.scenes]


def join_and_check(pieces: list[ScenePiece], settings: RenderSettings, duration_s: int, final: Path, title: str = "",
                   sound: Path | None = None, outputs: BuildLayout | None = None, chapters: Sequence[Chapter] = (),
                   subtitles: Sequence[SubtitleTrack] = ()):
    """Join into a temporary file, read it back, and rename it over `final` only if it is right.
    `sound`: the encoded soundtrack of these pieces, if the caller has it (else from the cache
    beside `final`, encoded if missing). `subtitles`: its soft subtitle tracks."""
    sound = sound or soundtrack(pieces, settings.fps, (outputs or BuildLayout(final.parent, settings)).sound_cache,
                                music=settings.music).audio
    with atomic_path(final) as tmp:
        join(pieces, settings.fps, sound, tmp, title=title, chapters=chapters, subtitles=subtitles)
        facts = probe(tmp)
        problems = video_problems(facts, settings.width, settings.height, settings.fps, duration_s,
                                  subtitles={t.language: len(t.events) for t in subtitles})
        if problems:
            rejected = final.with_name(f"{final.stem}.rejected{final.suffix}")
            os.replace(tmp, rejected)
            raise RenderError(f"the joined video is wrong, so {final} was left as it was: {'; '.join(problems)}. "
                              f"The rejected file is {rejected}.")
    return facts


def place_stems(sound: Soundtrack, outputs: BuildLayout) -> None:
    """The soundtrack's stems beside the video (hard links into the cache, else copies); a stem
    this render has none of is removed, so what lies beside the video is always its own."""
    for stem, final in ((sound.narration, outputs.narration_stem), (sound.music, outputs.music_stem)):
        if stem is None:
            final.unlink(missing_ok=True)
            continue
        with atomic_path(final) as tmp:
            link_or_copy(stem, tmp)


FLAGS_SHOWN = 12


def flagged_lines(report_path: Path) -> list[str]:
    """What the quality report flags (a line read too fast, a voice late for its subtitle, dead air),
    for the end of a render: the page and report.json have it all, but a flag nobody reads is lost."""
    try:
        problems = json.loads(report_path.read_text(encoding="utf-8")).get("problems", [])
    except (OSError, ValueError):
        return []
    if not problems:
        return ["  report  nothing flagged"]
    lines = [f"  report  {len(problems)} flagged (see {report_path.with_name('index.html').name}):"]
    lines += [f"          {problem}" for problem in problems[:FLAGS_SHOWN]]
    if len(problems) > FLAGS_SHOWN:
        lines.append(f"          ... and {len(problems) - FLAGS_SHOWN} more in {report_path.name}")
    return lines


@dataclass(frozen=True)
class Stills:
    """The pictures beside the video: the thumbnail and the contact sheet (as PNG files' bytes), and
    every cue's settled picture (the sheet's tiles, the review page's cue strip)."""

    thumbnail: bytes
    cue_stills: list[stills.CueStill]
    contact_sheet: bytes


def draw_stills(plan: VideoPlan, outputs: BuildLayout, stop: threading.Event | None = None) -> Stills:
    """The stills, from the scene videos alone (the joined video is not needed: they can be drawn
    while it is being made, and written once it is). `stop`: set, they are no longer drawn
    (stills.Stopped): the render put back an earlier render's, which it knows once the soundtrack
    is (decoding an edited 1080p60 scene's cue frames takes 0.7 s)."""
    videos = {p.scene.id: outputs.scene_video(p.scene.id) for p in plan.scenes}
    cue_stills = stills.cue_stills(plan, videos, outputs.stills_cache, stop)
    thumbnail = _png(stills.thumbnail(plan, videos, stop))
    if stop is not None and stop.is_set():
        raise stills.Stopped("the contact sheet is not wanted")
    return Stills(thumbnail, cue_stills, _png(stills.contact_sheet(plan, cue_stills)))


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def write_side_files(plan: VideoPlan, outputs: BuildLayout, before_page=lambda: None,
                     drawn: Stills | None = None) -> None:
    """The captions, chapters, stills (`drawn`, or drawn now) and the review page (after
    `before_page()`: what the page needs that is being made alongside)."""
    write_text(outputs.srt, captions.srt_text(plan))
    write_text(outputs.vtt, captions.vtt_text(plan))
    if outputs.translated_captions():
        write_text(outputs.en_srt, captions.english_srt_text(plan))
        write_text(outputs.en_vtt, captions.english_vtt_text(plan))
    write_text(outputs.chapters, captions.chapters_text(plan))
    drawn = drawn or draw_stills(plan, outputs)
    write_bytes(outputs.thumbnail, drawn.thumbnail)
    write_bytes(outputs.contact_sheet, drawn.contact_sheet)
    before_page()
    review.publish(plan, outputs, drawn.cue_stills)


def timings_json(report: RenderReport) -> str:
    """What a render did and how long each part took (`render --timings FILE`, read by the benches)."""
    other = report.wall_s - report.scenes_wall_s - report.sound_wait_s - report.join_s - report.side_files_s
    return json.dumps({
        "settings": report.settings.key, "video": str(report.video), "wall_s": round(report.wall_s, 2),
        "scenes_s": round(report.scenes_wall_s, 2), "soundtrack_after_scenes_s": round(report.sound_wait_s, 2),
        "join_s": round(report.join_s, 2), "side_files_s": round(report.side_files_s, 2),
        "planning_and_speech_s": round(other, 2), "jobs": [r.__dict__ for r in report.rendered],
        "cpu_s": round(sum(r.cpu_s for r in report.rendered), 2), "reused": report.reused,
        "chunks": {sid: sorted(c) for sid, c in report.chunks.items()}, "chunks_of": report.chunks_of,
        "reasons": {sid: list(why) for sid, why in report.reasons.items()},
        "joined": report.joined, "restored": report.restored,
    }, indent=1, ensure_ascii=False)
