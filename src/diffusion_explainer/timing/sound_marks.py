"""The sound effects a scene asks for, as a scene's render records them.

A scene marks a moment with `self.sound_effect("reveal")`; the moment is kept as the scene's
absolute frame (counted from the scene's first frame, whatever part of it a process renders),
so events recorded by several processes rendering pieces of one scene merge by taking them all.
The render keeps them with each chunk (chunks.json) and with the scene's video in the scene
manifest, so a reused scene keeps its effects; the soundtrack mixes them in at the scene's place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..core.files import write_text

EFFECT_NAMES = ("transition", "reveal", "finale")  # what effects.py can make (here, so that a scene
# marking an effect does not import the synthesis and SciPy's signal module)


@dataclass(frozen=True, order=True)
class SoundEvent:
    frame: int  # in the scene, from its first frame
    name: str  # one of EFFECT_NAMES

    def __post_init__(self) -> None:
        if self.name not in EFFECT_NAMES:
            raise ValueError(f"unknown sound effect {self.name!r}; known: {', '.join(EFFECT_NAMES)}")
        if self.frame < 0:
            raise ValueError(f"sound effect {self.name!r} at frame {self.frame}: frames count from 0")


def merged(*parts: Iterable[SoundEvent]) -> tuple[SoundEvent, ...]:
    """The events of several recordings of one scene (pieces rendered apart), each once, in order."""
    return tuple(sorted({event for part in parts for event in part}))


def events_path(video: Path) -> Path:
    """Where a scene video's events are written: beside it, `<name>.sounds.json`."""
    return Path(video).with_suffix(".sounds.json")


def to_json(events: Iterable[SoundEvent]) -> list[list]:
    return [[e.frame, e.name] for e in merged(events)]


def from_json(value: list) -> tuple[SoundEvent, ...]:
    return merged(SoundEvent(int(frame), str(name)) for frame, name in value)


def write_events(path: Path, events: Iterable[SoundEvent]) -> None:
    write_text(path, json.dumps(to_json(events)))


def read_events(path: Path) -> tuple[SoundEvent, ...]:
    """The events written beside a video; none if the file is missing (a scene that marks none
    and a render from before effects existed look the same)."""
    try:
        return from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return ()
