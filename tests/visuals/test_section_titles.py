"""Every section_title cue of the screenplay names its step and title the way the shared cue plays it."""

from diffusion_explainer.visuals.sections import split_section_title


def test_split_section_title():
    assert split_section_title("セクションタイトル「Step 1: 前方過程（Forward Process）」") == (
        "Step 1", "前方過程（Forward Process）")
    assert split_section_title("「まとめ」") == ("", "まとめ")


def test_every_section_title_cue_has_a_title(screenplay):
    cues = [c for s in screenplay.scenes for c in s.cues if c.id == "section_title"]
    assert len(cues) >= 5
    for cue in cues:
        step, title = split_section_title(cue.animation)
        assert title and "「" not in title and "」" not in title, cue.animation
