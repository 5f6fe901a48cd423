"""A render loads its speech model in a thread of its own while it imports and checks
(narration.engines.preload): the first synthesis waits for that load, once; a load that fails
is left for the synthesis to meet and report."""

import threading
from dataclasses import replace

from diffusion_explainer.narration import engines


def test_the_first_synthesis_waits_for_the_model_being_loaded(monkeypatch):
    started, release, loads = threading.Event(), threading.Event(), []

    def load(threads):
        started.set()
        assert release.wait(30)
        loads.append(threads)

    monkeypatch.setitem(engines.ENGINES, "kokoro", replace(engines.ENGINES["kokoro"], load=load))
    monkeypatch.setattr(engines, "_preloads", {})
    engines.preload("kokoro")
    engines.preload("kokoro")  # asked twice: loaded once
    assert started.wait(30)
    seen = []  # what the synthesis finds loaded once it goes on

    def synthesis():
        engines._preloaded("kokoro")
        seen.append(list(loads))

    waiting = threading.Thread(target=synthesis)
    waiting.start()
    assert not loads  # (the load cannot end before it is released)
    release.set()
    waiting.join(30)
    assert not waiting.is_alive() and seen == [[None]]


def test_a_load_that_fails_is_left_for_the_synthesis_to_report(monkeypatch):
    def load(threads):
        raise RuntimeError("the model file is damaged")

    monkeypatch.setitem(engines.ENGINES, "kokoro", replace(engines.ENGINES["kokoro"], load=load))
    monkeypatch.setattr(engines, "_preloads", {})
    engines.preload("kokoro")
    engines._preloaded("kokoro")  # returns: nothing raised in the loading thread reaches here
    assert not engines._preloads["kokoro"].is_alive()


def test_an_engine_without_a_model_to_load_starts_no_thread(monkeypatch):
    monkeypatch.setattr(engines, "_preloads", {})
    engines.preload("openjtalk")
    assert engines._preloads == {}
