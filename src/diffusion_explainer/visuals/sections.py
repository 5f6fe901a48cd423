"""The one way every `section_title` cue plays: written large at the centre of the stage, held
until the narration starts (or, on request, ends), then tucked into the top-left corner where it
stays for the scene."""

from __future__ import annotations

import re

from manim import Transform, VGroup, Write

from .titles import corner_position, section_title

WRITE_S = 1.5
MOVE_S = 1.0
MAX_HOLD_S = 5.0  # a big title alone longer than this feels stuck


def split_section_title(cue_text: str) -> tuple[str, str]:
    """「Step 1: 前方過程（Forward Process）」 -> ("Step 1", "前方過程（Forward Process）")."""
    quoted = re.search(r"「(.+)」", cue_text)
    text = quoted.group(1) if quoted else cue_text
    step, sep, title = text.partition(":")
    return (step.strip(), title.strip()) if sep else ("", text.strip())


def play_section_title(scene, through_lines: bool = False) -> VGroup:
    """Play the current cue's section title; returns the small title left in the corner.

    `through_lines`: keep it large while the cue's lines are spoken (for a cue that has nothing
    else to show, such as the summary's 「じゃあ最後に…」), instead of until the first one starts."""
    step, title = split_section_title(scene.cue.cue.animation)
    big = section_title(step, title, scene.layout.stage_width)
    big.move_to([0, scene.layout.stage_center_y, 0])
    scene.play(Write(big), run_time=WRITE_S)
    first = scene.first_line_of_cue()
    if through_lines and first is not None:
        scene.wait(max(0.5, scene.seconds_left - MOVE_S))  # moved by the cue's end
    else:
        first_line = scene.seconds_until(first.speech.start) if first is not None else MAX_HOLD_S
        scene.wait(max(0.5, min(MAX_HOLD_S, first_line - MOVE_S)))
    small = corner_position(big, scene.layout.frame_width, scene.layout.stage_top)
    scene.play(Transform(big, small), run_time=MOVE_S)
    return big
