"""How a render's stale chunks are cut into jobs: new processes pay a start-up, so on two cores a
scene's few stale chunks are one job; warm processes (the studio's) start almost free, so the same
chunks are shared by the workers."""

from types import SimpleNamespace

from diffusion_explainer.render.chunks import even_cuts
from diffusion_explainer.render.scene_work import MIN_JOB_S, WARM_MIN_JOB_S, plan_jobs
from diffusion_explainer.timing.handover import FrameRange

CPU_PER_FRAME = 0.02


class Costs:
    """A chunk store that knows the scene's average cost per frame, and the measured cost of some
    of its calls (`profile`: [first frame, frames, CPU-s] each)."""

    def __init__(self, profile=()):
        self._profile = list(profile)

    def cpu_per_frame(self, scene_id):
        return CPU_PER_FRAME

    def profile(self, scene_id, total_frames, fps):
        return self._profile


def edited_scene(stale=range(4, 10)):
    """A scene of ten 60-frame chunks whose last six are stale: 7.2 CPU-s of drawing."""
    ranges = [FrameRange(60 * i, 60 * (i + 1)) for i in range(10)]
    return SimpleNamespace(scene_id="s05_reverse", ranges=ranges, stale={i: "scene file changed" for i in stale},
                           jobs=[], timeline=SimpleNamespace(total_frames=600, fps=15))


def drawn_by(work):
    return [(job.first, job.last) for job in work.jobs]


def test_new_processes_draw_an_edits_few_chunks_in_one_job():
    work = edited_scene()
    plan_jobs([work], 2, Costs(), min_job_s=MIN_JOB_S)
    assert drawn_by(work) == [(4, 9)]


def test_warm_processes_share_them_between_the_workers():
    work = edited_scene()
    plan_jobs([work], 2, Costs(), min_job_s=WARM_MIN_JOB_S)
    assert drawn_by(work) == [(4, 6), (7, 9)]


def test_warm_processes_still_draw_a_small_edit_in_one_job():
    work = edited_scene(stale=range(8, 10))  # 2.4 CPU-s: under WARM_MIN_JOB_S
    plan_jobs([work], 2, Costs(), min_job_s=WARM_MIN_JOB_S)
    assert drawn_by(work) == [(8, 9)]


def test_jobs_are_cut_where_their_measured_costs_come_out_even():
    """Chunk 4 holds a dear flip-book (5 CPU-s), the others cost what they measured (0.6 CPU-s):
    cut by numbers of chunks, one worker would draw 4-6 (6.2 CPU-s) while the other waits."""
    profile = [[60 * i + 5, 30, 5.0 if i == 4 else 0.6] for i in range(10)]
    work = edited_scene()
    plan_jobs([work], 2, Costs(profile), min_job_s=WARM_MIN_JOB_S)
    assert drawn_by(work) == [(4, 4), (5, 9)]
    assert [round(job.estimate_s, 2) for job in work.jobs] == [5.0, 3.0]


def test_chunks_no_call_of_which_was_measured_cost_their_frames_at_the_average():
    profile = [[60 * 4 + 5, 30, 5.0]]  # only chunk 4's call was measured
    work = edited_scene(stale=range(4, 8))
    plan_jobs([work], 2, Costs(profile), min_job_s=WARM_MIN_JOB_S)
    assert [round(job.estimate_s, 2) for job in work.jobs] == [5.0, 3.6]  # 3 x 60 frames x 0.02


def test_even_cuts_keep_the_dearest_run_as_cheap_as_possible():
    assert even_cuts([1, 1, 1, 1], 2) == [0, 2, 4]
    assert even_cuts([5, 1, 1, 1, 1], 2) == [0, 1, 5]
    assert even_cuts([1, 2, 3, 4, 5, 6], 3) == [0, 3, 5, 6]  # 6 | 9 | 6: no cuts make the dearest run cheaper
    assert even_cuts([3.0], 1) == [0, 1]
