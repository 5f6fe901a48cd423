"""The screenplay as typed, immutable objects: what the YAML means once it has been validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Character:
    name: str  # the display name, as the subtitles show it: シュウ
    role: str
    color: str  # "#rrggbb"
    voice: str  # the speech engine's voice id: jm_kumo


@dataclass(frozen=True)
class Style:
    font: str = "Noto Sans CJK JP"
    subtitle_size: float = 0.055  # text height as a fraction of the frame height
    background: str = "#0f172a"


@dataclass(frozen=True)
class Line:
    """One spoken line of dialogue."""

    id: str  # stable within its scene: line01, line02, ...
    speaker: str
    text: str  # exactly as the screenplay writes it; the subtitle shows it
    say: str | None = None  # the reading for speech where the text has symbols
    source_line: int = 0  # line number in the YAML file, for messages

    @property
    def reading(self) -> str:
        """What the voice reads: the `say:` reading if there is one, else the text."""
        return self.say if self.say is not None else self.text


@dataclass(frozen=True)
class Cue:
    """One animation cue (【アニメーション: ...】); its id names the scene method that draws it."""

    id: str
    animation: str  # the screenplay's description of the animation
    source_line: int = 0


Beat = Union[Line, Cue]


@dataclass(frozen=True)
class Scene:
    id: str  # s03_forward: also the scene file's name in scenes/
    number: int  # 1-based position in the video
    title: str  # the short title of the scene table (シーン対応表) and the chapters
    heading: str  # the scene's heading in the screenplay
    start_s: int
    duration_s: int
    beats: tuple[Beat, ...]

    @property
    def end_s(self) -> int:
        return self.start_s + self.duration_s

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(b for b in self.beats if isinstance(b, Line))

    @property
    def cues(self) -> tuple[Cue, ...]:
        return tuple(b for b in self.beats if isinstance(b, Cue))


@dataclass(frozen=True)
class Screenplay:
    title: str
    subtitle: str
    format: str
    duration_s: int
    characters: tuple[Character, ...]
    style: Style
    scenes: tuple[Scene, ...]
    path: str = field(default="", compare=False)

    def character(self, name: str) -> Character:
        for c in self.characters:
            if c.name == name:
                return c
        raise KeyError(name)

    def scene(self, scene_id: str) -> Scene:
        for s in self.scenes:
            if s.id == scene_id:
                return s
        raise KeyError(scene_id)


def format_clock(seconds: int) -> str:
    """600 -> '10:00', 75 -> '1:15' (the screenplay's m:ss notation)."""
    return f"{seconds // 60}:{seconds % 60:02d}"
