"""A scene's timeline in integer frames: when each line is spoken, each subtitle page shown and
each animation cue plays.

Everything is counted in whole frames on one absolute scene clock, so a scene of D seconds is
exactly D x fps frames at any frame rate and no rounding can accumulate (Manim rounds each play
and wait on its own; the base scene asks it for exact frame counts from this plan).

How a scene is laid out: lines follow each other in the screenplay's order, each lasting as long
as its speech. Between them are pauses; a cue placed before a line gets a longer pause (its
animation starts while the previous line ends) and the time left over after speech is shared out
over those pauses, more to cues than to plain pauses. A plain pause (two lines of an exchange
with no cue between them) grows to at most `MAX_PAUSE_S`, what a conversation leaves between two
turns; what it would get beyond that goes to the cues and the scene's tail, where animations fill
it (a still picture with nobody speaking for 3 s is dead air, review/dead_air.py). A scene whose
speech does not fit is spoken faster, up to `MAX_SPEEDUP`; beyond that it is refused.

Edits keep what they can: given the layout the scene was last rendered with (a `reference`),
everything before the first line that changed keeps its frames, the changed line starts where it
did, and only the pauses after it take up the difference (shared out again over the rest of the
scene). So an edited line late in a scene leaves the frames before it as they were, and only the
chunks from that line on are rendered again. Where the rest of the scene cannot take the
difference, or nothing was rendered before, the whole scene is laid out afresh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from ..screenplay import Cue, Line, Scene

MAX_SPEEDUP = 1.2
MIN_PAUSE_S = 0.4  # between two lines
MAX_PAUSE_S = 1.5  # between two lines with no cue between them: a turn in a conversation
MIN_CUE_LEAD_S = 1.2  # from a cue's start to the next line
MIN_TAIL_S = 0.8  # after the last line, before the scene cuts
MIN_FINAL_CUE_S = 3.0  # a cue after the last line (a closing animation)
CUE_WEIGHT, PAUSE_WEIGHT, TAIL_WEIGHT = 4.0, 1.0, 2.0
# The rules a layout was made with: a layout kept from a render before must have been made with
# the same (another rule would keep the old pauses wherever no line changed).
RULES = (MIN_PAUSE_S, MAX_PAUSE_S, MIN_CUE_LEAD_S, MIN_TAIL_S, MIN_FINAL_CUE_S, CUE_WEIGHT, PAUSE_WEIGHT, TAIL_WEIGHT)


class TimelineError(Exception):
    """A scene whose lines cannot fit its fixed duration."""


@dataclass(frozen=True)
class Span:
    start: int  # first frame
    end: int  # one past the last frame

    @property
    def frames(self) -> int:
        return self.end - self.start

    def seconds(self, fps: int) -> float:
        return self.frames / fps


@dataclass(frozen=True)
class PageTiming:
    text: str  # the page's text, as laid out (newline between its two rows)
    span: Span


@dataclass(frozen=True)
class LineTiming:
    line: Line
    speech: Span  # when the voice speaks
    shown: Span  # when its subtitle is on screen: from the voice's start to the next line
    pages: tuple[PageTiming, ...]


@dataclass(frozen=True)
class CueTiming:
    cue: Cue
    span: Span  # the cue's budget: until the next cue starts or the scene ends


@dataclass(frozen=True)
class SceneTimeline:
    scene_id: str
    fps: int
    total_frames: int
    speed: float  # the speaking-rate factor the lines were planned at (1.0 = natural)
    lines: tuple[LineTiming, ...]
    cues: tuple[CueTiming, ...]
    layout: str = ""  # how it was laid out: "" (the whole scene) or how much of a previous layout was kept

    def cue(self, cue_id: str) -> CueTiming:
        return next(c for c in self.cues if c.cue.id == cue_id)

    def line(self, line_id: str) -> LineTiming:
        return next(t for t in self.lines if t.line.id == line_id)

    def lines_in(self, span: Span) -> tuple[LineTiming, ...]:
        """The lines whose speech starts within a span (e.g. a cue's budget)."""
        return tuple(t for t in self.lines if span.start <= t.speech.start < span.end)

    def subtitle_events(self) -> list[tuple[int, PageTiming | None]]:
        """(frame, page to show from that frame on, or None for no subtitle), in time order."""
        events: list[tuple[int, PageTiming | None]] = []
        for line in self.lines:
            for page in line.pages:
                events.append((page.span.start, page))
        return events


def speed_needed(scene: Scene, speech_s: dict[str, float]) -> float:
    """The speaking-rate factor the scene's lines need to fit (1.0 when they fit as spoken).

    Refuses, with the scene and the seconds it is over, a scene that would need more than
    `MAX_SPEEDUP`."""
    free = scene.duration_s - minimum_gaps_s(scene)
    spoken = sum(speech_s[line.id] for line in scene.lines)
    needed = max(1.0, spoken / free) if free > 0 else math.inf
    if needed > MAX_SPEEDUP + 1e-9:
        over = spoken / MAX_SPEEDUP - free
        raise TimelineError(
            f"scene {scene.id} ({scene.title}, {scene.duration_s} s) does not fit: its {len(scene.lines)} lines "
            f"take {spoken:.1f} s to speak, {free:.1f} s are left after the pauses, so even at "
            f"{MAX_SPEEDUP:g}x speed it is {over:.1f} s over. Shorten a line or lengthen the scene."
        )
    return needed


def plan_scene(
    scene: Scene,
    fps: int,
    speech_s: dict[str, float],
    paginate=None,
    speed: float = 1.0,
    reference: dict | None = None,
) -> SceneTimeline:
    """Lay the scene's beats on a frame clock.

    speech_s: each line's speech length in seconds as it will be heard (already at `speed`).
    paginate: line -> list of page texts (default: one page with the line's text); pages share the
    line's time in proportion to their length.
    reference: the layout the scene was last rendered with (`layout_reference`), to keep where it can.
    """
    if set(speech_s) != {line.id for line in scene.lines}:
        raise ValueError(f"speech lengths for {sorted(speech_s)} do not match the lines of {scene.id}")
    if speed_needed(scene, speech_s) > 1.0 + 1e-6:
        raise TimelineError(f"scene {scene.id}: its lines do not fit at the speed given ({speed:g}x)")
    total = scene.duration_s * fps
    speech_frames = {k: max(1, math.ceil(v * fps)) for k, v in speech_s.items()}

    # The gaps before each line (index = line position) and the tail, as (minimum, weight,
    # maximum or None): a plain pause is capped, a cue's lead and the tail are not.
    gaps: list[tuple[float, float, float | None]] = []
    cue_pending = False
    for beat in scene.beats:
        if isinstance(beat, Cue):
            cue_pending = True
            continue
        if cue_pending:
            gaps.append((MIN_CUE_LEAD_S, CUE_WEIGHT, None))
        elif not gaps:
            gaps.append((0.3, PAUSE_WEIGHT, MAX_PAUSE_S))  # a breath before a scene that opens on a line
        else:
            gaps.append((MIN_PAUSE_S, PAUSE_WEIGHT, MAX_PAUSE_S))
        cue_pending = False
    tail = (MIN_FINAL_CUE_S, CUE_WEIGHT, None) if cue_pending else (MIN_TAIL_S, TAIL_WEIGHT, None)

    lines = scene.lines
    kept = _keep_from_reference(scene, fps, total, speed, speech_frames, gaps, tail, reference)
    if kept is not None:
        starts, layout = kept
    else:
        starts, layout = _lay_out(lines, 0, 0, fps, total, speech_frames, gaps, tail), ""
    clock = max((starts[line.id] + speech_frames[line.id] for line in lines), default=0)
    if clock > total:
        raise TimelineError(f"scene {scene.id}: planned lines run to frame {clock} of {total}")

    line_timings = []
    for i, line in enumerate(lines):
        start = starts[line.id]
        speech = Span(start, start + speech_frames[line.id])
        shown_end = starts[lines[i + 1].id] if i + 1 < len(lines) else total
        texts = paginate(line) if paginate else [line.text]
        line_timings.append(LineTiming(line, speech, Span(start, shown_end), _page_timings(texts, speech, shown_end)))

    cue_timings = _cue_spans(scene, starts, speech_frames, fps, total)
    return SceneTimeline(scene.id, fps, total, speed, tuple(line_timings), tuple(cue_timings), layout)


def _lay_out(lines, first: int, clock: int, fps: int, total: int, speech_frames, gaps, tail) -> dict[str, int] | None:
    """Start frames for lines[first:], from `clock` on: each gap its minimum plus its share of the
    time left over (none left: the rounding of lines up to whole frames ate the margin)."""
    rest = lines[first:]
    slack = (total - clock - sum(speech_frames[line.id] for line in rest)
             - sum(round(m * fps) for m, _, _ in gaps[first:]) - round(tail[0] * fps))
    if slack < 0 and first > 0:
        return None  # what is left of the scene cannot take it
    caps = [None if most is None else max(0, round(most * fps) - round(least * fps))
            for least, _, most in [*gaps[first:], tail]]
    shares = _share_out_capped(max(0, slack), [w for _, w, _ in gaps[first:]] + [tail[1]], caps)
    starts = {}
    for line, (minimum, _, _), share in zip(rest, gaps[first:], shares):
        clock += round(minimum * fps) + share
        starts[line.id] = clock
        clock += speech_frames[line.id]
    return starts


def layout_reference(timeline: SceneTimeline, scene: Scene) -> dict:
    """What plan_scene needs to keep this layout later: the rules it was made with and the beats
    in order with each line's text, reading, start and length in frames."""
    timings = {t.line.id: t for t in timeline.lines}
    beats = [["cue", b.id] if isinstance(b, Cue) else
             ["line", b.speaker, b.text, b.reading, timings[b.id].speech.start, timings[b.id].speech.frames]
             for b in scene.beats]
    return {"fps": timeline.fps, "total_frames": timeline.total_frames, "speed": timeline.speed,
            "rules": list(RULES), "beats": beats}


def _keep_from_reference(scene: Scene, fps: int, total: int, speed: float, speech_frames, gaps, tail,
                         reference: dict | None) -> tuple[dict[str, int], str] | None:
    """The reference's starts up to the first changed line, the rest laid out again; None when
    there is nothing to keep (no reference, another frame rate or length or speed, other rules, or
    what is left of the scene cannot take the change)."""
    if not reference or (reference["fps"], reference["total_frames"], reference["speed"]) != (fps, total, speed):
        return None
    if reference.get("rules") != list(RULES):
        return None
    old = [tuple(b[:2]) if b[0] == "cue" else (b[0], b[1], b[2], b[3], b[5]) for b in reference["beats"]]
    new = [("cue", b.id) if isinstance(b, Cue) else ("line", b.speaker, b.text, b.reading, speech_frames[b.id])
           for b in scene.beats]
    old_starts = [b[4] for b in reference["beats"] if b[0] == "line"]
    lines = scene.lines
    changed = next((i for i, (a, b) in enumerate(zip(new, old)) if a != b), min(len(new), len(old)))
    if changed == len(new) == len(old):
        return {line.id: start for line, start in zip(lines, old_starts)}, "as rendered before"
    kept_lines = sum(1 for b in new[:changed] if b[0] == "line")
    starts = {line.id: old_starts[i] for i, line in enumerate(lines[:kept_lines])}
    clock = starts[lines[kept_lines - 1].id] + speech_frames[lines[kept_lines - 1].id] if kept_lines else 0
    first_free = kept_lines
    edited = (changed < len(new) and changed < len(old) and new[changed][0] == old[changed][0] == "line"
              and new[changed][1] == old[changed][1])
    if edited and kept_lines < len(lines):  # the same speaker's line, reworded: it starts where it did
        line = lines[kept_lines]
        starts[line.id] = old_starts[kept_lines]
        clock, first_free = starts[line.id] + speech_frames[line.id], kept_lines + 1
    rest = _lay_out(lines, first_free, clock, fps, total, speech_frames, gaps, tail)
    if rest is None:
        return None
    starts.update(rest)
    if kept_lines == 0 and not edited:
        return None  # nothing kept: lay the scene out afresh
    where = lines[kept_lines].id if kept_lines < len(lines) else "the end"
    return starts, f"kept before {where} (frame {starts.get(where, total) if where != 'the end' else total})"


def minimum_gaps_s(scene: Scene) -> float:
    total, cue_pending, first = 0.0, False, True
    for beat in scene.beats:
        if isinstance(beat, Cue):
            cue_pending = True
            continue
        total += MIN_CUE_LEAD_S if cue_pending else (0.3 if first else MIN_PAUSE_S)
        cue_pending, first = False, False
    return total + (MIN_FINAL_CUE_S if cue_pending else MIN_TAIL_S)


def _share_out(frames: int, weights: Sequence[float]) -> list[int]:
    """Split whole frames in proportion to weights, exactly (largest remainders get the rest)."""
    total_w = sum(weights)
    exact = [frames * w / total_w for w in weights]
    shares = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[: frames - sum(shares)]:
        shares[i] += 1
    return shares


def _share_out_capped(frames: int, weights: Sequence[float], caps: Sequence[int | None]) -> list[int]:
    """`_share_out`, with share i at most caps[i] (None: no cap): a capped share is fixed at its
    cap and what it leaves is shared out again over the others, until none is over. At least one
    share must be uncapped (the tail is), so every frame is placed."""
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        shares = dict(zip(free, _share_out(frames - sum(fixed.values()), [weights[i] for i in free])))
        over = [i for i in free if caps[i] is not None and shares[i] > caps[i]]
        if not over:
            return [fixed[i] if i in fixed else shares[i] for i in range(len(weights))]
        fixed.update((i, caps[i]) for i in over)


def _page_timings(texts: Sequence[str], speech: Span, shown_end: int) -> tuple[PageTiming, ...]:
    """Pages split the speech in proportion to their length; the last stays until `shown_end`."""
    weights = [max(1, len(t.replace("\n", ""))) for t in texts]
    cuts = [speech.start]
    acc = 0
    for w in weights[:-1]:
        acc += w
        cuts.append(speech.start + round(speech.frames * acc / sum(weights)))
    cuts.append(shown_end)
    return tuple(PageTiming(t, Span(a, b)) for t, a, b in zip(texts, cuts, cuts[1:]))


def _cue_spans(scene: Scene, starts: dict[str, int], speech_frames: dict[str, int], fps: int, total: int) -> list[CueTiming]:
    """A cue starts where the previous line's speech ends (a short beat later) and lasts until the
    next cue starts."""
    cue_starts: list[tuple[Cue, int]] = []
    previous_end = 0
    for beat in scene.beats:
        if isinstance(beat, Line):
            previous_end = starts[beat.id] + speech_frames[beat.id]
        else:
            start = 0 if previous_end == 0 else min(total - 1, previous_end + round(0.25 * fps))
            cue_starts.append((beat, start))
    spans = []
    for i, (cue, start) in enumerate(cue_starts):
        end = cue_starts[i + 1][1] if i + 1 < len(cue_starts) else total
        spans.append(CueTiming(cue, Span(start, end)))
    return spans
