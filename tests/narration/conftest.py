import numpy as np
import pytest

from diffusion_explainer.narration.audio_files import write_wav

from .signals import SHORT_LINES


@pytest.fixture(scope="session", autouse=True)
def speech_cache(tmp_path_factory):
    """One fresh cache for the session: real synthesis happens once per line, and nothing is
    written into the work tree's build/."""
    cache = tmp_path_factory.mktemp("narration-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIFFUSION_EXPLAINER_CACHE", str(cache))
        patch.delenv("DIFFUSION_EXPLAINER_SILENT", raising=False)
        yield cache / "speech"


@pytest.fixture(scope="session")
def real_speech(speech_cache):
    """The short lines synthesised for real with each character's voice (the first call)."""
    from diffusion_explainer.narration import synthesize

    return {voice: synthesize(text, voice) for voice, text in SHORT_LINES.items()}


@pytest.fixture
def write_clip(tmp_path):
    def write(name: str, samples: np.ndarray, rate: int = 24000):
        return write_wav(tmp_path / f"{name}.wav", samples, rate)

    return write
