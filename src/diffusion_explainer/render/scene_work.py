"""What a render has to draw, scene by scene and chunk by chunk, and putting the results together.

For each scene of the plan:
- unchanged inputs and its video in place: reused whole;
- otherwise its chunks (chunks.py) are checked one by one: a chunk whose key still holds and whose
  video is in the store is reused, the others are stale, each with the reason;
- stale chunks become jobs (runs of consecutive chunks, sized to the workers);
- when all of a scene's jobs are done, its chunks (reused and new) are checked to tile the scene
  exactly and joined by stream copy into the scene's video, which replaces the old one only if it
  has the planned frames, size and codec.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core.errors import RenderError
from ..core.files import atomic_path
from ..core.settings import RenderSettings
from ..media.join import ScenePiece, concat_video
from ..media.probe import probe, scene_problems
from ..timing.handover import HandOver, Resume, timeline_from_json, timeline_to_json
from ..timing.scene_plan import ScenePlan
from ..timing.timeline import SceneTimeline, layout_reference
from .chunks import (
    Chunk,
    ChunkBasis,
    ChunkStore,
    Job,
    SavedState,
    chunk_costs,
    chunks_from_report,
    cost_ranges,
    nominal_ranges,
    saved_states_from_report,
    spans_text,
    split_into_jobs,
    state_key,
    still_valid,
)
from .inputs import Manifest, SceneInputs, chunk_basis
from .jobs import JobResult, JobSpec, keep_compiled, scene_class_name

DEFAULT_CPU_PER_FRAME_S = 0.026  # measured: ~940 CPU-s for the 36,000 frames at 1080p60, ~220 for 9,000 at 480p15
MIN_JOB_S = 10.0  # a job pays a start-up (imports, and the scene's story up to its first chunk: 2-3 CPU-s)
WARM_MIN_JOB_S = 3.0  # a job forked from a process that has imported Manim (the studio's) starts in about 0.3 CPU-s


@dataclass
class JobRun:
    """A finished job, for the report and the bench."""

    name: str
    scene_id: str
    chunks: tuple[int, int]
    frames: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float


@dataclass
class SceneWork:
    plan: ScenePlan
    inputs: SceneInputs
    reasons: tuple[str, ...]  # why the scene's video is stale
    ranges: list
    basis: ChunkBasis  # what its chunks depend on besides the timeline (chunks.py)
    chunks: dict[int, Chunk] = field(default_factory=dict)  # reused now, and rendered as jobs finish
    stale: dict[int, str] = field(default_factory=dict)  # chunk index -> why it renders again
    jobs: list[Job] = field(default_factory=list)
    runs: list[JobRun] = field(default_factory=list)
    states: dict[int, SavedState] = field(default_factory=dict)  # states saved at cue starts that still hold
    profile: list = field(default_factory=list)  # [first frame, frames, CPU-s] of the drawn calls (cost_ranges)

    @property
    def scene_id(self) -> str:
        return self.plan.scene.id

    @property
    def timeline(self) -> SceneTimeline:
        return self.plan.timeline

    def describe(self) -> str:
        """`chunks 9-17 of 18 (the timeline changed from 1:12.3), 2 jobs`."""
        stale = sorted(self.stale)
        if not stale:
            return f"all {len(self.ranges)} chunks kept from before (none drawn); no jobs"
        which = spans_text(stale)
        why = "; ".join(dict.fromkeys(self.stale.values()))
        total = len(self.ranges)
        if len(stale) == total:
            which = f"all {total} chunks" if total > 1 else "its one chunk"
        else:
            which = f"chunk{'s' if len(stale) > 1 else ''} {which} of {total} (the others reused)"
        return f"{which}: {why}; {len(self.jobs)} job{'s' if len(self.jobs) != 1 else ''}"


def chunk_reasons(work: SceneWork, versions: dict[int, list[Chunk]], store: ChunkStore, force: bool,
                  previous: SceneTimeline | None) -> dict[int, str]:
    """Why each chunk is drawn again; the others (a version whose key still holds and whose video
    is intact: the last one drawn, or an earlier one after an edit was undone) go into work.chunks."""
    changed_parts = [r for r in work.reasons if not r.startswith(("screenplay", "timing"))]
    stale = {}
    for index, nominal in enumerate(work.ranges):
        if force:
            stale[index] = "--force"
            continue
        candidates = [c for c in versions.get(index, []) if c.nominal == (nominal.start, nominal.end)]
        valid = [c for c in candidates if still_valid(c, work.timeline, work.basis)]
        intact = next((c for c in valid if not c.frames or store.checked_video(work.scene_id, c.key)), None)
        if not candidates:
            stale[index] = "new"
        elif intact is not None:
            work.chunks[index] = intact
        elif valid:
            stale[index] = "its video is missing or damaged"
        elif changed_parts and any(r.endswith("changed") for r in changed_parts):
            stale[index] = ", ".join(changed_parts)
        else:
            stale[index] = "the timeline changed" + _from_when(previous, work.timeline)
    return stale


def _from_when(previous: SceneTimeline | None, timeline: SceneTimeline) -> str:
    """` from 1:12.3`: the first frame where two layouts differ (for the progress line)."""
    if previous is None:
        return ""
    events = lambda t: sorted([(p.span.start, p.text) for line in t.lines for p in line.pages]
                              + [(c.span.start, c.cue.id) for c in t.cues] + [(c.span.end, c.cue.id) for c in t.cues])
    old, new = events(previous), events(timeline)
    first = next((min(a[0], b[0]) for a, b in zip(old, new) if a != b), min(len(old), len(new)) and None)
    if first is None:
        return ""
    seconds = first / timeline.fps
    return f" from {int(seconds // 60)}:{seconds % 60:04.1f} in the scene"


def plan_jobs(works: list[SceneWork], workers: int, store: ChunkStore, chunks_per_job: int | None = None,
              min_job_s: float = MIN_JOB_S) -> None:
    """Cut each scene's stale chunks into jobs: about an equal share of the work per worker, but
    not less than `min_job_s` of CPU (MIN_JOB_S: on two cores a whole scene is one job, an edit's
    chunks two jobs once they cost more than 10 CPU-s, and on a cluster a job is a chunk;
    WARM_MIN_JOB_S for warm processes, whose start-up is nearly free: an edit's few chunks are
    shared by the workers). `chunks_per_job`: a fixed number instead (the bench and the tests)."""
    costs = {w.scene_id: chunk_costs(w.ranges, store.profile(w.scene_id, w.timeline.total_frames, w.timeline.fps),
                                     store.cpu_per_frame(w.scene_id) or DEFAULT_CPU_PER_FRAME_S) for w in works}
    total = sum(costs[w.scene_id][i] for w in works for i in w.stale)
    job_s = max(min_job_s, total / max(1, workers))
    for work in works:
        work.jobs = split_into_jobs(work.scene_id, sorted(work.stale), work.ranges, costs[work.scene_id], job_s,
                                    work.stale, chunks_per_job)


def job_spec(work: SceneWork, job: Job, settings: RenderSettings, store: ChunkStore,
             environment: dict | None = None) -> JobSpec:
    """A job's spec: its plan resumes from the last saved state at or before its first frame."""
    screenplay = work.plan.screenplay
    scene_file = screenplay.scene_file(work.scene_id)
    before = [s for s in work.states.values() if s.frame <= job.draw.start]
    state = max(before, key=lambda s: s.frame) if before else None
    resume = Resume(state.cue, state.frame, store.state(work.scene_id, state.key), state.reads) if state else None
    plan = HandOver(work.plan, settings.width, settings.height, sound=False, draw=job.draw, resume=resume).to_json()
    chunks = tuple((i, work.ranges[i].start, work.ranges[i].end) for i in range(job.first, job.last + 1))
    source = work.inputs.source if work.inputs.source is not None else scene_file.read_text(encoding="utf-8")
    return JobSpec(job.name, work.scene_id, scene_class_name(scene_file, work.scene_id), str(scene_file),
                   source, plan, tuple(settings.manim_args()), settings.fps,
                   chunks, job.draw.end - job.draw.start, dict(environment or {}),
                   str(resume.state) if resume else None)


def file_result(work: SceneWork, spec: JobSpec, result: JobResult, store: ChunkStore, compiled_dir: Path) -> None:
    """Keep the chunks a finished job drew (even when another job of the scene failed)."""
    keep_compiled(compiled_dir, result.compiled)
    if result.status != 0 or result.report is None:
        return
    for state, name in saved_states_from_report(result.report, work.timeline, work.basis):
        if state.cue not in work.states and name in result.states:
            store.keep_state(work.scene_id, state.key, result.states[name])
            work.states[state.cue] = state
    work.profile += [[call.first, call.frames, call.cpu_s] for call in result.report.calls if call.drawn]
    for chunk in chunks_from_report(result.report, spec.chunks, work.timeline, work.basis):
        if chunk.frames and chunk.index not in result.chunk_videos:
            raise RenderError(f"{spec.name}: chunk {chunk.index} ({chunk.frames} frames) came back without a video")
        if chunk.frames:
            store.keep_video(work.scene_id, chunk.key, result.chunk_videos[chunk.index], chunk.frames)
        work.chunks[chunk.index] = chunk
    drawn = sum(c.frames for c in work.chunks.values() if spec.chunks[0][0] <= c.index <= spec.chunks[-1][0])
    work.runs.append(JobRun(spec.name, work.scene_id, (spec.chunks[0][0], spec.chunks[-1][0]), drawn,
                            result.wall_s, result.cpu_s, result.peak_rss_mb))


def assemble(work: SceneWork, store: ChunkStore, video: Path, manifest: Manifest, settings: RenderSettings) -> None:
    """Join the scene's chunks into its video; record the scene and its chunks."""
    chunks = [work.chunks.get(i) for i in range(len(work.ranges))]
    missing = [i for i, c in enumerate(chunks) if c is None]
    if missing:
        raise RenderError(f"scene {work.scene_id}: chunks {missing} were not rendered")
    frame = 0
    for chunk in chunks:
        if chunk.start != frame:
            raise RenderError(f"scene {work.scene_id}: chunk {chunk.index} starts at frame {chunk.start}, but the "
                              f"chunks before it end at {frame}; render the scene again with --force")
        frame = chunk.end
    total = work.timeline.total_frames
    if frame != total:
        raise RenderError(f"scene {work.scene_id}: its chunks end at frame {frame}, not {total}")
    pieces = [ScenePiece(f"{work.scene_id} chunk {c.index}", store.video(work.scene_id, c.key), c.start, c.frames, None)
              for c in chunks if c.frames]
    with atomic_path(video) as tmp:
        concat_video(pieces, settings.fps, tmp)
        facts = probe(tmp)
        problems = scene_problems(facts, settings.width, settings.height, settings.fps, total)
        if problems:
            raise RenderError(f"scene {work.scene_id}: joined from its chunks, its video is wrong: "
                              f"{'; '.join(problems)}. The previous video, if any, is kept.")
    cpu = sum(r.cpu_s for r in work.runs)
    drawn = sum(r.frames for r in work.runs)
    store.prune(work.scene_id, {c.key for c in chunks}, {s.key for s in work.states.values()})
    store.record(work.scene_id, {c.index: c for c in chunks}, settings.fps, total,
                 layout_reference(work.timeline, work.plan.scene), timeline_to_json(work.timeline),
                 cpu_per_frame=cpu / drawn if drawn else store.cpu_per_frame(work.scene_id), states=work.states,
                 ranges=work.ranges, profile=_merged_profile(store, work))
    manifest.record(work.scene_id, {
        "sounds": sorted([list(e) for c in chunks for e in c.sounds]),  # the effects it marks, kept with its video
        "inputs": work.inputs.digest, "parts": work.inputs.parts, "frames": facts.frames,
        "bytes": video.stat().st_size, "sha256": file_sha256(video), "chunks": len(chunks),
        "rendered_chunks": sorted(work.stale), "render_cpu_s": round(cpu, 2),
        "rendered_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    })


def scene_video_damage(recorded: dict | None, video: Path) -> str | None:
    """What is wrong with a scene's video against its size and checksum in the manifest, or None
    (a video recorded without a checksum, by an older render, is checked by its size)."""
    if not recorded or "bytes" not in recorded:
        return None
    size = video.stat().st_size
    if size != recorded["bytes"]:
        return f"size {size:,} of {recorded['bytes']:,} bytes"
    if "sha256" in recorded and file_sha256(video) != recorded["sha256"]:
        return "checksum differs"
    return None


def checked_scene_video(recorded: dict | None, video: Path) -> str | None:
    """scene_video_damage, said in one line when there is some (the scene is then joined again
    from its chunks)."""
    damage = scene_video_damage(recorded, video)
    if damage:
        logging.getLogger("diffusion_explainer.cache").warning(
            f"cache: scene video {video} was damaged ({damage}); joined again from its chunks")
    return damage


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _merged_profile(store: ChunkStore, work: SceneWork) -> list:
    """The cost of the calls just drawn, and of those drawn before in the chunks kept (a frame's
    cost does not change with the text of a line elsewhere; approximate is enough for cuts)."""
    total, fps = work.timeline.total_frames, work.timeline.fps
    fresh = sorted(work.profile)
    drawn = [(first, first + frames) for first, frames, _ in fresh]
    old = [entry for entry in store.profile(work.scene_id, total, fps) or []
           if not any(a <= entry[0] < b for a, b in drawn)]
    return sorted(old + fresh)


def previous_timeline(store: ChunkStore, scene_id: str, plan: ScenePlan) -> SceneTimeline | None:
    """The timeline the scene was last rendered with, as far as the new screenplay can say."""
    saved = store.saved_timeline(scene_id)
    if saved is None:
        return None
    try:
        return timeline_from_json(saved, plan.screenplay)
    except (KeyError, StopIteration, TypeError):
        return None  # lines or cues it names are gone


def make_work(plan: ScenePlan, inputs: SceneInputs, reasons: list[str], store: ChunkStore, force: bool,
              keep_states: bool = False) -> SceneWork:
    """The scene's chunks and which are stale. The cuts are those of its chunks while any can be
    reused; when none can, they are made anew, by the measured cost of the frames if a render
    measured it (cost_ranges), else evenly."""
    scene_id, total, fps = plan.scene.id, plan.timeline.total_frames, plan.timeline.fps
    previous = previous_timeline(store, scene_id, plan)
    kept = store.ranges(scene_id, total, fps)
    work = SceneWork(plan, inputs, tuple(reasons), kept or nominal_ranges(total, fps),
                     chunk_basis(inputs, plan.screenplay))
    versions = store.versions(scene_id)
    work.stale = chunk_reasons(work, versions, store, force, previous)
    if work.stale and not force:  # an earlier version cut otherwise may hold more (an edit undone)
        for ranges in store.earlier_ranges(scene_id, total, fps):
            trial = replace(work, ranges=ranges, chunks={})
            trial.stale = chunk_reasons(trial, versions, store, force, previous)
            if len(trial.stale) < len(work.stale):
                work = trial
    profile = store.profile(scene_id, total, fps)
    if len(work.stale) == len(work.ranges) and profile:
        why = "; ".join(dict.fromkeys(work.stale.values()))
        work.ranges = cost_ranges(total, fps, profile)
        work.stale = {i: why for i in range(len(work.ranges))}
        work.chunks = {}
    if not force or keep_states:  # the saved states that still hold (a forced render starts every story afresh)
        for cue, versions in store.state_versions(scene_id).items():
            state = next((s for s in versions if state_key(work.basis, work.timeline, cue, s.frame, s.reads) == s.key
                          and store.checked_state(scene_id, s.key)), None)
            if state is not None:
                work.states[cue] = state
    return work


def cpu_count() -> int:
    return os.cpu_count() or 1
