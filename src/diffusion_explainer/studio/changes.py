"""Where a new preview first differs from the last one: the moment the player starts from.

Three things can make a preview differ, and the earliest wins:
- the screenplay: the first beat (line or cue) whose words, speaker, reading or name changed, or
  that was added or removed, in the order the video plays them;
- the timeline: the first line or cue that starts on another frame (a longer reading moves
  the lines after it in its scene);
- the pictures: the first chunk the render drew again (a saved scene file redraws its chunks
  from the first one whose frames could have changed, render/chunks.py).
Nothing of these (a comment, a reformatted line) means nothing to play again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..render.chunks import ChunkStore
from ..review.record import ReviewRecord
from ..screenplay import Cue, Line, Screenplay


@dataclass(frozen=True)
class Change:
    ms: int  # in the joined video
    why: str  # for the page: "s01_hello/line01 edited", "s02_noise redrawn from chunk 2", ...


def first_change(old: ReviewRecord | None, new: ReviewRecord, old_screenplay: Screenplay | None,
                 new_screenplay: Screenplay, redrawn: dict[str, list[int]]) -> Change | None:
    """The earliest difference between two previews (None: they play the same). `redrawn`: scene ->
    the first frames (in the scene) of the chunks the render drew."""
    if old is None or old_screenplay is None:
        return Change(0, "the first preview")
    found = [c for c in (_beat_change(old_screenplay, new_screenplay, new), _timing_change(old, new),
                         _drawn_change(new, redrawn)) if c is not None]
    return min(found, key=lambda c: c.ms) if found else None


def redrawn_frames(report_chunks: dict[str, dict[int, str]], store: ChunkStore) -> dict[str, list[int]]:
    """The first frame of every chunk a render drew, by scene (from its report and chunks.json)."""
    frames = {}
    for scene_id, indices in report_chunks.items():
        recorded = store.recorded(scene_id)
        frames[scene_id] = sorted(recorded[i].start for i in indices if i in recorded)
    return frames


def _beat_key(beat) -> tuple:
    if isinstance(beat, Line):
        return ("line", beat.id, beat.speaker, beat.text, beat.say)
    return ("cue", beat.id, beat.animation)


def _beat_ms(record: ReviewRecord, scene_id: str, beat) -> int | None:
    if isinstance(beat, Line):
        return next((line.start_ms for line in record.lines if (line.scene_id, line.line_id) == (scene_id, beat.id)), None)
    if isinstance(beat, Cue):
        return next((cue.start_ms for cue in record.cues if (cue.scene_id, cue.cue_id) == (scene_id, beat.id)), None)
    return None


def _scene_ms(record: ReviewRecord, scene_id: str) -> int:
    return next(s.start_ms for s in record.scenes if s.scene_id == scene_id)


def _beat_change(old: Screenplay, new: Screenplay, record: ReviewRecord) -> Change | None:
    old_scenes = {s.id: s for s in old.scenes}
    for scene in new.scenes:
        before = old_scenes.get(scene.id)
        if before is None or (before.start_s, before.duration_s, before.title) != (scene.start_s, scene.duration_s,
                                                                                     scene.title):
            return Change(_scene_ms(record, scene.id), f"{scene.id} changed")
        for i, beat in enumerate(scene.beats):
            if i >= len(before.beats) or _beat_key(before.beats[i]) != _beat_key(beat):
                ms = _beat_ms(record, scene.id, beat)
                return Change(_scene_ms(record, scene.id) if ms is None else ms, f"{scene.id}/{beat.id} edited")
        if len(before.beats) > len(scene.beats):  # beats removed at the scene's end
            last = scene.beats[-1] if scene.beats else None
            ms = _beat_ms(record, scene.id, last) if last else None
            return Change(_scene_ms(record, scene.id) if ms is None else ms, f"{scene.id}: beats removed")
    return None


def _timing_change(old: ReviewRecord, new: ReviewRecord) -> Change | None:
    """The first line or cue that starts on another frame. (A cue that only ends later, because a line
    in it got longer, holds its picture longer: where its frames change, the redrawn chunks say.)"""
    before = {(line.scene_id, line.line_id): line.start_ms for line in old.lines}
    before.update({(cue.scene_id, "cue " + cue.cue_id): cue.start_ms for cue in old.cues})
    moved = [(line.start_ms, f"{line.scene_id}/{line.line_id} moved") for line in new.lines
             if before.get((line.scene_id, line.line_id)) != line.start_ms]
    moved += [(cue.start_ms, f"{cue.scene_id}/{cue.cue_id} moved") for cue in new.cues
              if before.get((cue.scene_id, "cue " + cue.cue_id)) != cue.start_ms]
    if not moved:
        return None
    ms, why = min(moved)
    return Change(ms, why)


def _drawn_change(record: ReviewRecord, redrawn: dict[str, list[int]]) -> Change | None:
    drawn = [(_scene_ms(record, scene_id) + frames[0] * 1000 // record.fps, scene_id)
             for scene_id, frames in redrawn.items() if frames]
    if not drawn:
        return None
    ms, scene_id = min(drawn)
    return Change(ms, f"{scene_id} redrawn from {(ms - _scene_ms(record, scene_id)) / 1000:.1f} s")
