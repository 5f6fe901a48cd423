"""The bench's prediction of wall time on more CPUs (longest first list scheduling)."""

import pytest

from diffusion_explainer.render.schedule import makespan, predictions


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
