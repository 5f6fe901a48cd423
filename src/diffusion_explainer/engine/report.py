"""The engine's reports, printed: training (or confirming the cache), timings, quality numbers.

The command line (`cli.py`: `train`, `engine-bench`, `engine-metrics`) parses the options and calls
these; they print to stdout, and training prints its progress to stderr.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from . import artefacts, metrics, models, pictures
from .sampling import sample_ddim, sample_ddpm


def train_all(force: bool = False) -> None:
    """Make every trained artefact the video uses, or confirm it is cached; `force` retrains and
    replaces them."""
    start = time.perf_counter()
    trained = models.load_or_train_all(progress=True, force=force)
    for name, model in trained.items():
        state = "trained" if model.meta["trained_now"] else "cached"
        print(f"{name} model: {state}, {model.meta['path']}")
    print(f"done in {time.perf_counter() - start:.1f}s")


def _time_sampler(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _same_bits(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _retrain_in_temporary_cache() -> dict:
    """Train every model afresh without touching the real cache; say whether the bits match."""
    cached = {name: artefacts.artefact_dir(name, config)
              for name, config in models.DEFAULT_CONFIGS.items()}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ[artefacts.CACHE_ENV] = tmp
        models.forget_loaded()
        try:
            start = time.perf_counter()
            trained = models.load_or_train_all(progress=True)
            print(f"all training, wall: {time.perf_counter() - start:.1f} s "
                  "(the models side by side, one process each)")
            for name, config in models.DEFAULT_CONFIGS.items():
                if cached[name].is_dir():
                    fresh = artefacts.read(artefacts.artefact_dir(name, config)).weights
                    same = _same_bits(fresh, artefacts.read(cached[name]).weights)
                    print(f"{name}: retrained weights bit-identical to the cached artefact: "
                          f"{'yes' if same else 'NO'}")
        finally:
            os.environ.pop(artefacts.CACHE_ENV)
            models.forget_loaded()
    return trained


def print_timings(retrain: bool = False, n_pictures: int = 16, repeats: int = 3) -> None:
    """Each model's training time (as recorded when it was trained; `retrain` measures it afresh
    in a temporary cache) and the wall time of DDPM-1000 against DDIM-50 for `n_pictures`."""
    trained = _retrain_in_temporary_cache() if retrain else models.load_or_train_all()
    print("training time, wall (CPU) seconds, one BLAS thread per model:")
    for name, model in trained.items():
        cpu = model.meta.get("cpu_seconds", {})
        for part, seconds in model.meta["seconds"].items():
            print(f"  {name} {part:<12} {seconds:8.1f} s  ({cpu.get(part, float('nan')):.1f} s CPU)")
    ids = np.arange(n_pictures) % 5
    print(f"sampling {n_pictures} pictures (best of {repeats}, guidance 3, class-conditional):")
    for name, model in trained.items():
        ddpm = _time_sampler(lambda m=model: sample_ddpm(m, n_pictures, ids, 3.0, seed=0, record_steps=()), repeats)
        ddim = _time_sampler(lambda m=model: sample_ddim(m, n_pictures, ids, 3.0, seed=0, num_steps=50,
                                                         record_steps=()), repeats)
        print(f"  {name}: DDPM-1000 {ddpm:.3f} s   DDIM-50 {ddim:.3f} s   "
              f"DDPM/DDIM {ddpm / ddim:.1f}x")


def _fidelity(model, trajectory) -> float:
    return metrics.nearest_neighbour_rms(model.to_pictures(trajectory.samples), model.images).mean()


def _print_quality(name, model) -> None:
    size = model.images.shape[1]
    held_out, ids = pictures.make_dataset(16, size, seed=1234)
    noise = metrics.uniform_noise_like(held_out, seed=1)
    print(f"{name} model ({size}x{size}), mean RMS to the nearest training picture:")
    for label, images in (("held-out real pictures", held_out), ("uniform noise", noise)):
        print(f"  {label:<30} {metrics.nearest_neighbour_rms(images, model.images).mean():.3f}")
    runs = (("samples DDPM-1000, s=1", sample_ddpm, ids),
            ("samples DDIM-50, s=1", sample_ddim, ids),
            ("samples DDPM-1000, no prompt", sample_ddpm, None))
    for label, sampler, class_ids in runs:
        trajectory = sampler(model, len(ids), class_ids, 1.0, seed=11, record_steps=())
        print(f"  {label:<30} {_fidelity(model, trajectory):.3f}")
    if isinstance(model, models.LatentDiffusionModel):
        ae = model.autoencoder
        full = metrics.psnr(held_out, np.clip(ae.decode(ae.encode(held_out)), -1, 1))
        linear = metrics.psnr(held_out, np.clip(ae.decode_linear(ae.encode(held_out)), -1, 1))
        print(f"  autoencoder held-out PSNR {full:.1f} dB (its PCA part alone {linear:.1f} dB)")
    sweeps = [("", model)]
    if 1000 in model.snapshots:
        early = models.DiffusionModel(model.snapshots[1000], model.images, model.labels, model.losses)
        sweeps.append((" at iteration 1000", early))
    for label, m in sweeps:
        print(f"  guidance sweep{label} (DDIM-50, 16 per class): scale fidelity diversity accuracy")
        for p in metrics.guidance_sweep(m, (0.0, 1.0, 3.0, 7.0)):
            print(f"    {p.scale:4.1f}  {p.fidelity:.3f}  {p.diversity:.3f}  {p.accuracy:.2f}")


def print_quality() -> None:
    """The quality numbers the tests check and the video may quote: fidelity against held-out
    pictures and noise, the guidance sweep, the autoencoder's PSNR."""
    for name, model in models.load_or_train_all(progress=True).items():
        _print_quality(name, model)
