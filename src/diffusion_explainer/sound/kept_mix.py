"""The last mix's ground kept on disk, so that the next `render` patches it instead of mixing
ten minutes of sound from nothing.

A mix's ground (mixdown.MixGround: the video's narration, its ducked music, the effects' duck,
each scene's loudness) takes about 4.5 CPU-s to make from the narration tracks on the 2-core
machine: the tracks read, the voice found, the bed multiplied under its duck, the loudness of
every scene measured. The studio keeps it in memory from one edit to the next. Made again from
the tracks in a new `render` process, in the background while the speech is made, it competes
with the speech and the scene job for the two cores and is not done when the soundtrack needs it
(measured on a late s05 edit at 480p15: ready 4 s after the job started).

So `render` keeps the ground of the soundtrack it encoded in the cache's store (GROUNDS_DIR: its
three long arrays as .npy files and the rest pickled, about 575 MB for ten minutes, the newest
KEEP_GROUNDS kept), while it joins the video; the next `render` finds it under the layout of the
scenes it last joined (the same key as the manifest's record gives) and maps its arrays back
copy-on-write: pages are read as the mix reads them and copied only where a patch writes. The
store checks every file's sha256 on the way (about 0.5 CPU-s), so a damaged ground is made again
instead of patched. The bed is not kept twice: it comes from the beds store, as for any mix.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..core.keys import digest
from ..core.store import Store
from ..media.join import ScenePiece
from ..media.probe import AUDIO_RATE
from .aac_segments import FinishedSegments
from .mixdown import SEED, MixGround
from .soundtrack import SEGMENTS_DIR, LastEncode, Recalled, bed_maker, mix_ground, mix_layout, mixing_code_digest

GROUNDS_DIR = "grounds"
KEEP_GROUNDS = 1
VERSION = 1
ARRAYS = ("narration", "music", "effects_duck")  # each an .npy file; the rest of the ground is pickled
REST_NAME = "ground.pkl"


def ground_key(scenes: Sequence[tuple[int, int]], rate: int, seed: int, music: bool) -> str:
    """What a ground is kept under: the layout it fits (mixdown.MixGround.fits) and the code that
    mixed it. Which narration it holds is in the ground (its sources): a mix patches where they
    differ from its own."""
    return digest([VERSION, [list(s) for s in scenes], rate, seed, music, mixing_code_digest()])


def keep_ground(ground: MixGround, cache_dir: Path, encoded: LastEncode | None = None) -> Path:
    """Put `ground` in the store of `cache_dir` (the soundtracks' folder); its entry. `encoded`: the
    encode of the mix it is the ground of (its segments' keys, effects and gain are kept with it)."""
    store = Store(cache_dir / GROUNDS_DIR, keep=KEEP_GROUNDS)
    rest = {name: getattr(ground, name) for name in ("scenes", "rate", "seed", "parts", "chords", "voiced", "amounts")}
    rest["sources"] = tuple(None if s is None else str(s) for s in ground.sources)
    rest["arrays"] = [name for name in ARRAYS if getattr(ground, name) is not None]
    rest["encode"] = None if encoded is None else {
        "segments": FinishedSegments.record(encoded.encoder), "events": dict(encoded.events), "gain": encoded.gain}
    with store.making() as work:
        for name in rest["arrays"]:
            np.save(work / f"{name}.npy", getattr(ground, name))
        (work / REST_NAME).write_bytes(pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL))
        entry = store.put_files(ground_key(ground.scenes, ground.rate, ground.seed, ground.music is not None), work)
    store.prune()
    return entry


def kept_ground(scenes: Sequence[tuple[int, int]], rate: int, seed: int, music: bool, cache_dir: Path) -> MixGround | None:
    """The ground kept for this layout, its arrays mapped copy-on-write; None if there is none,
    or it is damaged (the store removes it and says so) or unreadable."""
    read = _read(scenes, rate, seed, music, cache_dir)
    return None if read is None else read[0]


def recall(scenes: Sequence[tuple[int, int]], rate: int, seed: int, music: bool, cache_dir: Path) -> Recalled | None:
    """kept_ground, with the encode of its mix if it was kept and its segments are still in the
    cache (the next mix takes them over where nothing changed)."""
    read = _read(scenes, rate, seed, music, cache_dir)
    if read is None:
        return None
    ground, kept_encode = read
    encoded = None
    if kept_encode is not None:
        segments = FinishedSegments.recalled(kept_encode["segments"], cache_dir / SEGMENTS_DIR)
        if segments is not None:
            encoded = LastEncode(segments, dict(kept_encode["events"]), kept_encode["gain"])
    return Recalled(ground, encoded)


def _read(scenes: Sequence[tuple[int, int]], rate: int, seed: int, music: bool,
          cache_dir: Path) -> tuple[MixGround, dict | None] | None:
    """The kept ground and the record of its encode (segments not read: kept_ground needs none)."""
    store = Store(cache_dir / GROUNDS_DIR, keep=KEEP_GROUNDS)
    key = ground_key(scenes, rate, seed, music)
    entry = store.entry_dir(key)
    if entry is None:
        return None
    try:
        rest = pickle.loads((entry / REST_NAME).read_bytes())
        arrays = {name: np.load(entry / f"{name}.npy", mmap_mode="c") for name in rest["arrays"]}
        ground = MixGround(tuple(tuple(s) for s in rest["scenes"]), rest["rate"], rest["seed"],
                           tuple(None if s is None else Path(s) for s in rest["sources"]), arrays["narration"],
                           rest["parts"], rest["chords"], music=arrays.get("music"),
                           effects_duck=arrays.get("effects_duck"), voiced=rest["voiced"], amounts=rest["amounts"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, pickle.UnpicklingError) as e:
        store.discard(key, f"unreadable ({type(e).__name__})")
        return None
    if not ground.fits(scenes, rate, seed, music) or len(ground.narration) != sum(n for _, n in scenes):
        store.discard(key, "not the layout it is kept under")
        return None
    if ground.music is not None:
        ground.bed = bed_maker(cache_dir)(ground.chords, len(ground.narration), rate, seed)
    return ground, rest.get("encode")


def recalled_ground(pieces: list[ScenePiece], fps: int, cache_dir: Path, music: bool) -> MixGround | Recalled:
    """The ground of these scenes' mix, for the studio's memory (soundtrack.MixMemory: its first
    preview was found in the cache, never mixed): the ground kept on disk for their layout with
    the encode of its mix (about 1.3 CPU-s: its files checked and the bed read; the next mix
    patches it where a scene's narration differs and takes the encode's segments over where
    nothing changed), else mixed from the narration tracks (about 4.5 CPU-s, which a first edit
    then waited for or shared the cores with). The studio keeps its ground on disk as it stops
    (keep_ground_unless_recalled), so that the next studio or render of this layout recalls it."""
    places, has_music = mix_layout(pieces, fps, music)
    return recall(places, AUDIO_RATE, SEED, has_music, cache_dir) or mix_ground(pieces, fps, cache_dir, music)


def keep_ground_unless_recalled(ground: MixGround, cache_dir: Path, encoded: LastEncode | None = None) -> None:
    """Keep `ground` on disk (the studio's, as it stops: about 1.5 s for ten minutes), unless it was
    read back from there: its arrays are then mapped from the kept files, and its sources say how to
    patch them. A ground that cannot be written (a full disk) is only not kept."""
    if isinstance(ground.narration, np.memmap):
        return
    with contextlib.suppress(OSError):
        keep_ground(ground, cache_dir, encoded)
