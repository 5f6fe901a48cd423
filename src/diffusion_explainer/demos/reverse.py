"""Scene 05 (the reverse process): the trained pixel model generating pictures from pure noise.

Everything comes from one run of the engine's ancestral DDPM sampler (`sample_ddpm`, Ho et al.
Algorithm 2) on the 16x16 pixel model, without a prompt, for a batch of starting noises:
- the scene follows the starting noise whose finished picture is closest to the training
  pictures (the clearest one; `picks`), and a second one that became a different kind of picture;
- the first step in detail (x_1000 -> x_999 with the real coefficients and noises);
- a few stages of the whole trajectory, with the model's guess of the finished picture at each;
- the finished pictures of the other starting noises of the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import metrics, models, schedule
from ..engine.sampling import Trajectory, sample_ddpm
from .memo import on_disk
from .words import Words

T = schedule.T
RUN_SEED = 5  # the seed of the batch of starting noises
RUN_SIZE = 12  # how many starting noises the run denoises together
RECORD_EVERY = 20
# Where a viewer can see the picture change: x_t stays visibly noisy until t is small, because
# sqrt(abar_t) (the share of the picture in x_t) only nears 1 in the last few hundred steps.
STAGES = (1000, 300, 140, 60, 0)


def model() -> models.DiffusionModel:
    return models.load_pixel_model()


def sqrt_alpha_bar(t: int) -> float:
    """How much of the finished picture x_t holds: sqrt(abar_t)."""
    return float(np.sqrt(schedule.alphas_bar[t]))


def _rms(a: np.ndarray, b: np.ndarray | float = 0.0) -> float:
    return float(np.sqrt(np.mean((np.asarray(a, np.float64) - b) ** 2)))


@on_disk
def run() -> Trajectory:
    """The DDPM run of RUN_SIZE starting noises (computed once per process), recorded at every
    20th step and at the first step, t = 999."""
    steps = set(range(0, T + 1, RECORD_EVERY)) | {T - 1}
    return sample_ddpm(model(), RUN_SIZE, None, 1.0, seed=RUN_SEED, record_steps=steps)


@dataclass(frozen=True)
class Picks:
    main: int  # the starting noise the scene follows: the finished picture nearest the data
    other: int  # the clearest one that became a different kind of picture
    nearest_rms: np.ndarray  # per starting noise: RMS distance of its picture to the nearest training picture
    kind: np.ndarray  # per starting noise: the class a nearest-centroid classifier sees in its picture


@on_disk
def picks() -> Picks:
    m, samples = model(), run().samples
    nearest = metrics.nearest_neighbour_rms(samples, m.images)
    kind = metrics.NearestCentroidClassifier(m.images, m.labels).predict(samples)
    order = np.argsort(nearest)
    main = int(order[0])
    other = int(next(i for i in order if kind[i] != kind[main]))
    return Picks(main, other, nearest, kind)


@dataclass(frozen=True)
class ReverseStep:
    """x_T -> predicted noise -> subtract -> x_{T-1}, with the real numbers of that step:
    x_{T-1} = rescale * (x_T - remove_factor * eps_hat) + sigma * z."""

    x_t: np.ndarray  # x_1000: the starting noise
    eps_hat: np.ndarray  # the noise the network predicts in it (as the sampler used it)
    z: np.ndarray  # the fresh noise the sampler added (recovered from x_999)
    x_prev: np.ndarray  # x_999 as the sampler produced it
    remove_factor: float  # beta_t / sqrt(1 - abar_t): how much of eps_hat is subtracted
    rescale: float  # 1 / sqrt(alpha_t)
    sigma: float  # sqrt(beta_t): the size of the fresh noise
    change_rms: float  # RMS of x_999 - x_1000 per value
    noise_rms: float  # RMS of x_1000 itself (about 1)
    # The network's own output at (x_1000, 1000). The sampler clips its guess of the finished
    # picture to [-1, 1] and re-derives the noise from the clipped guess (as the DDPM authors'
    # code does); eps_hat above is that re-derived noise, the one really subtracted.
    eps_raw: np.ndarray | None = None
    clipped_share: float = 0.0  # share of the guess's values the clipping changed
    raw_difference_rms: float = 0.0  # RMS of eps_hat - eps_raw per value

    @property
    def noise_footnote(self) -> tuple[Words, ...]:
        return noise_footnote(self.clipped_share, self.raw_difference_rms)

    @property
    def subtracted_rms(self) -> float:
        """RMS per value of what subtracting the predicted noise (and rescaling) changes:
        rescale (x_T - remove_factor eps_hat) - x_T."""
        return _rms(self.rescale * (self.x_t - self.remove_factor * self.eps_hat), self.x_t)

    @property
    def new_noise_rms(self) -> float:
        """RMS per value of the fresh noise sigma z the step adds."""
        return _rms(self.sigma * self.z)

    @property
    def change_words(self) -> tuple[Words, Words]:
        return change_words(self.remove_factor, self.subtracted_rms, self.new_noise_rms, self.sigma, self.change_rms)


# What one step does, in words that follow its numbers: the narration says subtracting the
# predicted noise makes the picture 「すこしだけきれい」. At t = 1000 that part is small, and most of
# the step's change is the fresh noise sigma z it adds (sigma = sqrt(beta_1000) = 0.141).
A_LITTLE = 0.1  # a step that subtracts less than this share of the predicted noise changes it only a little


def change_words(remove_factor: float, subtracted_rms: float, new_noise_rms: float, sigma: float,
                 change_rms: float) -> tuple[Words, Words]:
    """Two lines for the screen: how much the subtraction cleans, then what the step's change is
    mostly made of."""
    share = remove_factor * 100
    if remove_factor < A_LITTLE:
        first = Words("引くのは予測ノイズの {share:.0f}% だけ：すこしだけきれいになる", share=share)
    else:
        first = Words("引くのは予測ノイズの {share:.0f}%：ノイズがはっきり減る", share=share)
    if new_noise_rms > subtracted_rms:
        second = Words("同時に新しいノイズ σz（σ = {sigma:.3f}）も足すので、値1個あたりの変化 {change:.2f} の"
                       "大半（{new:.2f}）はこの新しいノイズ", sigma=sigma, change=change_rms, new=new_noise_rms)
    else:
        second = Words("値1個あたりの変化 {change:.2f} の大半（{subtracted:.2f}）は、予測ノイズを引いた分"
                       "（新しいノイズ σz は {new:.2f}）", change=change_rms, subtracted=subtracted_rms,
                       new=new_noise_rms)
    return first, second


def noise_footnote(clipped_share: float, raw_difference_rms: float) -> tuple[Words, ...]:
    """What the noise picture of the step is, worded from what the clipping did: lines for the
    screen (the claim, then its numbers)."""
    if clipped_share == 0.0:
        return (Words("引いたノイズは、ネットワークの出力そのもの"),)
    return (Words("引いたノイズは、予測した完成図を [-1, 1] に切り詰めてから計算し直したもの（DDPM の公開実装と同じ）"),
            Words("切り詰めた値 {clipped:.0f}%　ネットワークの出力そのものとの差：値1個あたり約 {difference:.3f}",
                  clipped=clipped_share * 100, difference=raw_difference_rms))


def first_step(index: int | None = None) -> ReverseStep:
    index = picks().main if index is None else index
    traj = run()
    x_t, x0_hat = (a[index] for a in traj.at(T))
    x_prev = traj.at(T - 1)[0][index]
    ab = schedule.alphas_bar[T]
    # The sampler clips its guess of x_0 and re-derives the noise from it; undo the closed form
    # the same way so the noise shown is exactly the one subtracted.
    eps_hat = (x_t - np.sqrt(ab) * x0_hat) / np.sqrt(1.0 - ab)
    remove = float(schedule.betas[T] / np.sqrt(1.0 - ab))
    rescale = float(1.0 / np.sqrt(schedule.alphas[T]))
    sigma = float(np.sqrt(schedule.betas[T]))
    z = (x_prev - rescale * (x_t - remove * eps_hat)) / sigma
    eps_raw = model().predict_eps(traj.at(T)[0], T, None)[index]  # the whole batch, as the sampler asked
    unclipped = schedule.predicted_x0(x_t, T, eps_raw)
    lo, hi = model().value_range
    clipped = float(np.mean((unclipped < lo) | (unclipped > hi)))
    return ReverseStep(x_t, eps_hat.astype(np.float32), z.astype(np.float32), x_prev, remove, rescale, sigma,
                       _rms(x_prev, x_t), _rms(x_t), eps_raw, clipped, _rms(eps_hat, eps_raw))


@dataclass(frozen=True)
class Stage:
    t: int
    x_t: np.ndarray  # the state at t
    x0_hat: np.ndarray  # the model's guess of the finished picture, seen from t
    sqrt_alpha_bar: float  # how much of the finished picture x_t holds


@dataclass(frozen=True)
class Denoising:
    stages: tuple[Stage, ...]
    steps_between: tuple[int, ...]  # denoising steps from one stage to the next
    film_steps: tuple[int, ...]  # every 20th step, for a flip book
    film: np.ndarray  # (len(film_steps), 16, 16, 3) x_t along the way
    final: np.ndarray

    @property
    def repeat_caption(self) -> Words:
        """What each arrow between the stages stands for, with the counts it really holds."""
        fewest, most = min(self.steps_between), max(self.steps_between)
        count = Words("{n} 回", n=fewest) if fewest == most else Words("{fewest}〜{most} 回", fewest=fewest, most=most)
        return Words("矢印 1 本 = 『ネットワークでノイズを予測して引く』を {count}（全部で {total} 回）",
                     count=count, total=sum(self.steps_between))


def denoising(index: int | None = None, stages=STAGES) -> Denoising:
    """One starting noise's way to its picture (stages must be multiples of RECORD_EVERY)."""
    index = picks().main if index is None else index
    traj = run()
    shown = tuple(Stage(t, traj.at(t)[0][index], traj.at(t)[1][index], sqrt_alpha_bar(t)) for t in stages)
    film_steps = tuple(t for t in traj.steps if t % RECORD_EVERY == 0)
    film = np.stack([traj.at(t)[0][index] for t in film_steps])
    between = tuple(a - b for a, b in zip(stages, stages[1:]))
    return Denoising(shown, between, film_steps, film, traj.samples[index])


def variety() -> np.ndarray:
    """The finished pictures of the run's other starting noises, in their order."""
    p = picks()
    return np.stack([s for i, s in enumerate(run().samples) if i not in (p.main, p.other)])


def guess_errors(d: Denoising) -> list[tuple[int, float, float]]:
    """Per stage: (t, error of the guess x0_hat in the coarse view, in the fine detail), each
    relative to the finished picture's own coarse / detail size. Coarse view: 2x2 averages
    (layout and colour); detail: what is left. Small coarse error early while the detail error
    is still large is what 「構図や色が先、細部が後」 means in numbers."""
    def split(x):
        h, w, c = x.shape
        coarse = x.reshape(h // 2, 2, w // 2, 2, c).mean(axis=(1, 3))
        return coarse, x - np.repeat(np.repeat(coarse, 2, 0), 2, 1)

    final_coarse, final_detail = split(d.final)
    out = []
    for s in d.stages:
        coarse, detail = split(s.x0_hat)
        out.append((s.t, _rms(coarse, final_coarse) / _rms(final_coarse - final_coarse.mean()),
                    _rms(detail, final_detail) / _rms(final_detail)))
    return out
