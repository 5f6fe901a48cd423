"""Where a new preview first differs from the last one: the moment the player starts from.

Three things can make a preview differ, and the earliest wins:
- the screenplay: the first beat (line or cue) whose words, speaker, reading or name changed, or
  that was added or removed, in the order the video plays them;
- the timeline: the first line or cue that starts on another frame (a longer reading moves
  the lines after it in its scene);
- the pictures: the first chunk that is not the one the last preview had there (by its key, what
  its frames depend on, render/chunks.py): one the render drew again (a saved scene file redraws
  its chunks from the first one whose frames could have changed), or an earlier version it found
  kept (an undone edit draws nothing, but the video is not the one playing).
Nothing of these (a comment, a reformatted line) means nothing to play again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..render.chunks import ChunkStore
from ..review.record import ReviewRecord
from ..screenplay import Cue, Line, Screenplay


@dataclass(frozen=True)
class Change:
    ms: int  # in the joined video
    why: str  # for the page: "s01_hello/line01 edited", "s02_noise redrawn from 8.7 s into the scene", ...


SceneChunks = dict[str, tuple[tuple[int, int, str], ...]]  # scene -> its chunks' (first frame, end, key), in order


@dataclass(frozen=True)
class Made:
    """What a preview was made from: the screenplay, its review record and its scenes' chunks."""

    screenplay: Screenplay
    record: ReviewRecord
    chunks: SceneChunks


def first_change(old: Made | None, new: Made, drawn: dict[str, dict[int, str]]) -> Change | None:
    """The earliest difference between two previews (None: they play the same). `drawn`: the
    render's report of the chunks it drew (scene -> chunk index -> why)."""
    if old is None:
        return Change(0, "the first preview")
    found = [c for c in (_beat_change(old.screenplay, new.screenplay, new.record), _timing_change(old.record, new.record),
                         _chunk_change(old.chunks, new, drawn)) if c is not None]
    return min(found, key=lambda c: c.ms) if found else None


def scene_chunks(store: ChunkStore, scene_ids) -> SceneChunks:
    """Each scene's chunks as recorded (chunks.json): what its video is made of."""
    return {scene_id: tuple((c.start, c.end, c.key) for _, c in sorted(store.recorded(scene_id).items()))
            for scene_id in scene_ids}


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
    in it got longer, holds its picture longer: where its frames change, its chunks say.)"""
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


def _chunk_change(old: SceneChunks, new: Made, drawn: dict[str, dict[int, str]]) -> Change | None:
    """The first chunk, in the video's order, that is not the one the last preview had there."""
    found = []
    for scene_id, chunks in new.chunks.items():
        before = old.get(scene_id, ())
        differs = next((i for i, (was, now) in enumerate(itertools.zip_longest(before, chunks)) if was != now), None)
        if differs is None or not chunks:
            continue
        first = chunks[min(differs, len(chunks) - 1)][0]  # (a chunk removed at the end: from the last one)
        found.append((_scene_ms(new.record, scene_id) + first * 1000 // new.record.fps, scene_id, differs))
    if not found:
        return None
    ms, scene_id, index = min(found)
    into = f"{(ms - _scene_ms(new.record, scene_id)) / 1000:.1f} s into the scene"
    if index in drawn.get(scene_id, {}):
        return Change(ms, f"{scene_id} redrawn from {into}")
    return Change(ms, f"{scene_id} from {into}: an earlier drawing, kept")
