"""Scene 07 (latent diffusion): the toy autoencoder and the latent denoiser, in numbers and pictures.

- `sizes`: how many numbers a picture and its latent hold, for the toy (64x64x3 -> 8x8x4) and for
  Stable Diffusion v1 (512x512x3 -> 64x64x4): both 8x smaller per side, 48x fewer values.
- `encoding`: a picture the autoencoder never saw, its latent, and what the decoder makes of it,
  with the PSNR of the PCA inverse alone and of the learned decoder (and their means over a
  held-out set).
- `latent_noising`: the forward process run on that latent (what training does in latent space).
- `latent_generation`: one DDPM run of the latent denoiser from pure noise, each recorded latent
  and its decoding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import metrics, models, pictures, schedule
from ..engine.sampling import sample_ddpm
from .memo import on_disk
from .words import Words

PROMPT = Words("夕焼けの中を歩く猫")
GUIDANCE = 3.0
HELD_OUT_SEED = 99  # pictures drawn with this seed are not among the training pictures
GENERATION_SEED = 4
NOISING_STEPS = (0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000)
RECORD = tuple(range(1000, 400, -50)) + tuple(range(400, 0, -10)) + (0,)


def model() -> models.LatentDiffusionModel:
    return models.load_latent_model()


@dataclass(frozen=True)
class Size:
    height: int
    width: int
    channels: int

    @property
    def values(self) -> int:
        return self.height * self.width * self.channels

    def __str__(self) -> str:
        return f"{self.height}×{self.width}×{self.channels}"


@dataclass(frozen=True)
class Sizes:
    picture: Size
    latent: Size

    @property
    def side_factor(self) -> int:
        return self.picture.height // self.latent.height

    @property
    def value_factor(self) -> int:
        return self.picture.values // self.latent.values


def sizes() -> dict[str, Sizes]:
    """The toy's sizes, measured from the model, and Stable Diffusion v1's (Rombach et al. 2022)."""
    m = model()
    h, w, c = m.images.shape[1:]
    lh, lw, lc = m.picture_shape
    return {"toy": Sizes(Size(h, w, c), Size(lh, lw, lc)),
            "stable_diffusion": Sizes(Size(512, 512, 3), Size(64, 64, 4))}


@dataclass(frozen=True)
class Encoding:
    picture: np.ndarray  # (64, 64, 3) a picture of the prompt's kind the autoencoder never saw
    latent: np.ndarray  # (8, 8, 4)
    linear: np.ndarray  # the PCA inverse alone
    decoded: np.ndarray  # the learned decoder (PCA inverse plus its correction)
    psnr_linear: float  # of this picture
    psnr_decoded: float
    held_out_psnr_linear: float  # mean over held-out pictures of every kind
    held_out_psnr_decoded: float
    held_out_count: int


@on_disk
def encoding(seed: int = 3) -> Encoding:
    m = model()
    x = pictures.example(PROMPT, size=m.images.shape[1], seed=seed)
    z = m.encode(x[None])
    linear = np.clip(m.autoencoder.decode_linear(z), -1, 1)[0]
    decoded = m.to_pictures(z)[0]
    held_out, _ = pictures.make_dataset(8, m.images.shape[1], seed=HELD_OUT_SEED)
    zs = m.encode(held_out)
    lin_all = np.clip(m.autoencoder.decode_linear(zs), -1, 1)
    dec_all = m.to_pictures(zs)
    return Encoding(x, z[0], linear, decoded, metrics.psnr(x, linear), metrics.psnr(x, decoded),
                    float(np.mean([metrics.psnr(a, b) for a, b in zip(held_out, lin_all)])),
                    float(np.mean([metrics.psnr(a, b) for a, b in zip(held_out, dec_all)])), len(held_out))


@dataclass(frozen=True)
class LatentFilm:
    steps: tuple[int, ...]
    latents: np.ndarray  # (len(steps), 8, 8, 4)
    decoded: np.ndarray  # (len(steps), 64, 64, 3) each latent through the decoder


def latent_noising(steps=NOISING_STEPS, noise_seed: int = 0) -> LatentFilm:
    """The encoded picture noised along one path of the forward process, in latent space."""
    m = model()
    z0 = encoding().latent
    frames = schedule.forward_trajectory(z0, steps, np.random.default_rng(noise_seed))
    return LatentFilm(tuple(int(s) for s in steps), frames, m.to_pictures(frames))


@on_disk
def latent_generation(seed: int = GENERATION_SEED) -> LatentFilm:
    """A new picture of the prompt generated in latent space (DDPM, guidance 3) and decoded."""
    m = model()
    traj = sample_ddpm(m, 1, pictures.class_id(PROMPT), GUIDANCE, seed=seed, record_steps=RECORD)
    latents = traj.x_t[:, 0]
    return LatentFilm(traj.steps, latents, m.to_pictures(latents))
