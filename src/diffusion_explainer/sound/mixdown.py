"""The whole video's sound: the narration, the music bed ducked under it, and the effects.

Everything that depends only on the narration and the scene layout is made up front (the bed,
the ducking, the gain that brings the mix to TARGET_LUFS): the mix's ground (MixGround). The
effects a scene's render asked for are added when that scene's events are known, which is
before its part of the video is mixed: `block` hands out the mix in time order, so an encoder
can start on the first scenes while later ones are still rendering. An effect starts at the
earliest at its scene's first sample (its rise is cut there), so what a block holds never
depends on later scenes.

A ground can be kept (the studio mixes again at every edit) and patched for the next mix of the
same scene layout: only where a changed scene's narration reaches is made again (the samples
that differ, their frames of voice, the duck around them, the bed under them, the loudness of
the scenes they touch). Every step is local, so the patched ground is the one a fresh mix makes,
sample for sample (tests/sound/test_mixdown.py). A ten-minute mix is made in 3-4 s on the 2-core
machine; patched for a changed two-minute scene, in 0.6 s.

The narration and music stems are the mix's two halves with the same gain: narration + music is
the soundtrack before its true-peak limiter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..narration.loudness import LoudnessPart, combined_loudness, loudness_part
from ..narration.mixing import TARGET_LUFS
from ..timing.sound_marks import SoundEvent
from . import ducking
from .effects import Effect, effect
from .music import master_gain, render_bed
from .score import ScoredChord, chord_at, chords_for

SEED = 14
EFFECT_LEVEL_DB = {"transition": -9.0, "reveal": -13.0, "finale": -10.0}  # their peaks, before ducking
SETTLE_S = 0.5  # the loudness of a scene's part is measured with this much of the mix before it


GAIN_STEP_DB = 0.1


def gain_step(gain_db: float) -> float:
    """The mix's gain, in whole steps of GAIN_STEP_DB: an edit that moves the video's loudness by
    a few hundredths of a dB keeps the gain, so every other scene's samples stay bit for bit
    the same and their encoded segments are reused (sound/aac_segments.py). The delivered
    loudness is then within half a step of TARGET_LUFS."""
    return round(gain_db / GAIN_STEP_DB) * GAIN_STEP_DB


@dataclass
class MixGround:
    """A mix before any scene's effects, for one scene layout: what the next mix of that layout
    patches. `sources[i]`: what scene i's narration was read from (equal sources, equal samples)."""

    scenes: tuple[tuple[int, int], ...]
    rate: int
    seed: int
    sources: tuple[Any, ...]
    narration: np.ndarray  # float32 (samples, 2)
    parts: list[LoudnessPart]  # each scene's, of narration + music
    chords: list[ScoredChord] | None = None  # the rest: None without music
    bed: np.ndarray | None = None  # the music bed as made
    music: np.ndarray | None = None  # ducked, with the swells into every scene change
    effects_duck: np.ndarray | None = None  # the effects' ducking gain per sample
    voiced: np.ndarray | None = None  # per ducking frame
    amounts: tuple[np.ndarray, np.ndarray] | None = None  # per frame: the music's duck, the effects'

    def fits(self, scenes: Sequence[tuple[int, int]], rate: int, seed: int, music: bool) -> bool:
        return (self.scenes, self.rate, self.seed, self.music is not None) == (tuple(scenes), rate, seed, music)


class Mixdown:
    def __init__(self, scenes: list[tuple[int, int]], read: Callable[[int], np.ndarray], rate: int,
                 music: bool = True, seed: int = SEED, make_bed=render_bed, *,
                 sources: Sequence[Any] | None = None, previous: MixGround | None = None):
        """scenes: (first sample, samples) of every scene in order, covering the video; read(i):
        scene i's narration, float32 (samples, 2). `make_bed(chords, total, rate, seed)`:
        render_bed, or a cache of its results. `previous`: a ground this mix may patch (and
        takes over: its arrays are written), if it has the same layout and `sources` says which
        scenes' narration changed."""
        self.rate, self.scenes = rate, list(scenes)
        self.total = sum(length for _, length in scenes)
        music = music and self.total > 0
        sources = tuple(sources) if sources is not None else tuple(object() for _ in scenes)
        if previous is not None and previous.fits(scenes, rate, seed, music):  # (then one source a scene, as here)
            ground = previous
            dirty = [_differing(ground.narration, first, read(i))
                     for i, ((first, _), new, old) in enumerate(zip(scenes, sources, previous.sources)) if new != old]
            dirty = [span for span in dirty if span is not None]
        else:
            dirty = [(0, self.total)] if scenes else []
            narration = np.concatenate([read(i) for i in range(len(scenes))]) if scenes else np.zeros((0, 2), np.float32)
            ground = MixGround(tuple(scenes), rate, seed, sources, narration, [LoudnessPart(np.zeros(0, np.int64), np.zeros((2, 0)))] * len(scenes))
            if music:
                ground.chords = chords_for(self.scenes, rate)
                ground.bed = make_bed(ground.chords, self.total, rate, seed)
                ground.music = np.empty_like(ground.bed)
                ground.effects_duck = np.empty(self.total, np.float32)
                frames = self.total // round(ducking.FRAME_S * rate)
                ground.voiced = np.zeros(frames, bool)
                ground.amounts = (np.zeros(frames), np.zeros(frames))
        ground.sources = sources
        self.changed: tuple[int, int] | None = None  # the samples whose narration or music changed
        if dirty:
            self.changed = self._remake(ground, min(lo for lo, _ in dirty), max(hi for _, hi in dirty))
        self.ground = ground
        self.narration, self.music = ground.narration, ground.music
        loudness = combined_loudness(ground.parts, self.total, rate) if self.total else float("-inf")
        self.gain = 10.0 ** (gain_step(TARGET_LUFS - loudness) / 20.0) if np.isfinite(loudness) else 1.0
        self._events: list[tuple[Effect, int, int]] = []  # (effect, moment, floor) of the scenes' effects

    @property
    def has_music(self) -> bool:
        return self.music is not None

    def add_scene_events(self, scene_index: int, events: tuple[SoundEvent, ...], fps: int) -> None:
        """The effects a scene's render marked, at its place in the video (before its block is
        asked for). Left out without music."""
        if self.music is None:
            return
        first, _ = self.scenes[scene_index]
        reveals = 0
        for event in sorted(events):
            moment = first + event.frame * self.rate // fps
            self._events.append((effect(event.name, self.rate, index=reveals), moment, first))
            reveals += event.name == "reveal"

    def effects_differ(self, scene_index: int, these: tuple[SoundEvent, ...], those: tuple[SoundEvent, ...],
                       fps: int) -> tuple[int, int] | None:
        """The samples where scene `scene_index`'s effects `these` and `those` may sound different
        (None: the same effects): from the first that differs on (a reveal's sound depends on
        how many came before it in its scene), each from its start to its end, in both."""
        a, b = sorted(these), sorted(those)
        same = 0
        while same < min(len(a), len(b)) and a[same] == b[same]:
            same += 1
        first, _ = self.scenes[scene_index]
        spans = []
        for events in (a, b):
            reveals = sum(e.name == "reveal" for e in events[:same])
            for event in events[same:]:
                sound = effect(event.name, self.rate, index=reveals)
                reveals += event.name == "reveal"
                begins = first + event.frame * self.rate // fps - sound.pre_roll  # (as add_scene_events places it)
                spans.append((max(begins, first), min(self.total, begins + len(sound.samples))))
        if not spans:
            return None
        return min(lo for lo, _ in spans), max(hi for _, hi in spans)

    def clear_events(self) -> None:
        """Forget the scenes' effects (to mix again with others)."""
        self._events.clear()

    def block(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray | None]:
        """(narration, music) of samples [start, end) with the mix's gain, float32 (n, 2)."""
        narration = self.narration[start:end] * np.float32(self.gain)
        if self.music is None:
            return narration, None
        music = self.music[start:end].copy()
        for sound, moment, floor in self._events:
            _place(music, start, end, sound, moment, floor, self.ground.effects_duck, self.total, self.rate)
        music *= np.float32(self.gain)
        return narration, music

    def _remake(self, ground: MixGround, lo: int, hi: int) -> tuple[int, int]:
        """Make again what the narration of samples [lo, hi) reaches; the samples remade."""
        rate, total = self.rate, self.total
        dirty = (lo, hi)
        if ground.music is not None:
            size = round(ducking.FRAME_S * rate)
            frames = len(ground.voiced)
            k0, k1 = lo // size, min(frames, -(-hi // size))
            ground.voiced[k0:k1] = ducking.voice_frames(ground.narration[k0 * size : k1 * size], rate)
            # the frames whose duck may change, and the voice frames that decide them
            a0, a1 = max(0, k0 - ducking.REACH_BEFORE), min(frames, k1 + ducking.REACH_AFTER)
            w0, w1 = max(0, a0 - ducking.REACH_AFTER), min(frames, a1 + ducking.REACH_BEFORE)
            for amounts, hold_release in zip(ground.amounts, ((), (ducking.EFFECTS_HOLD_S, ducking.EFFECTS_RELEASE_S))):
                amounts[a0:a1] = ducking.duck_amount(ground.voiced[w0:w1], *hold_release)[a0 - w0 : a1 - w0]
            # the samples between the changed frames' neighbours' centres
            s0, s1 = (0 if a0 == 0 else (a0 - 1) * size), (total if a1 >= frames else min(total, (a1 + 1) * size))
            ground.music[s0:s1] = ground.bed[s0:s1] * ducking.gains(ground.amounts[0], total, rate, span=(s0, s1))[:, None]
            ground.effects_duck[s0:s1] = ducking.gains(ground.amounts[1], total, rate, span=(s0, s1))
            for first, _ in self.scenes[1:]:  # a soft swell into every scene change
                root = chord_at(ground.chords, first).chord.bass
                _place(ground.music[s0:s1], s0, s1, effect("transition", rate, root=root), first, 0,
                       ground.effects_duck, total, rate)
            dirty = (min(lo, s0), max(hi, s1))
        settle = round(SETTLE_S * rate)
        for i, (first, length) in enumerate(self.scenes):
            if first - settle < dirty[1] and first + length > dirty[0]:
                ground.parts[i] = loudness_part(self._sum(ground, first, first + length), rate, first,
                                                self._sum(ground, max(0, first - settle), first))
        return dirty

    @staticmethod
    def _sum(ground: MixGround, start: int, end: int) -> np.ndarray:
        part = ground.narration[start:end]
        return part if ground.music is None else part + ground.music[start:end]


def _differing(narration: np.ndarray, first: int, new: np.ndarray) -> tuple[int, int] | None:
    """Write a scene's new narration (starting at sample `first`) over the old; the samples
    [lo, hi) that differ, None if none does (a reworded line changes its own few seconds: its
    scene's track keeps the rest, narration/mixing.py GAIN_STEP_DB)."""
    old = narration[first : first + len(new)]
    differ = np.flatnonzero((old != new).any(axis=1))
    if not len(differ):
        return None
    lo, hi = int(differ[0]), int(differ[-1]) + 1
    old[lo:hi] = new[lo:hi]
    return first + lo, first + hi


def _place(target: np.ndarray, lo: int, hi: int, sound: Effect, moment: int, floor: int, duck: np.ndarray,
           total: int, rate: int) -> None:
    """Add the part of `sound` (marking sample `moment`, cut before `floor`) that falls in
    samples [lo, hi) of the video into `target`, which holds those samples."""
    level = 10.0 ** (EFFECT_LEVEL_DB[sound.name] / 20.0)
    start = max(moment - sound.pre_roll, floor)
    end = min(total, moment - sound.pre_roll + len(sound.samples))
    a, b = max(start, lo), min(end, hi)
    if b <= a:
        return
    gain = level * duck[a:b] * master_gain(np.arange(a, b), total, rate)
    first = a - (moment - sound.pre_roll)
    target[a - lo : b - lo] += sound.samples[first : first + b - a] * gain[:, None].astype(np.float32)
