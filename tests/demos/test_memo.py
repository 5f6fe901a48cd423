"""Demo results kept in the cache's store: computed once, read back by the next process, and
computed again (the same result) when their entry is damaged."""

import logging

import numpy as np

from diffusion_explainer.core.runtime import CACHE_ENV
from diffusion_explainer.demos.memo import on_disk

computed = []


@on_disk
def squares(n: int) -> np.ndarray:
    computed.append(n)
    return np.arange(n) ** 2


def test_a_result_is_computed_once_and_a_damaged_one_again(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    computed.clear()
    squares.cache_clear()
    first = squares(1000)
    squares.cache_clear()  # as a new process would: only the disk remembers
    assert np.array_equal(squares(1000), first) and computed == [1000]

    (entry,) = (tmp_path / "demos").glob("squares-*.blob")
    size = entry.stat().st_size
    with open(entry, "r+b") as f:
        f.truncate(size - 100)
    squares.cache_clear()
    with caplog.at_level(logging.WARNING, logger="diffusion_explainer.cache"):
        again = squares(1000)
    assert np.array_equal(again, first) and computed == [1000, 1000]
    assert [r.getMessage() for r in caplog.records] == [
        f"cache: demos/{entry.stem} was damaged (size {size - 100:,} of {size:,} bytes); made again"]
    assert entry.stat().st_size == size  # kept again
