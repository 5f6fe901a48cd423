"""What the screenplay shows and says in each of the video's languages.

The screenplay is Japanese, with its English beside every line, cue, scene and character (`en:`,
screenplay/model.py). A render in English takes the English where there is some; a line without
English yet is shown and spoken in Japanese (`check` lists those lines), so an unfinished
translation still renders, visibly unfinished, instead of failing.

English subtitles are set in a Latin font: Noto Sans CJK has Latin glyphs too, but they are
drawn for Japanese text (wide spacing, a heavier weight next to kana); DejaVu Sans
(fonts-dejavu-core, a Debian package the Makefile installs) reads better as an English line.
"""

from __future__ import annotations

from ..core.errors import SetupError
from ..core.fonts import font_file
from ..core.settings import DEFAULT_LANGUAGE
from ..screenplay import Cue, Line, Scene, Screenplay

ENGLISH = "en"
ENGLISH_FONT = "DejaVu Sans"


def line_language(line: Line, language: str) -> str:
    """The language a line is shown and spoken in, in a render of `language`: its English in an
    English render, unless it has none yet (then its Japanese)."""
    return ENGLISH if language == ENGLISH and line.en is not None else DEFAULT_LANGUAGE


def line_text(line: Line, language: str) -> str:
    """What the line's subtitles show (with the screenplay's `**` emphasis)."""
    return line.en if line_language(line, language) == ENGLISH else line.text


def line_reading(line: Line, language: str) -> str:
    """What the voice reads: the `say:` reading in the line's language, else its text."""
    return line.en_reading if line_language(line, language) == ENGLISH else line.reading


def speaker_name(screenplay: Screenplay, speaker: str, language: str) -> str:
    """How the subtitles name a character (シュウ; Shu in English, where the screenplay gives it)."""
    if language == ENGLISH:
        return screenplay.character(speaker).en_name or speaker
    return speaker


def subtitle_font(line: Line, language: str, font: str) -> str:
    """The font of a line's subtitle rows: `font` (the screenplay's, Japanese) or ENGLISH_FONT."""
    return ENGLISH_FONT if line_language(line, language) == ENGLISH else font


def video_title(screenplay: Screenplay, language: str) -> tuple[str, str]:
    """(title, subtitle) of the video in `language`."""
    if language == ENGLISH and screenplay.en_title:
        return screenplay.en_title, screenplay.en_subtitle or screenplay.subtitle
    return screenplay.title, screenplay.subtitle


def scene_title(scene: Scene, language: str) -> str:
    """The scene's short title (chapters, the review page's headings)."""
    return scene.en_title or scene.title if language == ENGLISH else scene.title


def scene_heading(scene: Scene, language: str) -> str:
    return scene.en_heading or scene.en_title or scene.heading if language == ENGLISH else scene.heading


def cue_description(cue: Cue, language: str) -> str:
    """The cue's description (the audio description track, the review page's cue pictures)."""
    return cue.en or cue.animation if language == ENGLISH else cue.animation


def check_english_font() -> None:
    """The English subtitles' font is installed, or a SetupError naming the Debian package that has it."""
    try:
        font_file(ENGLISH_FONT)
    except SetupError:
        raise SetupError(f"the font '{ENGLISH_FONT}' of the English subtitles is not installed: run `make setup` "
                         f"(Debian package fonts-dejavu-core)") from None
