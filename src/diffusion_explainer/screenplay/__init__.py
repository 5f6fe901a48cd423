"""The screenplay: YAML in `script/` -> validated, immutable objects."""

from .errors import ScreenplayError
from .loader import DEFAULT_PATH, load_screenplay, parse_screenplay
from .model import Beat, Character, Cue, Line, Scene, Screenplay, Style, format_clock

__all__ = [
    "Beat", "Character", "Cue", "DEFAULT_PATH", "Line", "Scene", "Screenplay", "ScreenplayError",
    "Style", "format_clock", "load_screenplay", "parse_screenplay",
]
