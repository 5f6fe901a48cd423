"""The whole video's sound: the narration, the music bed ducked under it, and the effects.

Everything that depends only on the narration and the scene layout is made up front (the bed,
the ducking, the gain that brings the mix to TARGET_LUFS); the effects a scene's render asked
for are added when that scene's events are known, which is before its part of the video is
mixed: `block` hands out the mix in time order, so an encoder can start on the first scenes
while later ones are still rendering. An effect starts at the earliest at its scene's first
sample (its rise is cut there), so what a block holds never depends on later scenes.

The narration and music stems are the mix's two halves with the same gain: narration + music is
the soundtrack before its true-peak limiter.
"""

from __future__ import annotations

import numpy as np

from ..narration.loudness import integrated_loudness
from ..narration.mixing import TARGET_LUFS
from ..timing.sound_marks import SoundEvent
from . import ducking
from .effects import effect
from .music import master_gain, render_bed
from .score import chord_at, chords_for

SEED = 14
EFFECT_LEVEL_DB = {"transition": -9.0, "reveal": -13.0, "finale": -10.0}  # their peaks, before ducking


GAIN_STEP_DB = 0.1


def gain_step(gain_db: float) -> float:
    """The mix's gain, in whole steps of GAIN_STEP_DB: an edit that moves the video's loudness by
    a few hundredths of a dB keeps the gain, so every other scene's samples stay bit for bit
    the same and their encoded segments are reused (sound/aac_segments.py). The delivered
    loudness is then within half a step of TARGET_LUFS."""
    return round(gain_db / GAIN_STEP_DB) * GAIN_STEP_DB


class Mixdown:
    def __init__(self, narration: np.ndarray, scenes: list[tuple[int, int]], rate: int, music: bool = True,
                 seed: int = SEED, make_bed=render_bed):
        """narration: float32 (samples, 2), the whole video; scenes: (first sample, samples) of
        every scene in order, covering it. `make_bed(chords, total, rate, seed)`: render_bed, or
        a cache of its results (a new array each call: the mix writes into it)."""
        self.rate, self.scenes, self.total = rate, scenes, len(narration)
        self.narration = narration
        self.music: np.ndarray | None = None
        if music and self.total:
            self.chords = chords_for(scenes, rate)
            voiced = ducking.voice_frames(narration, rate)
            self.music = make_bed(self.chords, self.total, rate, seed)
            self.music *= ducking.gains(ducking.duck_amount(voiced), self.total, rate)[:, None]
            self._effects_duck = ducking.gains(
                ducking.duck_amount(voiced, ducking.EFFECTS_HOLD_S, ducking.EFFECTS_RELEASE_S), self.total, rate)
            for first, _ in scenes[1:]:  # a soft swell into every scene change
                root = chord_at(self.chords, first).chord.bass
                self._place(effect("transition", rate, root=root), first, floor=0)
        loudness = integrated_loudness(self._sum(0, self.total), rate) if self.total else float("-inf")
        self.gain = 10.0 ** (gain_step(TARGET_LUFS - loudness) / 20.0) if np.isfinite(loudness) else 1.0

    def add_scene_events(self, scene_index: int, events: tuple[SoundEvent, ...], fps: int) -> None:
        """The effects a scene's render marked, at its place in the video (before its block is
        asked for). Left out without music."""
        if self.music is None:
            return
        first, _ = self.scenes[scene_index]
        reveals = 0
        for event in sorted(events):
            moment = first + event.frame * self.rate // fps
            self._place(effect(event.name, self.rate, index=reveals), moment, floor=first)
            reveals += event.name == "reveal"

    def block(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray | None]:
        """(narration, music) of samples [start, end) with the mix's gain, float32 (n, 2)."""
        narration = self.narration[start:end] * np.float32(self.gain)
        music = None if self.music is None else self.music[start:end] * np.float32(self.gain)
        return narration, music

    def _sum(self, start: int, end: int) -> np.ndarray:
        part = self.narration[start:end]
        return part if self.music is None else part + self.music[start:end]

    def _place(self, sound, moment: int, floor: int) -> None:
        level = 10.0 ** (EFFECT_LEVEL_DB[sound.name] / 20.0)
        start = moment - sound.pre_roll
        samples = sound.samples[max(0, floor - start) :]
        start = max(start, floor)
        end = min(self.total, start + len(samples))
        if end <= start:
            return
        gain = level * self._effects_duck[start:end] * master_gain(np.arange(start, end), self.total, self.rate)
        self.music[start:end] += samples[: end - start] * gain[:, None].astype(np.float32)
