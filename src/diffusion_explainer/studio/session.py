"""The studio's work behind the page: watch, check, render the preview, say what changed.

One thread watches the screenplay's folder and its scene folder (watchfiles); every save of the
screenplay or of a scene file wakes the builder thread, which:
1. loads the screenplay and runs what `check` runs (checks/problems.py): a problem is shown in the
   page with its file and line, and the last good preview stays playable;
2. renders the preview (render_video into the studio's own build folder, build/studio/<size>/:
   only the stale chunks are drawn, by warm processes, render/warm_processes.py);
3. finds the first moment the new preview differs from the last (changes.py) and publishes it:
   the page's player loads the new video and plays from there.
Saves that arrive during a render are gathered into one more build after it; a save that changes
no file's content (an editor touching a file) builds nothing.

Everything the page shows is one `state` dict, sent to every open page (server.py) each time it
changes; progress lines go out as `log` events.
"""

from __future__ import annotations

import hashlib
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import watchfiles

from ..checks import problems as checks
from ..core.build_layout import BuildLayout
from ..core.errors import CheckFailed, Problem, RenderError
from ..core.settings import RenderSettings
from ..render.chunks import ChunkStore
from ..render.executors import LocalExecutor
from ..render.pipeline import build_root, layout_for, render_video
from ..render.progress import Progress
from ..render.warm_processes import WarmProcesses
from ..review.record import ReviewRecord
from ..screenplay import Cue, Screenplay, load_screenplay
from ..screenplay.errors import ScreenplayError
from ..sound.aac_segments import SegmentWorkers
from ..sound.kept_mix import keep_ground_unless_recalled, recalled_ground
from ..sound.soundtrack import MixMemory
from ..timing.sync import SyncError
from ..timing.timeline import TimelineError
from .changes import Made, first_change, scene_chunks
from .line_edit import LineEdit, apply_edit

RENDER_ERRORS = (RenderError, TimelineError, SyncError)


def studio_root(screenplay: Screenplay, settings: RenderSettings) -> Path:
    """The studio's own build folder, build/studio/ for the project's screenplay (build/<name>/studio/
    for another): never the build folder of a real render. A preview goes to its quality's and
    language's output folder in it (build/studio/480p15/, build/studio/en/480p15/)."""
    return build_root(screenplay) / "studio"


@dataclass(frozen=True)
class Preview:
    version: int
    video: str  # relative to the preview's output folder (what the server serves)
    start_ms: int  # where the player starts: the first changed moment
    why: str
    render_s: float  # from the save to the joined video
    jobs: int
    job_cpu_s: float


class _LogStream:
    """What render_video's Progress prints, line by line, to the page."""

    def __init__(self, on_line: Callable[[str], None]):
        self.on_line, self._part = on_line, ""

    def write(self, text: str) -> int:
        self._part += text
        *lines, self._part = self._part.split("\n")
        for line in lines:
            if line.strip():
                self.on_line(line)
        return len(text)

    def flush(self) -> None:
        pass


class Studio:
    def __init__(self, screenplay_path: Path, settings: RenderSettings, publish: Callable[[str, dict], None],
                 warm: WarmProcesses | None = None):
        self.path = Path(screenplay_path).resolve()
        self.settings = settings
        self.publish = publish  # (event, data): to every open page
        self.warm = warm
        self.sound_workers = SegmentWorkers(settings.jobs)  # the soundtrack's encoders, kept across edits
        self.mix_memory = MixMemory(recall=recalled_ground)  # the last mix: the next edit's is patched from it
        screenplay = load_screenplay(self.path)  # a screenplay that does not load at all is refused at start
        self.scene_dir = Path(screenplay.scene_dir).resolve()
        self.root = studio_root(screenplay, settings)
        self.layout: BuildLayout = layout_for(screenplay, settings, self.root)
        self._screenplay: Screenplay = screenplay  # the last one that loaded
        self._good: Made | None = None  # what the last good preview was made from
        self._preview: Preview | None = None
        self._problems: list[dict] = []
        self._status = "starting"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._saved_at: float | None = None  # when the first save not yet built was seen
        self._built_digest: str | None = None
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._watch, name="studio-watch", daemon=True),
                         threading.Thread(target=self._build_loop, name="studio-build", daemon=True)]

    # --- the page's view -----------------------------------------------------------------------

    def state(self) -> dict:
        with self._lock:
            screenplay, preview = self._screenplay, self._preview
            record = self._good.record if self._good else None
            return {
                "title": screenplay.title,
                "screenplay": str(self.path),
                "settings": self.settings.describe(),
                "status": self._status,
                "problems": list(self._problems),
                "preview": preview.__dict__ if preview else None,
                "scenes": _transcript(screenplay, record),
            }

    def _set(self, **changes) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self, f"_{name}", value)
        self.publish("state", self.state())

    # --- running --------------------------------------------------------------------------------

    def start(self) -> None:
        if not self.settings.silent:
            threading.Thread(target=_load_speech, args=(self.settings.language,), name="studio-speech",
                             daemon=True).start()
        for thread in self._threads:
            thread.start()
        self.request_build()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self.warm is not None:
            self.warm.close()  # running jobs are stopped: a render in progress fails at once
        for thread in self._threads:
            thread.join(30)
        self.sound_workers.close()
        ground = self.mix_memory.kept()
        if ground is not None:  # for the next studio or render of this layout (kept_mix.recalled_ground)
            keep_ground_unless_recalled(ground, self.layout.sound_cache, self.mix_memory.kept_encode())

    def request_build(self) -> None:
        if self._saved_at is None:
            self._saved_at = time.monotonic()
        self._wake.set()

    def edit_line(self, edit: LineEdit) -> None:
        """Write a line's new words into the screenplay (EditRefused: not written) and build."""
        apply_edit(self.path, edit)
        self.request_build()  # (the watcher sees it too; the second request finds nothing new)

    def _watch(self) -> None:
        folders = sorted({self.path.parent, self.scene_dir})
        for changes in watchfiles.watch(*folders, stop_event=self._stop, debounce=400, step=30,
                                        watch_filter=self._watched, raise_interrupt=False):
            if changes:
                self.request_build()

    def _watched(self, change, path: str) -> bool:
        path = Path(path)
        if path == self.path:
            return True
        return path.suffix == ".py" and path.parent == self.scene_dir and not path.name.startswith(".")

    def _digest(self) -> str:
        files = [self.path] + sorted(self.scene_dir.glob("*.py"))
        hash_ = hashlib.sha256()
        for path in files:
            hash_.update(path.name.encode() + b"\0")
            try:
                hash_.update(path.read_bytes())
            except OSError:
                hash_.update(b"missing")
        return hash_.hexdigest()

    def _build_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            self._wake.clear()
            saved_at, self._saved_at = self._saved_at or time.monotonic(), None
            digest = self._digest()
            if digest == self._built_digest:
                continue
            self._built_digest = digest
            try:
                self._build(saved_at)
            except Exception as e:  # noqa: BLE001 (a bug: shown in the page, and the studio goes on)
                if self._stop.is_set():
                    return
                self._set(status="failed", problems=[{"where": "", "message": f"{type(e).__name__}: {e}",
                                                      "detail": traceback.format_exc()}])

    def _build(self, saved_at: float) -> None:
        self._set(status="checking")
        try:
            screenplay = load_screenplay(self.path)
        except ScreenplayError as e:
            self._set(status="problems", problems=[_problem(Problem(e.path, e.line, e.field, e.message))])
            return
        found = checks.static_problems(screenplay) + checks.speech_fit(screenplay)[1]
        with self._lock:
            self._screenplay = screenplay
        if found:
            self._set(status="problems", problems=[_problem(p) for p in found])
            return
        self._set(status="rendering", problems=[])
        executor = LocalExecutor(self.settings.jobs, self.layout.jobs_dir, self.layout.compiled_dir,
                                 **({"processes": self.warm} if self.warm else {}))
        progress = Progress(stream=_LogStream(lambda line: self.publish("log", {"line": line})), live=False)
        try:
            report = render_video(self.settings, screenplay=screenplay, root=self.root, progress=progress,
                                  executor=executor, preview=True, sound_workers=self.sound_workers,
                                  mix_memory=self.mix_memory)
        except CheckFailed as e:
            self._set(status="problems", problems=[_problem(p) for p in e.problems])
            return
        except RENDER_ERRORS as e:
            if self._stop.is_set():
                return
            self._set(status="problems", problems=[{"where": "", "message": str(e)}])
            return
        made = Made(screenplay, ReviewRecord.load(self.layout.record),
                    scene_chunks(ChunkStore(self.layout.chunks_dir), [scene.id for scene in screenplay.scenes]))
        change = first_change(self._good, made, report.chunks)
        with self._lock:
            self._good = made
            previous = self._preview
        if change is None and previous is not None:  # the same video: the player goes on as it is
            self._set(status="ready", preview=replace(previous, why="nothing to play again",
                                                     render_s=round(time.monotonic() - saved_at, 2),
                                                     jobs=len(report.rendered),
                                                     job_cpu_s=round(sum(r.cpu_s for r in report.rendered), 2)))
            return
        version = (previous.version + 1) if previous else 1
        self._set(status="ready", preview=Preview(
            version, self.layout.relative(self.layout.video), change.ms if change else 0, change.why if change else "the first preview",
            round(time.monotonic() - saved_at, 2), len(report.rendered), round(sum(r.cpu_s for r in report.rendered), 2)))


def _load_speech(language: str) -> None:
    """The language's speech model into this process now (about 2 s), not at the first line
    reworded: a render that has one line to speak speaks it here (narration/batch.py)."""
    from ..narration.engines import get_engine
    from ..timing.scene_plan import ENGINES

    get_engine(ENGINES[language]).load(None)


def _problem(problem: Problem) -> dict:
    where = f"{checks.display(Path(problem.path))}:{problem.line}" if problem.line else checks.display(Path(problem.path))
    return {"where": where, "field": problem.field, "message": problem.message}


def _transcript(screenplay: Screenplay, record: ReviewRecord | None) -> list[dict]:
    """The screenplay's scenes, lines and cues as the page lists them, with the time each starts in the
    last good preview (None where that preview does not have it yet)."""
    starts = {}
    if record is not None:
        starts.update({(line.scene_id, line.line_id): line.start_ms for line in record.lines})
        starts.update({(cue.scene_id, "cue:" + cue.cue_id): cue.start_ms for cue in record.cues})
    scenes = []
    for scene in screenplay.scenes:
        beats = []
        for beat in scene.beats:
            if isinstance(beat, Cue):
                beats.append({"kind": "cue", "id": beat.id, "animation": beat.animation, "line": beat.source_line,
                              "start_ms": starts.get((scene.id, "cue:" + beat.id))})
            else:
                beats.append({"kind": "line", "id": beat.id, "speaker": beat.speaker, "text": beat.text,
                              "say": beat.say or "", "line": beat.source_line,
                              "start_ms": starts.get((scene.id, beat.id))})
        scenes.append({"id": scene.id, "number": scene.number, "title": scene.title, "beats": beats,
                       "colors": {c.name: c.color for c in screenplay.characters}})
    return scenes
