"""The studio-loop bench's summary: a reworded line whose words were all spoken before is not called
within its target (nothing was spoken); the other edits are judged against theirs."""

from diffusion_explainer.bench.studio_loop import summary


def results(speech_cached: bool) -> dict:
    edit = dict(target_s=8.0, of_first_preview=0.1, jobs=1, job_cpu_s=3.0, plays_from_ms=355000)
    return {"settings": "854x480 at 15 fps", "first_preview_s": 60.0, "warm_start_s": 0.9,
            "speech_cached": speech_cached,
            "edits": [dict(edit, what="reworded line", s=1.8), dict(edit, what="cue method edited", s=9.0, target_s=6.0)]}


def test_a_rewording_spoken_before_is_reported_as_not_measured():
    lines = summary(results(speech_cached=True)).splitlines()
    assert "not measured" in lines[1] and "target 8 s: ok" not in lines[1]
    assert "OVER TARGET" in lines[2]


def test_new_words_are_judged_against_the_target():
    lines = summary(results(speech_cached=False)).splitlines()
    assert "(target 8 s: ok;" in lines[1] and "not measured" not in lines[1]
