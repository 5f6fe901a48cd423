"""The screenplay as typed, immutable objects: what the YAML means once it has been validated.

The screenplay is Japanese; its English version lives beside each thing it translates (the YAML's
`en:` keys), so a translation moves with its line. The English fields are named `en_...`
(`Line.en`, `Scene.en_title`, ...) and are empty (None or "") where nothing is translated. What a
Japanese render depends on (render/inputs.py) lists its fields by hand and leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union


@dataclass(frozen=True)
class Character:
    name: str  # the display name, as the subtitles show it: シュウ
    role: str
    color: str  # "#rrggbb"
    voice: str  # the speech engine's voice id: jm_kumo
    source_line: int = 0  # line of its `voice:` in the YAML file, for messages
    en_name: str = ""  # the name in the English version: Shu
    en_voice: str = ""  # the English engine's voice id (narration/english.py): am_michael
    en_source_line: int = 0  # line of its `en:` in the YAML file (0: none)


@dataclass(frozen=True)
class Style:
    font: str = "Noto Sans CJK JP"
    subtitle_size: float = 0.055  # text height as a fraction of the frame height
    background: str = "#0f172a"


@dataclass(frozen=True)
class Line:
    """One spoken line of dialogue.

    A line that scene code syncs to has a name (`id:` in the YAML) that an edit elsewhere cannot
    shift; the others are numbered by position (line01, line02, ...), which scene code may not
    use: inserting a line would move them."""

    id: str  # its `id:` (beta_explained), or its position in the scene (line04) when unnamed
    speaker: str
    text: str  # exactly as the screenplay writes it; the subtitle shows it
    say: str | None = None  # the reading for speech where the text has symbols
    source_line: int = 0  # line number in the YAML file, for messages
    named: bool = False  # whether `id` was given in the YAML (else it is a position)
    en: str | None = None  # the English text (the English subtitle), None while untranslated
    en_say: str | None = None  # the English reading where the English text has symbols (x₀: "x zero")

    @property
    def reading(self) -> str:
        """What the voice reads: the `say:` reading if there is one, else the text."""
        return self.say if self.say is not None else self.text

    @property
    def en_reading(self) -> str | None:
        """What the English voice reads: the English `say:` if there is one, else the English text."""
        return self.en_say if self.en_say is not None else self.en


@dataclass(frozen=True)
class Cue:
    """One animation cue (【アニメーション: ...】); its id names the scene method that draws it."""

    id: str
    animation: str  # the screenplay's description of the animation
    source_line: int = 0
    en: str | None = None  # the description in English (the audio description track's words)


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
    source_line: int = 0  # line of the scene's `id:` in the YAML file, for messages
    en_title: str = ""  # the English title (chapters, the scene table); "" while untranslated
    en_heading: str = ""  # the English heading

    @property
    def end_s(self) -> int:
        return self.start_s + self.duration_s

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(b for b in self.beats if isinstance(b, Line))

    @property
    def cues(self) -> tuple[Cue, ...]:
        return tuple(b for b in self.beats if isinstance(b, Cue))

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)


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
    scene_dir: Path | None = field(default=None, compare=False)  # where the scene files are
    source: str = field(default="", compare=False, repr=False)  # the YAML text it was read from
    en_title: str = ""  # the English version's title and subtitle ("" while untranslated)
    en_subtitle: str = ""

    @property
    def untranslated_lines(self) -> tuple[tuple[Scene, Line], ...]:
        """The spoken lines without English, in order, with their scenes."""
        return tuple((scene, line) for scene in self.scenes for line in scene.lines if line.en is None)

    @property
    def name(self) -> str:
        """The file's stem: it names the video and its side files (diffusion_explainer.mp4)."""
        return Path(self.path).stem if self.path and not self.path.startswith("<") else "screenplay"

    def scene_file(self, scene_id: str) -> Path:
        return Path(self.scene_dir) / f"{scene_id}.py"

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
