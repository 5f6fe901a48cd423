"""The timeline counts in whole frames: every scene is exactly duration x fps frames, lines never
overlap, and a scene that cannot fit is refused."""

import dataclasses

import pytest

from diffusion_explainer.narration import estimate_duration
from diffusion_explainer.timing.timeline import MAX_SPEEDUP, TimelineError, minimum_gaps_s, plan_scene, speed_needed


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
