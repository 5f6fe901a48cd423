"""Lines and signals the narration tests share."""

import numpy as np

SHORT_LINES = {  # one short line per character, as the screenplay gives them
    "jm_kumo": "そう。少しずつ戻していくんだ。",
    "jf_alpha": "え、逆？ 元に戻すってこと？",
}


def speech_like_clip(seconds: float, rate: int = 24000, seed: int = 0) -> np.ndarray:
    """A buzz shaped into syllables (3 per second, dipping 26 dB between them): a stand-in for
    speech where a test needs onsets it knows exactly."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(seconds * rate)) / rate
    syllables = np.clip(np.sin(2 * np.pi * 3.0 * t), 0, None) ** 0.5 + 0.05
    carrier = np.sin(2 * np.pi * 180 * t) + 0.3 * rng.standard_normal(len(t))
    return 0.2 * syllables * carrier
