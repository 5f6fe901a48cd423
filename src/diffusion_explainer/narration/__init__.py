"""Narration: the characters' lines as speech files, and one mixed, loudness-normalised track.

The render pipeline passes plain values (readings, voice ids, seconds) and gets files back:
- synthesize / synthesize_many: each line's speech, cached under build/cache/speech/
- unreadable_symbols / numbers_to_check: what a line needs a `say:` reading for
- estimate_duration / silent_mode: speech lengths without synthesising (silent drafts)
- mix_track / measure_loudness: the whole video's voice track at -16 LUFS, -1 dBTP
- voice_onsets: where speech starts in a track, to check the subtitles against it
"""

from .batch import SpeechRequest, synthesize_many
from .onsets import voice_onsets
from .readings import normalise_reading, numbers_to_check, unreadable_symbols
from .silent_mode import estimate_duration, silent_mode
from .speech import Speech, cached_speech, synthesis_count, synthesize

__all__ = [
    "Speech",
    "SpeechRequest",
    "cached_speech",
    "estimate_duration",
    "measure_loudness",
    "mix_track",
    "normalise_reading",
    "numbers_to_check",
    "silent_mode",
    "synthesis_count",
    "synthesize",
    "synthesize_many",
    "unreadable_symbols",
    "voice_onsets",
]


def __getattr__(name: str):
    """The mixing functions on first use: they need SciPy's signal module, about a second to
    import, which a scene process that only reads its plan never uses."""
    if name in ("measure_loudness", "mix_track"):
        from . import mixing

        return getattr(mixing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
