"""The video's two trained diffusion models, loaded from the cache or trained on first use.

- pixel model: diffusion directly on 16x16x3 pictures (Scenes 04-05: training, sampling step by
  step). 16x16 is the smallest size at which its cats, sunsets and seas read at a glance (at 8x8
  a generated cat in a sunset is an orange smear); the input skip of the network (`network.py`)
  lets hidden layers narrower than the picture learn it in about two CPU-minutes.
- latent model: a 64x64x3 picture is encoded to an 8x8x4 latent, diffusion runs on latents, and
  the decoder turns the result back into a picture (Scenes 06-08: the "cat in a sunset").

Both models behave like their denoiser (predict_eps, predict_eps_guided, picture_shape,
value_range), so `sample_ddpm(model, ...)` works on either; a latent model's samples are latents
and `model.to_pictures` turns any sampler output into pictures to show.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field

import numpy as np

from ..core.orphans import exit_with_parent
from . import artefacts, pictures
from .autoencoder import TILE, AutoencoderConfig, PatchAutoencoder
from .blas import one_blas_thread
from .network import Denoiser, NetworkShape
from .training import TrainingConfig, train_denoiser


@dataclass(frozen=True)
class PixelModelConfig:
    picture_size: int = 16
    pictures_per_class: int = 128
    data_seed: int = 0
    # Measured on the 2-core machine, 4000 iterations, one BLAS thread: width 384 with the input
    # skip, 125 CPU-s, loss 0.024, samples as near the training pictures as held-out real ones;
    # width 512, 197 CPU-s, loss 0.022, no better to the eye or by the metrics. Without the skip
    # the hidden layers must be at least as wide as the picture (768 values): 2-3x the time.
    width: int = 384
    blocks: int = 3
    time_dim: int = 64
    cond_dim: int = 64
    input_skip: bool = True
    training: TrainingConfig = TrainingConfig(
        iterations=4000, learning_rate=3e-3, null_class_probability=0.2,
        snapshot_iterations=(250, 1000, 2000))


@dataclass(frozen=True)
class LatentModelConfig:
    picture_size: int = 64
    pictures_per_class: int = 128
    data_seed: int = 1
    autoencoder: AutoencoderConfig = AutoencoderConfig()
    width: int = 384
    blocks: int = 3
    time_dim: int = 64
    cond_dim: int = 64
    training: TrainingConfig = TrainingConfig(
        iterations=3000, learning_rate=2e-3, null_class_probability=0.2, seed=1)


def _shape(config, data_dim: int) -> NetworkShape:
    return NetworkShape(data_dim=data_dim, num_classes=pictures.NUM_CLASSES, width=config.width,
                        blocks=config.blocks, time_dim=config.time_dim, cond_dim=config.cond_dim,
                        input_skip=getattr(config, "input_skip", False))


@dataclass
class DiffusionModel:
    denoiser: Denoiser  # the weight-averaged network the samplers use
    images: np.ndarray  # the training pictures (N, H, W, 3) in [-1, 1]
    labels: np.ndarray  # their class ids
    losses: np.ndarray  # training loss per iteration
    snapshots: dict = field(default_factory=dict)  # iteration -> Denoiser part-way through
    meta: dict = field(default_factory=dict)  # config, timings

    # Behave like the denoiser, so samplers take the model itself.
    def predict_eps(self, x_t, t, class_id=None):
        return self.denoiser.predict_eps(x_t, t, class_id)

    def predict_eps_guided(self, x_t, t, class_id, guidance):
        return self.denoiser.predict_eps_guided(x_t, t, class_id, guidance)

    @property
    def picture_shape(self):
        return self.denoiser.picture_shape

    @property
    def value_range(self):
        return self.denoiser.value_range

    def training_log(self) -> np.ndarray:
        """Loss per training iteration (for the loss curve of Scene 04)."""
        return self.losses

    def to_pictures(self, x: np.ndarray) -> np.ndarray:
        """Sampler output -> pictures in [-1, 1] to show."""
        return np.clip(x, -1.0, 1.0)


@dataclass
class LatentDiffusionModel(DiffusionModel):
    autoencoder: PatchAutoencoder | None = None

    def encode(self, images: np.ndarray) -> np.ndarray:
        """(N, 64, 64, 3) pictures -> (N, 8, 8, 4) latents."""
        return self.autoencoder.encode(images)

    def decode(self, latents: np.ndarray) -> np.ndarray:
        """(N, 8, 8, 4) latents -> (N, 64, 64, 3) pictures (not clipped)."""
        return self.autoencoder.decode(latents)

    def to_pictures(self, x: np.ndarray) -> np.ndarray:
        return np.clip(self.decode(x), -1.0, 1.0)


class _Stopwatch:
    """Wall and CPU seconds of each part of a training run (CPU time does not count waiting
    for other processes on a busy machine, so it is the fairer measure of the work)."""

    def __init__(self):
        self.wall, self.cpu = {}, {}

    def time(self, part, fn, *args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn(*args, **kwargs)
        self.wall[part] = round(time.perf_counter() - wall, 2)
        self.cpu[part] = round(time.process_time() - cpu, 2)
        return result

    def meta(self) -> dict:
        return {"seconds": self.wall, "cpu_seconds": self.cpu}


def _train_pixel(config: PixelModelConfig, progress: bool) -> artefacts.Artefact:
    with one_blas_thread():  # also around the data and PCA steps: bits must not depend on threads
        return _train_pixel_single_threaded(config, progress)


def _train_latent(config: LatentModelConfig, progress: bool) -> artefacts.Artefact:
    with one_blas_thread():
        return _train_latent_single_threaded(config, progress)


def _train_pixel_single_threaded(config: PixelModelConfig, progress: bool) -> artefacts.Artefact:
    images, labels = pictures.make_dataset(config.pictures_per_class, config.picture_size,
                                           config.data_seed)
    flat = images.reshape(len(images), -1)
    watch = _Stopwatch()
    result = watch.time("denoiser", train_denoiser, flat, labels, _shape(config, flat.shape[1]),
                        config.training, name="pixel model", progress=progress)
    weights = dict(result.params)
    for it, snap in result.snapshots.items():
        weights.update({f"snapshot{it}_{k}": v for k, v in snap.items()})
    return artefacts.Artefact(weights, {"loss": result.losses},
                              {"images": images, "labels": labels}, watch.meta())


def _train_latent_single_threaded(config: LatentModelConfig, progress: bool
                                  ) -> artefacts.Artefact:
    images, labels = pictures.make_dataset(config.pictures_per_class, config.picture_size,
                                           config.data_seed)
    watch = _Stopwatch()
    ae = watch.time("autoencoder", PatchAutoencoder.fit, images, config.autoencoder,
                    progress=progress)
    latents = ae.encode(images)
    flat = latents.reshape(len(latents), -1)
    result = watch.time("denoiser", train_denoiser, flat, labels, _shape(config, flat.shape[1]),
                        config.training, name="latent model", progress=progress)
    weights = {**result.params, **{f"ae_{k}": v for k, v in ae.arrays().items()},
               # where clean latents live, per channel: the samplers clip x0_hat to it
               "latent_min": latents.min(axis=(0, 1, 2)),
               "latent_max": latents.max(axis=(0, 1, 2))}
    return artefacts.Artefact(weights, {"loss": result.losses, "autoencoder_loss": ae.losses},
                              {"images": images, "labels": labels}, watch.meta())


def _split_weights(weights: dict):
    main, snapshots = {}, {}
    for k, v in weights.items():
        if k.startswith("snapshot"):
            it, name = k[len("snapshot"):].split("_", 1)
            snapshots.setdefault(int(it), {})[name] = v
        else:
            main[k] = v
    return main, snapshots


_loaded: dict = {}  # in-process memo: scenes ask for the same model many times


def forget_loaded() -> None:
    """Drop the in-process memo, so the next load reads the cache again."""
    _loaded.clear()


def load_pixel_model(config: PixelModelConfig = PixelModelConfig(), progress: bool = True,
                     force: bool = False) -> DiffusionModel:
    """The trained 16x16 pixel-space model; trains it (2-4 minutes) if the cache lacks it."""
    memo = ("pixel", config)
    if memo in _loaded and not force:
        return _loaded[memo]
    art = artefacts.load_or_build("pixel", config, lambda: _train_pixel(config, progress),
                                  force=force, progress=progress)
    images, labels = art.data["images"], art.data["labels"]
    shape = _shape(config, int(np.prod(images.shape[1:])))
    main, snaps = _split_weights(art.weights)
    model = DiffusionModel(
        Denoiser(shape, main, images.shape[1:]), images, labels, art.log["loss"],
        {it: Denoiser(shape, p, images.shape[1:]) for it, p in sorted(snaps.items())},
        {**art.meta, "trained_now": art.trained_now, "path": str(art.path)})
    _loaded[memo] = model
    return model


def load_latent_model(config: LatentModelConfig = LatentModelConfig(), progress: bool = True,
                      force: bool = False) -> LatentDiffusionModel:
    """The trained latent model with its autoencoder; trains both if the cache lacks them."""
    memo = ("latent", config)
    if memo in _loaded and not force:
        return _loaded[memo]
    art = artefacts.load_or_build("latent", config, lambda: _train_latent(config, progress),
                                  force=force, progress=progress)
    ae = PatchAutoencoder.from_arrays(
        {k[3:]: v for k, v in art.weights.items() if k.startswith("ae_")},
        art.log["autoencoder_loss"])
    weights = dict(art.weights)
    value_range = (weights.pop("latent_min"), weights.pop("latent_max"))
    params = {k: v for k, v in weights.items() if not k.startswith("ae_")}
    images, labels = art.data["images"], art.data["labels"]
    side = images.shape[1] // TILE
    latent_shape = (side, side, ae.latent_channels)
    shape = _shape(config, int(np.prod(latent_shape)))
    model = LatentDiffusionModel(
        Denoiser(shape, params, latent_shape, value_range), images, labels,
        art.log["loss"], {}, {**art.meta, "trained_now": art.trained_now, "path": str(art.path)},
        autoencoder=ae)
    _loaded[memo] = model
    return model


def _train_in_subprocess(name: str, progress: bool, force: bool) -> None:
    _LOADERS[name](progress=progress, force=force)


_LOADERS = {"pixel": load_pixel_model, "latent": load_latent_model}
DEFAULT_CONFIGS = {"pixel": PixelModelConfig(), "latent": LatentModelConfig()}


def load_or_train_all(progress: bool = True, force: bool = False, parallel: bool = True) -> dict:
    """Every model the video uses, trained if missing (what `... engine train` runs).

    Missing models train side by side in separate processes (one per core on this 2-core
    machine); each uses one BLAS thread, so the bits are the same as training them in turn.
    """
    missing = [name for name, config in DEFAULT_CONFIGS.items()
               if force or not artefacts.checked(artefacts.artefact_dir(name, config))]
    if parallel and len(missing) > 1:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked BLAS state
        with context.Pool(len(missing), initializer=exit_with_parent) as pool:
            pool.starmap(_train_in_subprocess, [(name, progress, force) for name in missing])
        for name in missing:  # forget models this process held before the retraining
            _loaded.pop((name, DEFAULT_CONFIGS[name]), None)
        trained = {name: loader(progress=progress) for name, loader in _LOADERS.items()}
        for name in missing:  # made during this call, by a worker (or by another process)
            trained[name].meta["trained_now"] = True
        return trained
    return {name: loader(progress=progress, force=force) for name, loader in _LOADERS.items()}


def artefact_dirs() -> list:
    """The folders of the models the video uses, where they are (or will be) cached."""
    return [artefacts.artefact_dir(name, config) for name, config in DEFAULT_CONFIGS.items()]


def all_trained() -> bool:
    """Whether every model is there and intact (a damaged one is removed, with one line saying so:
    the render then trains it before any scene starts)."""
    intact = [artefacts.checked(path) for path in artefact_dirs()]  # each one checked (and reported)
    return all(intact)


def recorded_digest() -> str:
    """What the scenes' frames depend on of the trained models: the digest of each one's numbers as
    recorded when it was trained (a model trained again to the same numbers keeps it; a damaged
    file does not change it: the damage is found, and mended, when the model is loaded)."""
    from ..core.keys import digest

    return digest({path.name: artefacts.recorded_digest(path) or "untrained" for path in artefact_dirs()})
