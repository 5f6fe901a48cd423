"""The one way every `section_title` cue plays: written large at the centre of the stage, held
until the narration starts (or, on request, ends), then tucked into the top-left corner where it
stays for the scene.

While it waits for the voice, the title is not still: it grows slowly (HOLD_GROWTH_PER_S, a
push-in), so the picture never stands still with nobody speaking (review/dead_air.py: 3 s of a
still picture and no voice is where viewers leave; the held titles of s03 and s05 were the last two
such spans, 5.3 s and 4.8 s). A thinner motion does not count as one: a rule drawing itself or a
digit counting changes too few pixels to lift a 320-px copy's mean difference over -50 dB."""

from __future__ import annotations

import re

from manim import Transform, VGroup, Write, linear

from .catalogue import in_render_language
from .titles import corner_position, section_title

WRITE_S = 1.5
MOVE_S = 1.0
MAX_HOLD_S = 5.0  # a big title alone longer than this feels stuck
HOLD_GROWTH_PER_S = 0.012  # 1.2 % of its size a second: 6 % over the longest hold, felt more than seen


def split_section_title(cue_text: str) -> tuple[str, str]:
    """「Step 1: 前方過程（Forward Process）」 -> ("Step 1", "前方過程（Forward Process）"); the English
    cue's “Step 1: The Forward Process” -> ("Step 1", "The Forward Process")."""
    quoted = re.search(r"「(.+)」|“(.+)”", cue_text)
    text = next(group for group in quoted.groups() if group) if quoted else cue_text
    step, sep, title = text.partition(":")
    return (step.strip(), title.strip()) if sep else ("", text.strip())


def play_section_title(scene, through_lines: bool = False) -> VGroup:
    """Play the current cue's section title; returns the small title left in the corner.

    `through_lines`: keep it large while the cue's lines are spoken (for a cue that has nothing
    else to show, such as the summary's 「じゃあ最後に…」), instead of until the first one starts."""
    cue = scene.cue.cue
    step, title = split_section_title(in_render_language(cue.animation, cue.en))
    big = section_title(step, title, scene.layout.stage_width)
    big.move_to([0, scene.layout.stage_center_y, 0])
    scene.play(Write(big), run_time=WRITE_S)
    first = scene.first_line_of_cue()
    small = corner_position(big, scene.layout.frame_width, scene.layout.stage_top)  # before it grows
    if through_lines and first is not None:
        scene.wait(max(0.5, scene.seconds_left - MOVE_S))  # moved by the cue's end; the voice is on
    else:
        first_line = scene.seconds_until(first.speech.start) if first is not None else MAX_HOLD_S
        hold = max(0.5, min(MAX_HOLD_S, first_line - MOVE_S))
        scene.play(big.animate.scale(1 + HOLD_GROWTH_PER_S * hold), run_time=hold, rate_func=linear)
    scene.play(Transform(big, small), run_time=MOVE_S)
    return big
