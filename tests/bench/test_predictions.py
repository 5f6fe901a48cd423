"""The bench's prediction of wall time on more CPUs (longest first list scheduling)."""

import pytest

from diffusion_explainer.bench.predictions import makespan, predictions


def test_longest_first_on_two_cpus():
    # 7 and 5 go first; 4 joins the 5, 3 the 7, 1 the 9 -> {7+3, 5+4+1} = {10, 10}
    assert makespan([3, 5, 1, 7, 4], 2) == 10


def test_one_cpu_is_the_sum_and_many_cpus_the_longest_job():
    costs = [2.0, 9.0, 4.5, 1.0]
    assert makespan(costs, 1) == pytest.approx(16.5)
    assert makespan(costs, 128) == 9.0


def test_the_serial_part_is_added_and_no_cpus_refused():
    assert predictions([4, 4, 4, 4], (2, 4), serial_s=3) == {2: 11.0, 4: 7.0}
    with pytest.raises(ValueError):
        makespan([1.0], 0)


def test_chunks_are_cut_where_calls_start_at_about_the_cpu_they_aim_at():
    from diffusion_explainer.render.chunks import CHUNK_CPU_S, MAX_CHUNK_S, cost_ranges

    fps = 10
    # a call every 10 frames: 3 CPU-s each for the first 200 frames, then nearly free (a held picture)
    profile = [[f, 10, 3.0 if f < 200 else 0.01] for f in range(0, 400, 10)]
    ranges = cost_ranges(400, fps, profile)
    assert ranges[0].start == 0 and ranges[-1].end == 400
    assert all(a.end == b.start for a, b in zip(ranges, ranges[1:]))
    assert all(r.start % 10 == 0 for r in ranges), "every cut is where a call starts"
    for r in ranges:
        cost = sum(cpu for first, _, cpu in profile if r.start <= first < r.end)
        assert cost <= max(CHUNK_CPU_S, 3.0) and r.end - r.start <= MAX_CHUNK_S * fps
    dear = [r for r in ranges if r.end <= 200]
    assert len(dear) >= 20 * 3.0 / CHUNK_CPU_S - 1, "dear frames (20 calls of 3 CPU-s) make short chunks"
    assert max(r.end - r.start for r in ranges if r.start >= 200) == MAX_CHUNK_S * fps, "cheap ones long"
    one = cost_ranges(400, fps, [[0, 400, 50.0]])  # one long, dear call: it cannot be cut
    assert one == [type(one[0])(0, 400)]


def test_the_soundtrack_is_one_chain_and_its_other_segments_are_jobs_of_their_own():
    from diffusion_explainer.bench.benchmark import sound_chain
    from diffusion_explainer.bench.predictions import makespan

    # 30 s of mixing and measures, segments of 5, 3 and 2 s encoded apart
    jobs = sound_chain(40.0, [3.0, 5.0, 2.0])
    assert jobs == [35.0, 3.0, 2.0]  # the mix ends with its longest segment at the latest
    assert makespan(jobs, 1) == 40.0 and makespan(jobs, 3) == 35.0
    assert sound_chain(28.7, []) == [28.7]  # all in one thread (one job, or every segment kept)
