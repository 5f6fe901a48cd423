"""The line the benches reword, and the words they reword it in: an edit is measured as an author
makes it, in words spoken for the first time (their speech is made), so each run takes the first
rewording whose speech is not in the cache yet. Once all have been spoken, the last is used again
and the run says its speech was cached."""

from __future__ import annotations

from pathlib import Path

from ..core.files import write_text
from ..screenplay import load_screenplay

EDITED_LINE = "スタートのノイズが毎回ランダムだから"  # in Scene 05's last line
REWORDINGS = tuple(f"{lead}スタートのノイズ{particle}{when}{what}だから"
                   for lead in ("", "そもそも", "結局")
                   for what in ("ランダム", "でたらめ", "ばらばら")
                   for when in ("毎回", "いつも", "そのたびに")
                   for particle in ("は", "が", "も"))


def unspoken_wording(text: str, probe: Path, edited: str = EDITED_LINE,
                     rewordings: tuple[str, ...] = REWORDINGS) -> tuple[str, bool]:
    """The first rewording of `edited` in the screenplay `text` whose speech is not in the cache, and
    False; once all have been spoken, the last, and True. `probe`: a scratch file beside the
    screenplay (its scene files are found from there), removed afterwards."""
    try:
        for candidate in rewordings:
            if candidate != edited and not line_spoken(text.replace(edited, candidate, 1), probe, candidate):
                return candidate, False
    finally:
        probe.unlink(missing_ok=True)
    return rewordings[-1], True


def line_spoken(screenplay_text: str, path: Path, words: str) -> bool:
    """Whether the line holding `words` in this screenplay text has its natural-speed speech in the cache."""
    from ..narration import cached_speech

    write_text(path, screenplay_text)
    screenplay = load_screenplay(path)
    line = next(line for scene in screenplay.scenes for line in scene.lines if words in line.text)
    return cached_speech(line.reading, screenplay.character(line.speaker).voice) is not None
