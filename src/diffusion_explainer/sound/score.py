"""The score: which chord the music bed plays when, from the scenes' places in the video.

The bed is a slow progression in F major on a soft pad. Each scene gets a mood: the first
(the title) a brighter opening, the last (the summary) a closing progression that comes home to
the tonic at the very end, every other scene a calm, darker explaining progression that starts
on a different chord from scene to scene, so a change of scene is also heard as one. Chords
change at every scene change and evenly within a scene, every `chord_s` seconds or so.

Positions are in samples of the output rate; everything here is plain arithmetic, so the same
scenes always give the same chords.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chord:
    name: str
    bass: int  # MIDI note
    pad: tuple[int, ...]  # MIDI notes, voiced close around middle C so that chords share tones


# F major, voiced so that neighbouring chords keep their common tones on the same notes (a common
# tone then carries on through a chord change instead of fading out and in again).
I = Chord("Fmaj9", 41, (57, 60, 64, 67))
VI = Chord("Dm9", 38, (57, 60, 64, 65))
IV = Chord("B♭maj9", 46, (57, 60, 62, 65))
V_SUS = Chord("Csus4(9)", 48, (55, 60, 62, 65))
V = Chord("C(add9)", 48, (55, 60, 62, 64))
III = Chord("Am7", 45, (55, 60, 64, 69))
II = Chord("Gm9", 43, (57, 58, 62, 65))
TONIC = I


@dataclass(frozen=True)
class Mood:
    name: str
    progression: tuple[Chord, ...]
    chord_s: float  # about how long one chord lasts
    level_db: float  # relative to the other moods
    rolloff: float  # harmonic n has amplitude n ** -rolloff: higher is darker and softer


OPENING = Mood("opening", (I, V_SUS, VI, IV), 6.0, 0.0, 1.7)
EXPLAINING = Mood("explaining", (I, VI, IV, V_SUS), 8.0, -1.5, 2.2)
# Read backwards from its last chord, which is the tonic: a scene of n chords plays the last n.
CLOSING = Mood("closing", (IV, V, III, VI, II, V_SUS, I), 6.5, 0.0, 1.9)


@dataclass(frozen=True)
class ScoredChord:
    chord: Chord
    mood: Mood
    start: int  # first sample
    end: int  # one past the last sample


def mood_of(index: int, count: int) -> Mood:
    """The first scene opens, the last closes, the others explain."""
    if index == 0 and count > 1:
        return OPENING
    if index == count - 1:
        return CLOSING
    return EXPLAINING


def chords_for(scenes: list[tuple[int, int]], rate: int) -> list[ScoredChord]:
    """The chords of scenes given as (first sample, samples) at `rate`, in time order."""
    chords: list[ScoredChord] = []
    for index, (start, length) in enumerate(scenes):
        mood = mood_of(index, len(scenes))
        count = max(1, round(length / rate / mood.chord_s))
        progression = mood.progression
        if mood is CLOSING:
            picks = [progression[(len(progression) - count + i) % len(progression)] for i in range(count)]
        else:  # each explaining scene starts one chord further on
            picks = [progression[(index + i) % len(progression)] for i in range(count)]
        cuts = [start + length * i // count for i in range(count + 1)]
        chords += [ScoredChord(chord, mood, a, b) for chord, a, b in zip(picks, cuts, cuts[1:])]
    return chords


def chord_at(chords: list[ScoredChord], sample: int) -> ScoredChord:
    """The chord playing at a sample (the last one after the end)."""
    for scored in chords:
        if scored.start <= sample < scored.end:
            return scored
    return chords[-1]
