from diffusion_explainer.screenplay import Cue, Line


def test_scene_durations_sum_to_ten_minutes(screenplay):
    assert sum(s.duration_s for s in screenplay.scenes) == 600
    assert screenplay.duration_s == 600
    assert [s.duration_s for s in screenplay.scenes] == [25, 50, 90, 105, 105, 90, 90, 45]


def test_scenes_follow_each_other_without_gaps(screenplay):
    ends = [0] + [s.end_s for s in screenplay.scenes]
    assert [s.start_s for s in screenplay.scenes] == ends[:-1]
    assert ends[-1] == 600


def test_scene_ids_match_scene_files(screenplay):
    from tests.conftest import REPO

    assert [s.id for s in screenplay.scenes][2] == "s03_forward"
    for s in screenplay.scenes:
        assert (REPO / "scenes" / f"{s.id}.py").is_file(), f"scenes/{s.id}.py is missing"


def test_characters_and_readings(screenplay):
    assert [(c.name, c.color) for c in screenplay.characters] == [("シュウ", "#3b82f6"), ("ミク", "#e94560")]
    lines = [b for s in screenplay.scenes for b in s.beats if isinstance(b, Line)]
    x0 = next(l for l in lines if "x₀" in l.text)
    assert "エックスゼロ" in x0.reading and "x₀" not in x0.reading
    plain = next(l for l in lines if l.text == "この数式は？")
    assert plain.reading == plain.text


def test_beats_are_typed_and_immutable(screenplay):
    scene = screenplay.scene("s03_forward")
    assert isinstance(scene.beats[0], Cue) and scene.beats[0].id == "section_title"
    try:
        scene.beats[0].id = "x"
    except AttributeError:
        pass
    else:
        raise AssertionError("beats must be immutable")


def test_a_scene_needs_only_its_duration(screenplay, tmp_path):
    """Without `start:` and `end:` each scene starts where the one before ends: lengthening one
    scene is one edit (the total must still add up)."""
    import re

    from diffusion_explainer.screenplay import load_screenplay
    from tests.conftest import SCREENPLAY

    text = re.sub(r'\n    (start|end): "[0-9:]+"', "", SCREENPLAY.read_text(encoding="utf-8"))
    assert "start:" not in text and "    end:" not in text
    path = tmp_path / "durations_only.yaml"
    path.write_text(text, encoding="utf-8")
    short = load_screenplay(path)
    assert [(s.id, s.start_s, s.end_s) for s in short.scenes] == [(s.id, s.start_s, s.end_s) for s in screenplay.scenes]
