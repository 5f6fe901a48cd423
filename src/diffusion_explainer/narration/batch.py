"""Synthesising a whole screenplay: cached lines are answered at once, the rest are shared
between worker processes, and each finished line is reported on stderr."""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TextIO

from ..core.orphans import exit_with_parent
from .engines import get_engine, prepare_kokoro
from .readings import normalise_reading
from .silent_mode import silent_mode
from .speech import Speech, cached_speech, synthesize


@dataclass(frozen=True)
class SpeechRequest:
    text: str  # the reading
    voice: str
    speed: float = 1.0
    engine: str = "kokoro"


def synthesize_many(
    requests: Iterable[SpeechRequest],
    jobs: int = 2,
    *,
    silent: bool | None = None,
    progress: TextIO | None = sys.stderr,
) -> list[Speech]:
    """The speech of every request, in the requests' order, using up to `jobs` processes.

    Progress lines look like `speech 12/50   3.4 s synthesised jm_kumo まず「前方過程」…`.
    """
    requests = list(requests)
    results: list[Speech | None] = [None] * len(requests)
    report = _Reporter(len(requests), progress)
    pending = []
    for i, request in enumerate(requests):
        # Answered in this process: a cache hit costs a file check, silent mode an estimate.
        speech = _cached_or_silent(request, silent)
        if speech is None:
            pending.append(i)
        else:
            results[i] = speech
            report(request, speech, 0.0)

    workers = min(jobs, len(pending))
    if workers <= 1:
        for i in pending:
            results[i], seconds = _timed_synthesis(requests[i])
            report(requests[i], results[i], seconds)
    else:
        # spawn, not fork: a forked copy of a process that has ONNX Runtime's threads can hang.
        context = multiprocessing.get_context("spawn")
        engines = sorted({requests[i].engine for i in pending})
        if any(name.startswith("kokoro") for name in engines):
            prepare_kokoro()  # once, here, before the workers would race to assemble it
        # each worker loads the engines it will use, with one inference thread (the workers share the cores)
        warm_up = {"initializer": exit_with_parent, "initargs": (_load_engines, tuple(engines))}
        with ProcessPoolExecutor(workers, mp_context=context, **warm_up) as pool:
            futures = {pool.submit(_timed_synthesis, requests[i]): i for i in pending}
            for future in as_completed(futures):
                i = futures[future]
                results[i], seconds = future.result()
                report(requests[i], results[i], seconds)
    report.finish()
    return results  # type: ignore[return-value]


def _load_engines(names: tuple[str, ...]) -> None:
    for name in names:
        engine = get_engine(name)
        if engine.load is not None:
            engine.load(1)


def _cached_or_silent(request: SpeechRequest, silent: bool | None) -> Speech | None:
    if silent_mode(silent):
        return synthesize(request.text, request.voice, request.speed, request.engine, silent=True)
    return cached_speech(request.text, request.voice, request.speed, request.engine)


def _timed_synthesis(request: SpeechRequest) -> tuple[Speech, float]:
    start = time.perf_counter()
    speech = synthesize(request.text, request.voice, request.speed, request.engine, silent=False)
    return speech, time.perf_counter() - start


class _Reporter:
    def __init__(self, total: int, stream: TextIO | None):
        self.total, self.stream, self.done = total, stream, 0
        self.start = time.perf_counter()
        self.synthesised = 0

    def __call__(self, request: SpeechRequest, speech: Speech, seconds: float) -> None:
        self.done += 1
        self.synthesised += not (speech.cached or speech.silent)
        how = "silent" if speech.silent else "cached" if speech.cached else "synthesised"
        self._print(f"speech {self.done}/{self.total} {seconds:6.1f} s {how:<11} {request.voice} {normalise_reading(request.text)[:24]}")

    def finish(self) -> None:
        elapsed = time.perf_counter() - self.start
        self._print(f"speech: {self.total} lines, {self.synthesised} synthesised, {elapsed:.1f} s")

    def _print(self, message: str) -> None:
        if self.stream is not None:
            print(message, file=self.stream, flush=True)
