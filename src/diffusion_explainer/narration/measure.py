"""Synthesise every line of the screenplay and report the engine's speaking rates, the time it
took and how far the silent-mode estimate is from the real lengths.

    python -m diffusion_explainer.narration.measure [screenplay.yaml] [--jobs 2]

Point DIFFUSION_EXPLAINER_CACHE at an empty folder to time a synthesis from scratch.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from ..screenplay import load_screenplay
from .batch import SpeechRequest, synthesize_many
from .readings import normalise_reading
from .silent_mode import estimate_duration, estimate_morae


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("screenplay", nargs="?")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    screenplay = load_screenplay(args.screenplay)
    lines = [line for scene in screenplay.scenes for line in scene.lines]
    requests = [SpeechRequest(line.reading, screenplay.character(line.speaker).voice) for line in lines]
    start = time.perf_counter()
    speeches = synthesize_many(requests, jobs=args.jobs)
    elapsed = time.perf_counter() - start

    by_voice = defaultdict(list)
    for request, speech in zip(requests, speeches):
        by_voice[request.voice].append((normalise_reading(request.text), speech.duration_s))
    print(f"{len(lines)} lines, {sum(len(r.text) for r in requests)} characters, {elapsed:.1f} s with {args.jobs} jobs")
    print("voice     lines  chars  audio_s  chars/s  morae/s  estimate error: mean  worst")
    for voice, items in sorted(by_voice.items()):
        chars = sum(len(reading) for reading, _ in items)
        audio = sum(seconds for _, seconds in items)
        morae = sum(estimate_morae(reading) for reading, _ in items)
        errors = [estimate_duration(reading, voice) / seconds - 1 for reading, seconds in items]
        print(
            f"{voice:<9} {len(items):5} {chars:6} {audio:8.1f} {chars / audio:8.2f} {morae / audio:8.2f}"
            f"  {100 * sum(errors) / len(errors):+19.1f}% {100 * max(errors, key=abs):+5.1f}%"
        )


if __name__ == "__main__":
    main()
