"""How a render's stale chunks are cut into jobs: new processes pay a start-up, so on two cores a
scene's few stale chunks are one job; warm processes (the studio's) start almost free, so the same
chunks are shared by the workers."""

from types import SimpleNamespace

from diffusion_explainer.render.scene_work import MIN_JOB_S, WARM_MIN_JOB_S, plan_jobs
from diffusion_explainer.timing.handover import FrameRange

CPU_PER_FRAME = 0.02


class Costs:
    def cpu_per_frame(self, scene_id):
        return CPU_PER_FRAME


def edited_scene(stale=range(4, 10)):
    """A scene of ten 60-frame chunks whose last six are stale: 7.2 CPU-s of drawing."""
    ranges = [FrameRange(60 * i, 60 * (i + 1)) for i in range(10)]
    return SimpleNamespace(scene_id="s05_reverse", ranges=ranges, stale={i: "scene file changed" for i in stale}, jobs=[])


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
