"""Every line of a screenplay spoken with the real voices: the engine's speaking rates, the time
the synthesis took and how far the silent-mode estimate is from the real lengths.

`python -m diffusion_explainer speech-times [FILE] [--jobs N]` prints it; point
DIFFUSION_EXPLAINER_CACHE at an empty folder to time a synthesis from scratch.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ..screenplay import Screenplay
from .batch import SpeechRequest, synthesize_many
from .readings import normalise_reading
from .silent_mode import estimate_duration, estimate_morae


def speech_times(screenplay: Screenplay, jobs: int = 2) -> str:
    """A table per voice: lines, characters, seconds of audio, characters and morae per second,
    and the silent-mode estimate's mean and worst error against the real length."""
    lines = [line for scene in screenplay.scenes for line in scene.lines]
    requests = [SpeechRequest(line.reading, screenplay.character(line.speaker).voice) for line in lines]
    start = time.perf_counter()
    speeches = synthesize_many(requests, jobs=jobs)
    elapsed = time.perf_counter() - start

    by_voice = defaultdict(list)
    for request, speech in zip(requests, speeches):
        by_voice[request.voice].append((normalise_reading(request.text), speech.duration_s))
    rows = [f"{len(lines)} lines, {sum(len(r.text) for r in requests)} characters, {elapsed:.1f} s with {jobs} jobs",
            "voice     lines  chars  audio_s  chars/s  morae/s  estimate error: mean  worst"]
    for voice, items in sorted(by_voice.items()):
        chars = sum(len(reading) for reading, _ in items)
        audio = sum(seconds for _, seconds in items)
        morae = sum(estimate_morae(reading) for reading, _ in items)
        errors = [estimate_duration(reading, voice) / seconds - 1 for reading, seconds in items]
        rows.append(
            f"{voice:<9} {len(items):5} {chars:6} {audio:8.1f} {chars / audio:8.2f} {morae / audio:8.2f}"
            f"  {100 * sum(errors) / len(errors):+19.1f}% {100 * max(errors, key=abs):+5.1f}%"
        )
    return "\n".join(rows)
