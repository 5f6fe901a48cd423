"""A line whose `text` was edited but whose `say` (the reading the voice speaks) was not: the
subtitle then shows new words while the voice reads the old ones.

Both are read as katakana (OpenJTalk, as the Japanese voice's own front end does); the symbols,
Latin letters and digits of the text are left out, since `say` exists to spell those out in kana.
What the text reads and its reading does not is reported when it is three or more kana long: the
17 readings of this video differ from their texts only where they correct the voice (描ける read
かける, 8分 read ハチブ: two kana each), while a changed word (少しずつ -> 大きく: オーキク) is longer.
A changed word of two kana or fewer is missed; that is the price of no false alarms here.
"""

from __future__ import annotations

import difflib
import re

from ..narration.hearing import katakana_reading
from ..screenplay import Screenplay

SYMBOLS = re.compile(r"[\x00-\x7f\u2080-\u209c\u0300-\u036f]+")  # ASCII, subscripts, combining marks
MIN_KANA = 3


def unread_words(text: str, say: str) -> list[str]:
    """The kana of `text` (symbols left out) that `say` does not read, in runs of MIN_KANA or more."""
    heard, read = katakana_reading(SYMBOLS.sub("、", text)), katakana_reading(say)
    matcher = difflib.SequenceMatcher(None, heard, read, autojunk=False)
    return [heard[i1:i2] for op, i1, i2, _, _ in matcher.get_opcodes()
            if op in ("replace", "delete") and i2 - i1 >= MIN_KANA]


def reading_drift(screenplay: Screenplay) -> list[str]:
    """One warning per line whose reading no longer reads its text."""
    warnings = []
    for scene in screenplay.scenes:
        for line in scene.lines:
            if line.say is None:
                continue
            unread = unread_words(line.text, line.say)
            if unread:
                warnings.append(f"{screenplay.path}:{line.source_line}: scenes.{scene.id}.{line.id}.say: does not read "
                                f"{'、'.join(unread)} of the text (the voice would still say the old words): edit `say` "
                                f"to read the text as it is now")
    return warnings
