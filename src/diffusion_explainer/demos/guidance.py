"""Scene 06 (text conditioning): the trained latent model with and without its prompt.

- `unprompted`: what a model draws with no prompt: the pixel model of scene 05, any kind of picture
  (the latent model without a prompt draws one muddy blend of every kind).
- `prompt_vector`: what the toy's "text encoder" turns the prompt into. Honestly: a learned
  class embedding, one row of the network's table E per prompt (the video's prompts are the
  5 picture classes); Stable Diffusion uses a CLIP text encoder (77 tokens x 768 numbers).
- `conditioned_run`: one DDPM run with the prompt, each recorded x_t and the model's guess of
  the finished picture x0_hat seen through the decoder.
- `guidance_at`: at one step of that run, the two predictions (with / without the prompt), their
  difference and the guided prediction eps_u + s (eps_c - eps_u), each shown as the finished
  picture it points to (x0_hat, decoded).
- `scale_sweep`: the engine's guidance_sweep (class accuracy, diversity, fidelity at each scale)
  with the prompt's samples at each scale, drawn from the same starting noises as the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import metrics, models, pictures, schedule
from ..engine.sampling import Trajectory, sample_ddim, sample_ddpm
from .memo import on_disk
from .words import Words, listed

PROMPT = Words("夕焼けの中を歩く猫")
GUIDANCE = 3.0  # the scale the scene generates with (Stable Diffusion's default is 7.5)
SCALES = (0.0, 1.0, 3.0, 7.0)
CFG_T = 700  # where the two predictions are compared: the picture's layout is being decided
SWEEP_PER_CLASS = 16  # samples per prompt at each scale of the sweep
SWEEP_SAMPLER_STEPS = 50  # the sweep samples with DDIM in this many steps
RUN_SEED = 0
# The picture forms late (below t = 400): record sparsely early and densely there.
RECORD = tuple(range(1000, 400, -50)) + tuple(range(400, 0, -10)) + (0,)


def model() -> models.LatentDiffusionModel:
    return models.load_latent_model()


def prompt_id() -> int:
    return pictures.class_id(PROMPT)


# Without a prompt the latent model draws one muddy blend of every kind; the pixel model of scene 05
# draws clean pictures of varied kinds, so the pictures without a prompt are that model's.
UNPROMPTED_CAPTION = Words("プロンプトなしで生成した 6 枚（前の場面の 16×16 画素の模型）：何の絵になるかは運まかせ")


@on_disk
def unprompted(n: int = 6, seed: int = 7) -> np.ndarray:
    """Pictures the pixel model makes with no prompt (one DDPM run of n starting noises)."""
    m = models.load_pixel_model()
    return m.to_pictures(sample_ddpm(m, n, None, 1.0, seed=seed, record_steps=()).samples)


@dataclass(frozen=True)
class PromptVector:
    prompt: str
    class_id: int
    values: np.ndarray  # the learned embedding of the prompt (cond_dim numbers)
    table_rows: int  # rows of the embedding table: the prompts it knows plus "no prompt"


def prompt_vector() -> PromptVector:
    table = model().denoiser.params["E"]
    cid = prompt_id()
    return PromptVector(PROMPT, cid, np.asarray(table[cid], dtype=np.float64), int(table.shape[0]))


@dataclass(frozen=True)
class ConditionedRun:
    steps: tuple[int, ...]
    noisy: np.ndarray  # (len(steps), 64, 64, 3) x_t seen through the decoder
    guesses: np.ndarray  # (len(steps), 64, 64, 3) x0_hat seen through the decoder
    final: np.ndarray
    trajectory: Trajectory


@on_disk
def conditioned_run(seed: int = RUN_SEED, guidance: float = GUIDANCE) -> ConditionedRun:
    m = model()
    traj = sample_ddpm(m, 1, prompt_id(), guidance, seed=seed, record_steps=RECORD)
    return ConditionedRun(traj.steps, m.to_pictures(traj.x_t[:, 0]), m.to_pictures(traj.x0_pred[:, 0]),
                          m.to_pictures(traj.samples)[0], traj)


@dataclass(frozen=True)
class GuidanceAt:
    t: int
    scale: float
    noisy: np.ndarray  # x_t seen through the decoder
    without_text: np.ndarray  # the finished picture eps(x_t, no prompt) points to
    with_text: np.ndarray  # ... eps(x_t, prompt) points to
    guided: np.ndarray  # ... the guided eps_u + s (eps_c - eps_u) points to
    difference_norm: float  # |eps_c - eps_u|
    prediction_norm: float  # |eps_u|: the whole predicted noise, for scale
    collinear_error: float  # how far eps_guided is from the line through eps_u, eps_c (0: exact)


def guidance_at(t: int = CFG_T, scale: float = GUIDANCE) -> GuidanceAt:
    m, run = model(), conditioned_run()
    x_t = run.trajectory.at(t)[0]
    eps_u = m.predict_eps(x_t, t, None)
    eps_c = m.predict_eps(x_t, t, prompt_id())
    eps_g = m.predict_eps_guided(x_t, t, prompt_id(), scale)

    def points_to(eps):
        x0 = schedule.predicted_x0(x_t, t, eps)
        return m.to_pictures(np.clip(x0, *m.value_range))[0]  # clipped as the sampler does

    d = (eps_c - eps_u).ravel()
    off_line = (eps_g - eps_u).ravel() - scale * d
    return GuidanceAt(t, scale, m.to_pictures(x_t)[0], points_to(eps_u), points_to(eps_c), points_to(eps_g),
                      float(np.linalg.norm(d)), float(np.linalg.norm(eps_u)),
                      float(np.linalg.norm(off_line) / max(np.linalg.norm(d), 1e-12)))


@dataclass(frozen=True)
class ScaleResult:
    scale: float
    accuracy: float  # share of all prompts' samples recognised as their prompt
    diversity: float  # mean RMS distance between samples of the same prompt
    fidelity: float  # mean RMS distance to the nearest training picture
    samples: np.ndarray  # (k, 64, 64, 3) the prompt's first k samples at this scale


@on_disk
def scale_sweep(scales=SCALES, n_per_class: int = SWEEP_PER_CLASS, shown: int = 4, seed: int = 0
                ) -> tuple[ScaleResult, ...]:
    m = model()
    points = metrics.guidance_sweep(m, scales, n_per_class=n_per_class, seed=seed,
                                    num_steps=SWEEP_SAMPLER_STEPS)
    classes = np.unique(m.labels)
    ids = np.repeat(classes, n_per_class)
    first = int(np.flatnonzero(ids == prompt_id())[0])
    out = []
    for point in points:
        # The sweep's own call (DDIM, same ids, scale and seed: deterministic), kept for the pictures.
        traj = sample_ddim(m, len(ids), ids, point.scale, seed, SWEEP_SAMPLER_STEPS, record_steps=())
        samples = m.to_pictures(traj.samples[first:first + shown])
        out.append(ScaleResult(point.scale, point.accuracy, point.diversity, point.fidelity, samples))
    return tuple(out)


# -- what the sweep's note may say -----------------------------------------------------------------
# The narration says a larger scale follows the prompt more (accuracy up) and varies less
# (diversity down). The note beside the sweep says where this model's measurements do not follow
# that, one clause per measurement, each present only when its own number shows it. Diversity and
# accuracy are compared as the screen shows them (two decimals, whole percent), so a clause never
# contradicts the numbers printed above it.
BREAK_FACTOR = 1.3  # 「崩れ」: samples 30% further from every training picture than at the best scale


@dataclass(frozen=True)
class CaveatClause:
    kind: str  # "diversity_rises", "accuracy_falls", "breaks" (above the best scale), "unformed" (below it)
    text: Words  # the claim, short enough for one line
    numbers: Words  # the measurement behind it


def _shown_diversity(point) -> float:
    return round(point.diversity, 2)


def _shown_accuracy(point) -> int:
    return round(point.accuracy * 100)


def breaking_scales(sweep) -> tuple[float, ...]:
    """Scales whose samples are BREAK_FACTOR times further from the training pictures (mean
    nearest-neighbour RMS: `metrics.guidance_sweep`'s fidelity) than at the sweep's closest scale."""
    best = min(p.fidelity for p in sweep)
    return tuple(p.scale for p in sweep if p.fidelity > BREAK_FACTOR * best)


def _scales(points) -> str:
    return listed(f"{p.scale:g}" for p in points)


def _distances(points, best) -> Words:
    """How far the points' samples are from the training pictures, beside the closest scale's."""
    return Words("学習画像との距離 {distances}（s = {best:g} では {fidelity:.2f}）",
                 distances=listed(f"{p.fidelity:.2f}" for p in points), best=best.scale, fidelity=best.fidelity)


def sweep_caveat(sweep) -> tuple[CaveatClause, ...]:
    """The clauses of the sweep's note, for points with scale, accuracy, diversity and fidelity
    (GuidancePoint or ScaleResult); empty when the numbers agree with the narration."""
    points = sorted(sweep, key=lambda p: p.scale)
    clauses = []
    for a, b in zip(points, points[1:]):
        if _shown_diversity(b) > _shown_diversity(a):
            clauses.append(CaveatClause(
                "diversity_rises", Words("s = {a:g} → {b:g} で多様性の値が上がる", a=a.scale, b=b.scale),
                Words("多様性 {a:.2f} → {b:.2f}", a=a.diversity, b=b.diversity)))
    for a, b in zip(points, points[1:]):
        if _shown_accuracy(b) < _shown_accuracy(a):
            clauses.append(CaveatClause(
                "accuracy_falls", Words("s = {a:g} → {b:g} で正解率が下がる", a=a.scale, b=b.scale),
                Words("正解率 {a}% → {b}%", a=_shown_accuracy(a), b=_shown_accuracy(b))))
    best = min(points, key=lambda p: p.fidelity)
    broken = [p for p in points if p.scale in breaking_scales(points)]
    above = [p for p in broken if p.scale > best.scale]
    below = [p for p in broken if p.scale < best.scale]
    if above:
        clauses.append(CaveatClause("breaks", Words("s = {scales} で絵が崩れ始める", scales=_scales(above)),
                                    _distances(above, best)))
    if below:
        clauses.append(CaveatClause("unformed", Words("s = {scales} では絵がまとまらない", scales=_scales(below)),
                                    _distances(below, best)))
    return tuple(clauses)


def sweep_method(n_per_class: int = SWEEP_PER_CLASS, steps: int = SWEEP_SAMPLER_STEPS
                 ) -> tuple[Words, Words]:
    """How the sweep's numbers were made: (how the pictures were drawn, how accuracy is judged)."""
    return (Words("各 s で {prompts} 種類のプロンプトを {n} 枚ずつ、DDIM {steps} ステップで生成"
                  "（DDIM：途中で乱数を足さず、少ない回数の大きな歩幅で進む生成法）",
                  prompts=pictures.NUM_CLASSES, n=n_per_class, steps=steps),
            Words("正解率：各種類の平均画像のうち一番近いものが、狙った種類だった割合"))
