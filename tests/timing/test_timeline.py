"""The timeline counts in whole frames: every scene is exactly duration x fps frames, lines never
overlap, and a scene that cannot fit is refused."""

import dataclasses

import pytest

from diffusion_explainer.narration import estimate_duration
from diffusion_explainer.screenplay import Cue
from diffusion_explainer.timing.timeline import (
    CUE_WEIGHT,
    MAX_PAUSE_S,
    MAX_SPEEDUP,
    MIN_CUE_LEAD_S,
    MIN_TAIL_S,
    TAIL_WEIGHT,
    TimelineError,
    layout_reference,
    minimum_gaps_s,
    plan_scene,
    speed_needed,
)


def estimated(scene):
    return {l.id: estimate_duration(l.reading) for l in scene.lines}


@pytest.mark.parametrize("fps", [10, 15, 24, 30, 60])
def test_every_scene_fits_exactly_at_any_frame_rate(screenplay, fps):
    for scene in screenplay.scenes:
        natural = estimated(scene)
        speed = speed_needed(scene, natural)
        tl = plan_scene(scene, fps, {k: v / speed for k, v in natural.items()}, speed=speed)
        assert tl.total_frames == scene.duration_s * fps
        starts = [t.speech.start for t in tl.lines]
        assert starts == sorted(starts)
        for a, b in zip(tl.lines, tl.lines[1:]):
            assert a.speech.end <= b.speech.start, f"{scene.id}: {a.line.id} overlaps {b.line.id}"
            assert a.shown.end == b.speech.start  # a subtitle stays until the next line starts
        assert tl.lines[-1].speech.end <= tl.total_frames
        assert tl.lines[-1].shown.end == tl.total_frames
        # cues tile the scene from their start to the end, in screenplay order
        assert [c.cue.id for c in tl.cues] == [c.id for c in scene.cues]
        for a, b in zip(tl.cues, tl.cues[1:]):
            assert a.span.end == b.span.start and a.span.frames > 0
        assert tl.cues[-1].span.end == tl.total_frames


def test_pages_share_the_line_time_in_proportion(screenplay):
    scene = screenplay.scene("s05_reverse")
    tl = plan_scene(scene, 30, estimated(scene), paginate=lambda l: [l.text[:10], l.text[10:30]] if len(l.text) > 30 else [l.text])
    for t in tl.lines:
        assert t.pages[0].span.start == t.speech.start
        assert t.pages[-1].span.end == t.shown.end
        for a, b in zip(t.pages, t.pages[1:]):
            assert a.span.end == b.span.start
        if len(t.pages) == 2:  # 10 and 20 characters: the second page gets about twice the time
            first, second = t.pages[0].span.end - t.speech.start, t.speech.end - t.pages[1].span.start
            assert abs(second / first - 2) < 0.2


def test_a_tight_scene_is_sped_up_within_the_bound(screenplay):
    scene = screenplay.scene("s08_summary")
    natural = estimated(scene)
    free = scene.duration_s - minimum_gaps_s(scene)
    lengths = {k: v * 1.1 * free / sum(natural.values()) for k, v in natural.items()}  # needs 1.1x
    needed = speed_needed(scene, lengths)
    assert needed == pytest.approx(1.1)
    with pytest.raises(TimelineError):
        plan_scene(scene, 30, lengths)  # as heard, it does not fit
    tl = plan_scene(scene, 30, {k: v / needed for k, v in lengths.items()}, speed=needed)
    assert tl.lines[-1].speech.end <= tl.total_frames


def test_a_scene_too_long_to_speak_is_refused_with_the_seconds_over(screenplay):
    scene = screenplay.scene("s08_summary")
    long_line = dataclasses.replace(scene.lines[1], text="あ" * 600, say=None)
    beats = tuple(long_line if b == scene.lines[1] else b for b in scene.beats)
    scene = dataclasses.replace(scene, beats=beats)
    with pytest.raises(TimelineError) as err:
        speed_needed(scene, estimated(scene))
    message = str(err.value)
    assert "s08_summary" in message and "s over" in message and f"{MAX_SPEEDUP:g}x" in message


def plain_pauses(scene, timeline):
    """(line before, line after, frames between) for two lines with no cue between them."""
    timings = {t.line.id: t for t in timeline.lines}
    pauses, before = [], None
    for beat in scene.beats:
        if isinstance(beat, Cue):
            before = None
            continue
        if before is not None:
            pauses.append((before, beat.id, timings[beat.id].speech.start - timings[before].speech.end))
        before = beat.id
    return pauses


@pytest.mark.parametrize("fps", [10, 15, 30, 60])
def test_a_pause_inside_an_exchange_is_at_most_a_turn_of_conversation(screenplay, fps):
    longest = round(MAX_PAUSE_S * fps)
    capped = 0
    for scene in screenplay.scenes:
        natural = estimated(scene)
        speed = speed_needed(scene, natural)
        tl = plan_scene(scene, fps, {k: v / speed for k, v in natural.items()}, speed=speed)
        for before, after, frames in plain_pauses(scene, tl):
            assert frames <= longest, f"{scene.id}: {frames / fps:.2f} s between {before} and {after}"
            capped += frames == longest
    assert capped  # the screenplay has scenes whose pauses would be longer


def test_what_a_capped_pause_gives_up_goes_to_the_cues_and_the_tail(screenplay):
    """s03 has 44 s of slack: every plain pause stops at the cap, and the cues' leads and the tail
    share the rest by their weights (to a frame)."""
    fps, scene = 30, screenplay.scene("s03_forward")
    tl = plan_scene(scene, fps, estimated(scene))
    assert {frames for _, _, frames in plain_pauses(scene, tl)} == {round(MAX_PAUSE_S * fps)}
    starts = {t.line.id: t.speech.start for t in tl.lines}
    ends = {t.line.id: t.speech.end for t in tl.lines}
    leads, previous_end, after_cue = [], 0, False
    for beat in scene.beats:
        if isinstance(beat, Cue):
            after_cue = True
            continue
        if after_cue:
            leads.append(starts[beat.id] - previous_end - round(MIN_CUE_LEAD_S * fps))
        previous_end, after_cue = ends[beat.id], False
    tail = tl.total_frames - previous_end - round(MIN_TAIL_S * fps)
    assert len(leads) == 4 and max(leads) - min(leads) <= 1
    assert abs(tail * CUE_WEIGHT / TAIL_WEIGHT - leads[0]) <= 2  # one frame of rounding each
    assert tail > 1.5 * fps  # (not shared with only the cues)


def test_a_layout_is_kept_only_when_made_with_the_same_rules(screenplay):
    fps, scene = 15, screenplay.scene("s04_training")
    lengths = estimated(scene)
    first = plan_scene(scene, fps, lengths)
    reference = layout_reference(first, scene)
    assert plan_scene(scene, fps, lengths, reference=reference).layout == "as rendered before"
    # a layout of other rules (or of a version that did not record them) is laid out afresh:
    # its pauses, longer than a turn of conversation, are not kept
    older = dict(reference, rules=[*reference["rules"][:1], 99.0, *reference["rules"][2:]])
    beats = [list(b) for b in reference["beats"]]
    line_beats = [b for b in beats if b[0] == "line"]
    for k, beat in enumerate(line_beats):
        beat[4] += k  # each line a frame later than the one before it: other pauses
    for stale in (dict(older, beats=beats), {k: v for k, v in dict(reference, beats=beats).items() if k != "rules"}):
        again = plan_scene(scene, fps, lengths, reference=stale)
        assert again.layout == "" and [t.speech for t in again.lines] == [t.speech for t in first.lines]
