"""Command line: `python -m diffusion_explainer.engine train [--force]` and `... bench`.

train  makes every trained artefact the video uses (or confirms they are cached), printing
       progress to stderr; --force retrains and replaces them.
bench  prints the training time of each model (as recorded when it was trained; --retrain
       measures it afresh in a temporary cache) and the wall time of DDPM-1000 against DDIM-50
       for 16 pictures, with their ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

from . import artefacts, models
from .sampling import sample_ddim, sample_ddpm


def _train(args) -> int:
    start = time.perf_counter()
    trained = models.load_or_train_all(progress=True, force=args.force)
    for name, model in trained.items():
        state = "trained" if model.meta["trained_now"] else "cached"
        print(f"{name} model: {state}, {model.meta['path']}")
    print(f"done in {time.perf_counter() - start:.1f}s")
    return 0


def _time_sampler(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _bench(args) -> int:
    if args.retrain:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ[artefacts.CACHE_ENV] = tmp
            models._loaded.clear()
            trained = models.load_or_train_all(progress=False)
            os.environ.pop(artefacts.CACHE_ENV)
            models._loaded.clear()
    else:
        trained = models.load_or_train_all(progress=True)
    total = 0.0
    print("training time (wall, one BLAS thread):")
    for name, model in trained.items():
        for part, seconds in model.meta["seconds"].items():
            total += seconds
            print(f"  {name} {part:<12} {seconds:8.1f} s")
    print(f"  all training     {total:8.1f} s")
    n = args.pictures
    ids = np.arange(n) % 5
    print(f"sampling {n} pictures (best of 3, guidance 3, class-conditional):")
    for name, model in trained.items():
        ddpm = _time_sampler(lambda: sample_ddpm(model, n, ids, 3.0, seed=0, record_steps=()))
        ddim = _time_sampler(lambda: sample_ddim(model, n, ids, 3.0, seed=0, num_steps=50,
                                                 record_steps=()))
        print(f"  {name}: DDPM-1000 {ddpm:.3f} s   DDIM-50 {ddim:.3f} s   "
              f"DDPM/DDIM {ddpm / ddim:.1f}x")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m diffusion_explainer.engine",
                                     description="The toy diffusion engine of the video.")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="make (or confirm cached) every trained artefact")
    train.add_argument("--force", action="store_true", help="retrain and replace the cache")
    bench = sub.add_parser("bench", help="training and sampling times")
    bench.add_argument("--retrain", action="store_true",
                       help="measure training afresh in a temporary cache")
    bench.add_argument("--pictures", type=int, default=16)
    args = parser.parse_args(argv)
    return {"train": _train, "bench": _bench}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
