"""A scene in chunks: consecutive frame ranges that render on their own and are reused on their own.

A scene is cut into chunks of about CHUNK_S seconds at fixed frames (the same cuts every render at
a frame rate, so chunks can be found again). A chunk holds the calls (Manim plays and waits) that
start within its range, so its real edges are the call starts nearest after the cuts and the
chunks tile the scene exactly. A job draws a run of consecutive chunks in one Manim process (the
scene runs through the earlier calls without drawing them); each call becomes its own movie file,
and a chunk's video is its calls' files joined by stream copy.

When is a chunk's video still right? Its frames are made by the scene's code running from the
start of the scene to the chunk's end, so they can only change if something that run used has
changed: what every frame depends on (`ChunkBasis.shared`: the package code, the models, the
toolchain, and the scene file's module code), the code of the cue methods that ran (those of the
cues that started before the chunk's end: render/cue_code.py), the scene's length, the subtitle
pages shown up to the chunk's end, and what of the timeline the story read before that (the cues
it played, with their spans and lines, and the named lines it synced to: the scene reports these
reads: timing/handover.py SceneReport). The key of a chunk is the digest of exactly that
(`ChunkInputs`), computed from the new timeline with the reads the last render reported; if it is
unchanged, so are the frames. So an edit of a scene's last cue method draws again only the
chunks from that cue's start on, and undoing it finds the earlier chunks in the store.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import logging
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..core.errors import RenderError
from ..core.keys import digest
from ..core.settings import DEFAULT_LANGUAGE
from ..core.store import Store
from ..subtitles.language import cue_description
from ..timing.handover import FrameRange, Read, SceneReport, line_timing_to_json
from ..timing.timeline import LineTiming, SceneTimeline
from .cue_code import cue_part

CHUNK_S = 4.0  # seconds of video per chunk, when nothing is known of what its frames cost
CHUNK_CPU_S = 6.0  # CPU-seconds of drawing per chunk, when a render measured what the frames cost (at 7, a chunk
# of s07 at 1080p60 costs 15.8 CPU-s in all: 8 of drawing, the rest start-up and running the scene to it)
MAX_CHUNK_S = 8.0
HISTORY_FACTOR = 3  # earlier versions of a scene's chunk videos (and states) may take 3x its current ones
MAX_VERSIONS = 24  # earlier versions chunks.json remembers (their files are bounded by HISTORY_FACTOR)
VIDEO_NAME, STATE_NAME = "video.mp4", "state.pkl"  # the file in a chunk video's and a saved state's entry
MIN_CHUNK_S = 0.4  # (a cut is only made where frames are dear: one slice of a heavy play, explainer_scene.MAX_SLICE_S)


def index_spans(indices) -> list[tuple[int, int]]:
    """Runs of consecutive indices, first and last: [3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    spans: list[list[int]] = []
    for index in sorted(indices):
        if spans and spans[-1][1] == index - 1:
            spans[-1][1] = index
        else:
            spans.append([index, index])
    return [(a, b) for a, b in spans]


def spans_text(indices) -> str:
    """[3, 4, 5, 9] (or their strings, read back from JSON) -> '3-5, 9'."""
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in index_spans(int(i) for i in indices))


def nominal_ranges(total_frames: int, fps: int, chunk_s: float = CHUNK_S) -> list[FrameRange]:
    """Even cuts of a scene into chunks."""
    count = max(1, round(total_frames / (chunk_s * fps)))
    cuts = [round(k * total_frames / count) for k in range(count + 1)]
    return [FrameRange(a, b) for a, b in itertools.pairwise(cuts)]


def cost_ranges(total_frames: int, fps: int, profile: list) -> list[FrameRange]:
    """Cuts where the drawing costs about CHUNK_CPU_S per chunk, from a render's measured cost of
    its calls ([first frame, frames, CPU-seconds] each): short chunks where frames are dear (many
    moving texts), long ones where the picture holds. A chunk holds the calls that start in it, so
    cuts are made where a call starts: a chunk's drawing is the sum of its calls (one call dearer
    than CHUNK_CPU_S is a chunk of its own). Kept while the scene's chunks are reused."""
    cuts, spent = [0], 0.0
    for first, _, cpu in sorted(profile):
        if not 0 < first < total_frames:
            spent += cpu
            continue
        length = first - cuts[-1]
        if length >= MIN_CHUNK_S * fps and (spent + cpu > CHUNK_CPU_S or length >= MAX_CHUNK_S * fps):
            cuts.append(first)
            spent = 0.0
        spent += cpu
    if total_frames - cuts[-1] < MIN_CHUNK_S * fps and len(cuts) > 1:
        cuts.pop()  # a short rest joins the chunk before it
    cuts.append(total_frames)
    return [FrameRange(a, b) for a, b in itertools.pairwise(cuts)]


@dataclass(frozen=True)
class Chunk:
    """A rendered chunk: where it really starts and ends, and what its frames depend on."""

    index: int
    nominal: tuple[int, int]
    start: int  # its first frame (the first call starting at or after the nominal start)
    end: int  # one past its last frame
    reads: tuple[tuple, ...]  # what the story read before `end`: (what, id, bound), see read_values
    key: str
    sounds: tuple[tuple[int, str], ...] = ()  # the sound effects the scene marked in its frames: (frame, name)
    calls: tuple[int, ...] = field(default=(), compare=False)  # its calls' numbers in the run that drew it

    @property
    def frames(self) -> int:
        return self.end - self.start

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("calls")
        return data

    @classmethod
    def from_json(cls, data: dict) -> Chunk:
        return cls(data["index"], tuple(data["nominal"]), data["start"], data["end"],
                   tuple(tuple(r) for r in data["reads"]), data["key"], tuple(tuple(e) for e in data.get("sounds", [])))


def _line_value(timing: LineTiming) -> list:
    line = timing.line
    return [line.speaker, line.text, line.say, line_timing_to_json(timing)]


def read_values(timeline: SceneTimeline, reads, language: str = DEFAULT_LANGUAGE) -> list | None:
    """The present values of what a run read, in a render of `language`; None if something it read
    is gone from the timeline.

    A read is (what, id, bound): "cue_start", "cue_end" of a cue, "cue_text" (its description in
    the render's language: the English video shows a cue's `en`, not its Japanese); "cue_end_from"
    (only that the cue does not end before `bound`: a call that was not cut short); "line" (a
    line's text and timing); "line_start", "line_end", "line_at" (the frame of the phrase or fraction
    `bound`), "line_page" (the page of the phrase `bound`), "line_last_page": what scene code used
    of a named line (timing/sync.py); "first_line" (the first line spoken in a cue's time)."""
    cues = {c.cue.id: c for c in timeline.cues}
    lines = {t.line.id: t for t in timeline.lines}
    values = []
    for what, ident, bound in reads:
        if what.startswith("line"):
            if ident not in lines:
                return None
            value = _line_part(lines[ident], what, bound)
            if value is None:
                return None
            values.append([what, ident, bound, value])
            continue
        if ident == "" and what in ("cue_end", "cue_end_from"):  # outside any cue: the scene's end
            end = timeline.total_frames
            values.append([what, ident, bound, end if what == "cue_end" else end >= bound])
            continue
        cue = cues.get(ident)
        if cue is None:
            return None
        if what == "cue_start":
            value = cue.span.start
        elif what == "cue_end":
            value = cue.span.end
        elif what == "cue_end_from":
            value = cue.span.end >= bound
        elif what == "cue_text":
            value = cue_description(cue.cue, language)
        elif what == "first_line":
            first = timeline.lines_in(cue.span)
            value = _line_value(first[0]) if first else None
        else:
            raise ValueError(f"unknown kind of read {what!r}")
        values.append([what, ident, bound, value])
    return values


def _line_part(timing: LineTiming, what: str, bound) -> object:
    """The value of what was read of a line; None if it is gone (a phrase no longer in its text)."""
    from ..timing.sync import LineSync, SyncError

    line = LineSync(timing, Path("scene"))
    try:
        if what == "line":
            return _line_value(timing)
        if what == "line_start":
            return line.start
        if what == "line_end":
            return line.end
        if what == "line_at":
            return line.at(bound)
        if what == "line_page":
            page = line.page(bound)
            return [page.text, page.span.start, page.span.end]
        if what == "line_last_page":
            page = line.last_page
            return [page.text, page.span.start, page.span.end]
    except SyncError:
        return None
    raise ValueError(f"unknown kind of read {what!r}")


def subtitle_prefix(timeline: SceneTimeline, end: int) -> list:
    """The subtitle pages shown before frame `end` and when they appear; and whether a page
    appears at `end` itself (not what it says: a held stretch may have been cut there)."""
    pages = [(page.span.start, timing.line.speaker, page.text) for timing in timeline.lines for page in timing.pages]
    return [[start, speaker, text] for start, speaker, text in pages if start < end] + [any(s == end for s, _, _ in pages)]


@dataclass(frozen=True)
class ChunkBasis:
    """What a scene's chunks depend on besides its timeline: `shared`, what every frame depends on
    (the scene file's module code, the package code, the models, the toolchain, what every frame
    shows of the screenplay: inputs.py chunk_basis); `cues`, the code of each cue's method, which
    keys the chunks after the cue's start (cue_code.py; a cue not there is in the module code);
    `language`, the render's, in which what the story read of the screenplay is read (read_values)."""

    shared: str
    cues: dict[str, str] = field(default_factory=dict)
    language: str = DEFAULT_LANGUAGE

    def cue(self, cue_id: str) -> str:
        return cue_part(self.cues, cue_id)


@dataclass(frozen=True)
class ChunkInputs:
    """Everything a chunk's frames depend on; its key is the digest of this."""

    shared: str  # ChunkBasis.shared
    total_frames: int
    nominal: tuple[int, int]
    start: int
    end: int
    subtitles: list  # subtitle_prefix
    reads: list  # read_values of what the story read before `end`
    code: list  # [cue id, ChunkBasis.cue] of each cue whose method ran before `end` (cues_started)


def cues_started(reads) -> list[str]:
    """The cues a run started, from what it read (it reads each cue's start as the cue begins)."""
    return list(dict.fromkeys(ident for what, ident, _ in reads if what == "cue_start"))


def chunk_key(basis: ChunkBasis, timeline: SceneTimeline, nominal: tuple[int, int], start: int, end: int,
              reads) -> str | None:
    values = read_values(timeline, reads, basis.language)
    if values is None:
        return None
    code = [[cue, basis.cue(cue)] for cue in cues_started(reads)]
    return digest(ChunkInputs(basis.shared, timeline.total_frames, nominal, start, end,
                              subtitle_prefix(timeline, end), values, code))


def calls_of_chunks(report: SceneReport, chunks) -> dict[int, tuple[int, int, list[int]]]:
    """For each chunk (index, nominal start, nominal end): its first frame, the frame after its
    last, and its drawn calls (their places in the report's list), from a scene's report. A chunk
    holds the calls that start in its nominal range; it ends where the first call after it starts
    (or where the scene stopped)."""
    calls = report.calls
    out = {}
    for index, start, end in chunks:
        numbers = [i for i, call in enumerate(calls) if call.drawn and start <= call.first < end]
        first = next((c.first for c in calls if c.first >= start), report.stopped_at)
        last = next((c.first for c in calls if c.first >= end), report.stopped_at)
        out[index] = (first, last, numbers)
    return out


def chunks_from_report(report: SceneReport, chunks, timeline: SceneTimeline, basis: ChunkBasis) -> list[Chunk]:
    """The chunks a run drew, from its report, with their real edges and their keys."""
    out = []
    for index, (start, end, numbers) in calls_of_chunks(report, chunks).items():
        nominal = next((a, b) for i, a, b in chunks if i == index)
        reads = tuple(dict.fromkeys(r.question for r in report.reads if r.frame < end))
        key = chunk_key(basis, timeline, nominal, start, end, reads)
        sounds = tuple((e.frame, e.name) for e in report.sounds if start <= e.frame < end)
        out.append(Chunk(index, nominal, start, end, reads, key, sounds, tuple(numbers)))
    return out


@dataclass(frozen=True)
class SavedState:
    """A scene's state saved where a cue starts (scene/saved_state.py), and what it depends on: like a
    chunk ending there, everything the story read before that frame."""

    cue: int
    frame: int
    reads: tuple[Read, ...]  # with their frames: a resumed run reports them as its own
    key: str

    def to_json(self) -> dict:
        return {"cue": self.cue, "frame": self.frame, "key": self.key,
                "reads": [[r.what, r.ident, r.frame, r.bound] for r in self.reads]}

    @classmethod
    def from_json(cls, data: dict) -> SavedState:
        return cls(data["cue"], data["frame"], tuple(Read(*r) for r in data["reads"]), data["key"])


def state_key(basis: ChunkBasis, timeline: SceneTimeline, cue: int, frame: int,
              reads: tuple[Read, ...]) -> str | None:
    return chunk_key(basis, timeline, (-1, cue), frame, frame, tuple(r.question for r in reads))


def saved_states_from_report(report: SceneReport, timeline: SceneTimeline,
                             basis: ChunkBasis) -> list[tuple[SavedState, str]]:
    """The states a run saved (each with its file's name), keyed by what was read before them.

    A state is saved where its cue starts, just before the story reads that start: what was read
    before it is what the reads list holds before that read (which may include reads at the same
    frame, by a cue that ended there or took no time at all)."""
    out = []
    for saved in report.states:
        cue_id = timeline.cues[saved.cue].cue.id if saved.cue < len(timeline.cues) else None
        at = next((i for i, r in enumerate(report.reads) if r == Read("cue_start", cue_id, saved.frame)), None)
        if at is None:
            continue  # not saved where its cue starts in this timeline: not kept
        reads = tuple(dict.fromkeys(report.reads[:at]))
        key = state_key(basis, timeline, saved.cue, saved.frame, reads)
        if key is not None:
            out.append((SavedState(saved.cue, saved.frame, reads, key), saved.file))
    return out


def still_valid(recorded: Chunk, timeline: SceneTimeline, basis: ChunkBasis) -> bool:
    return recorded.key == chunk_key(basis, timeline, recorded.nominal, recorded.start, recorded.end, recorded.reads)


@dataclass(frozen=True)
class Job:
    """A run of consecutive chunks of one scene, drawn by one Manim process."""

    scene_id: str
    first: int  # chunk indices, inclusive
    last: int
    draw: FrameRange
    estimate_s: float  # CPU seconds it is expected to take
    reasons: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.scene_id}[{self.first}]" if self.first == self.last else f"{self.scene_id}[{self.first}-{self.last}]"


def chunk_costs(ranges: list[FrameRange], profile: list | None, cost_per_frame: float) -> list[float]:
    """Each chunk's drawing in CPU seconds: the measured cost of the calls that start in it (a
    render's profile: [first frame, frames, CPU-seconds] each), or, for a chunk none of whose calls
    was measured, its frames at the scene's average cost."""
    starts = [r.start for r in ranges]
    measured: dict[int, float] = {}
    for first, _, cpu in profile or []:
        index = bisect.bisect_right(starts, first) - 1
        if 0 <= index < len(ranges) and first < ranges[index].end:
            measured[index] = measured.get(index, 0.0) + cpu
    return [measured.get(i, (r.end - r.start) * cost_per_frame) for i, r in enumerate(ranges)]


def split_into_jobs(scene_id: str, stale: list[int], ranges: list[FrameRange], costs: list[float],
                    job_s: float, reasons: dict[int, str], chunks_per_job: int | None = None) -> list[Job]:
    """Runs of consecutive stale chunks, each cut into jobs of about `job_s` CPU seconds (a job
    pays a start-up, so on few workers a whole scene is one job; on many, each chunk is), or of
    `chunks_per_job` chunks each when given. `costs`: each chunk's CPU seconds (chunk_costs); a
    run's jobs are cut where their costs come out the most even (the render waits for its dearest
    job), not at equal numbers of chunks."""
    jobs: list[Job] = []
    runs: list[list[int]] = []
    for index in stale:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        cost = [costs[i] for i in run]
        if chunks_per_job:
            pieces = math.ceil(len(run) / chunks_per_job)
            bounds = [round(k * len(run) / pieces) for k in range(pieces + 1)]
        else:
            pieces = max(1, min(len(run), math.ceil(sum(cost) / max(job_s, 1e-9))))
            bounds = even_cuts(cost, pieces)
        for a, b in itertools.pairwise(bounds):
            part = run[a:b]
            why = tuple(dict.fromkeys(reasons[i] for i in part))
            jobs.append(Job(scene_id, part[0], part[-1], FrameRange(ranges[part[0]].start, ranges[part[-1]].end),
                            sum(cost[a:b]), why))
    return jobs


def even_cuts(costs: list[float], pieces: int) -> list[int]:
    """Where to cut a row of costs into `pieces` runs of consecutive items, none empty, so that
    the dearest run is as cheap as it can be: [0, ..., len(costs)]. (The runs are few: a
    scene's stale chunks between a few workers.)"""
    n = len(costs)
    sums = [0.0, *itertools.accumulate(costs)]

    @functools.cache
    def best(start: int, left: int) -> tuple[float, tuple[int, ...]]:  # (dearest run, cuts after start)
        if left == 1:
            return sums[n] - sums[start], (n,)
        options = []
        for end in range(start + 1, n - left + 2):
            rest, cuts = best(end, left - 1)
            options.append((max(sums[end] - sums[start], rest), (end, *cuts)))
        return min(options)

    return [0, *best(0, pieces)[1]]


class ChunkStore:
    """The chunk videos and saved states of one render size, and the record of each scene's chunks
    beside them (chunks.json): the chunks, the layout they were drawn with (the reference a later
    plan keeps what it can of), the CPU time per frame they took, and earlier versions.

    Videos and states are entries of core/store.py's content-addressed store, named by their key
    (<scene>/<key>/video.mp4, <scene>/states/<key>/state.pkl, each with its check.json): each is
    checked (size and sha256) when it is reused, and a damaged one is removed with one line saying
    so, and drawn again. Earlier versions of a scene's chunks stay (chunks.json lists them under
    "history") while they fit the budget: older entries may take up to HISTORY_FACTOR times what
    the scene's current ones take, the least recently used going first. So undoing an edit finds
    its chunks again and draws nothing."""

    def __init__(self, root: Path, report: Callable[[str], None] | None = None):
        self.root = Path(root)
        self.report = report or logging.getLogger("diffusion_explainer.cache").warning
        self._damaged_records: set[str] = set()

    # chunk videos

    def video(self, scene_id: str, key: str) -> Path:
        """Where the chunk's video is kept (unchecked: see checked_video)."""
        return self._videos(scene_id).folder / key / VIDEO_NAME

    def checked_video(self, scene_id: str, key: str) -> Path | None:
        """The chunk's video if it is there and intact; None otherwise (a damaged one is removed
        and reported)."""
        entry = self._videos(scene_id).entry_dir(key)
        return entry / VIDEO_NAME if entry is not None else None

    def keep_video(self, scene_id: str, key: str, made: Path, frames: int) -> None:
        from ..media.probe import probe

        found = probe(made).frames
        if found != frames:
            raise RenderError(f"{scene_id}: a chunk video has {found} frames, not {frames}: {made}")
        self._put(self._videos(scene_id), key, made, VIDEO_NAME)

    # saved states

    def state(self, scene_id: str, key: str) -> Path:
        return self._states(scene_id).folder / key / STATE_NAME

    def checked_state(self, scene_id: str, key: str) -> Path | None:
        entry = self._states(scene_id).entry_dir(key)
        return entry / STATE_NAME if entry is not None else None

    def keep_state(self, scene_id: str, key: str, made: Path) -> None:
        self._put(self._states(scene_id), key, made, STATE_NAME)

    def saved_states(self, scene_id: str) -> dict[int, SavedState]:
        return {s["cue"]: SavedState.from_json(s) for s in self._data(scene_id).get("states", [])}

    def state_versions(self, scene_id: str) -> dict[int, list[SavedState]]:
        """Each cue's saved states, the current one first, then earlier versions, newest first."""
        versions: dict[int, list[SavedState]] = {}
        for version in self._versions(scene_id):
            for record in version.get("states", []):
                versions.setdefault(record["cue"], []).append(SavedState.from_json(record))
        return versions

    # the record

    def recorded(self, scene_id: str) -> dict[int, Chunk]:
        return {c["index"]: Chunk.from_json(c) for c in self._data(scene_id).get("chunks", [])}

    def versions(self, scene_id: str) -> dict[int, list[Chunk]]:
        """Each chunk index's versions: the current chunk first, then earlier ones, newest first."""
        versions: dict[int, list[Chunk]] = {}
        for version in self._versions(scene_id):
            for record in version.get("chunks", []):
                versions.setdefault(record["index"], []).append(Chunk.from_json(record))
        return versions

    def earlier_ranges(self, scene_id: str, total_frames: int, fps: int) -> list[list[FrameRange]]:
        """The cuts of the earlier versions made at this length and rate, newest first."""
        return [[FrameRange(a, b) for a, b in v["ranges"]] for v in self._data(scene_id).get("history", [])
                if (v.get("total_frames"), v.get("fps")) == (total_frames, fps) and v.get("ranges")]

    def _versions(self, scene_id: str) -> list[dict]:
        data = self._data(scene_id)
        return [data] + data.get("history", [])

    def reference(self, scene_id: str) -> dict | None:
        return self._data(scene_id).get("reference")

    def saved_timeline(self, scene_id: str) -> dict | None:
        return self._data(scene_id).get("timeline")

    def cpu_per_frame(self, scene_id: str) -> float | None:
        return self._data(scene_id).get("cpu_per_frame")

    def ranges(self, scene_id: str, total_frames: int, fps: int) -> list[FrameRange] | None:
        """The cuts the scene's chunks were made with (if made at this length and rate)."""
        data = self._data(scene_id)
        if (data.get("total_frames"), data.get("fps")) != (total_frames, fps) or "ranges" not in data:
            return None
        return [FrameRange(a, b) for a, b in data["ranges"]]

    def profile(self, scene_id: str, total_frames: int, fps: int) -> list | None:
        data = self._data(scene_id)
        if (data.get("total_frames"), data.get("fps")) != (total_frames, fps):
            return None
        return data.get("profile")

    def record(self, scene_id: str, chunks: dict[int, Chunk], fps: int, total_frames: int, reference: dict,
               timeline: dict, cpu_per_frame: float | None, states: dict[int, SavedState] | None = None,
               ranges: list[FrameRange] | None = None, profile: list | None = None) -> None:
        """Record the scene's chunks; the chunks and states recorded before that are not among
        them become earlier versions (while their entries are kept)."""
        from ..core.files import write_text

        old = self._data(scene_id)
        data = {"fps": fps, "total_frames": total_frames, "cpu_per_frame": cpu_per_frame,
                "ranges": [[r.start, r.end] for r in ranges or []], "profile": profile or [],
                "chunks": [chunks[i].to_json() for i in sorted(chunks)], "reference": reference, "timeline": timeline,
                "states": [states[c].to_json() for c in sorted(states or {})]}
        data["history"] = self._history(scene_id, data, [old] + old.get("history", []) if old else [])
        write_text(self._path(scene_id), json.dumps(data, ensure_ascii=False, indent=1))

    def _history(self, scene_id: str, current: dict, earlier: list[dict]) -> list[dict]:
        """The earlier versions, newest first, each with its cuts and the chunks and states of it
        still kept that the current one does not have (a version with none left goes)."""
        seen = {c["key"] for c in current["chunks"]} | {s["key"] for s in current["states"]}
        out = []
        for version in earlier[:MAX_VERSIONS]:
            chunks = [c for c in version.get("chunks", []) if c["key"] not in seen
                      and (c["end"] <= c["start"] or self.video(scene_id, c["key"]).exists())]
            states = [s for s in version.get("states", []) if s["key"] not in seen
                      and self.state(scene_id, s["key"]).exists()]
            seen |= {c["key"] for c in chunks} | {s["key"] for s in states}
            if chunks or states:
                out.append({"fps": version.get("fps"), "total_frames": version.get("total_frames"),
                            "ranges": version.get("ranges", []), "chunks": chunks, "states": states})
        return out

    def prune(self, scene_id: str, keep: set[str], keep_states: set[str] = frozenset()) -> None:
        """Let the oldest versions go beyond the budget (HISTORY_FACTOR); the current chunks and
        states (`keep`, `keep_states`) always stay."""
        for store, current in ((self._videos(scene_id), keep), (self._states(scene_id), keep_states)):
            size = 0
            for entry in store.entries():
                if entry.key in current:
                    os.utime(entry.path)  # the newest: what prune keeps first
                    size += entry.size
            Store(store.folder, max_bytes=size * (1 + HISTORY_FACTOR)).prune()
        for legacy in [*(self.root / scene_id).glob("*.mp4"), *(self.root / scene_id / "states").glob("*.pkl")]:
            legacy.unlink(missing_ok=True)  # chunk videos and states from before the store

    def _videos(self, scene_id: str) -> Store:
        return self._store(self.root / scene_id, f"cache: {scene_id} chunk video ")

    def _states(self, scene_id: str) -> Store:
        return self._store(self.root / scene_id / "states", f"cache: {scene_id} saved state ")

    def _store(self, folder: Path, prefix: str) -> Store:
        name = folder.name
        return Store(folder, report=lambda line: self.report(line.replace(f"cache: {name}/", prefix, 1)))

    @staticmethod
    def _put(store: Store, key: str, made: Path, name: str) -> None:
        from ..core.files import move_into_place

        with store.making() as work:
            move_into_place(made, work / name)
            store.put_files(key, work)

    def _path(self, scene_id: str) -> Path:
        return self.root / scene_id / "chunks.json"

    def _data(self, scene_id: str) -> dict:
        path = self._path(scene_id)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            if scene_id not in self._damaged_records:
                self._damaged_records.add(scene_id)
                self.report(f"cache: {scene_id}'s chunks.json was damaged ({type(e).__name__}); its chunks are "
                            f"drawn again")
            return {}

