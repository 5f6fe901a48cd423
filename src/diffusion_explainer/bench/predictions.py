"""What a render would take on more CPUs, predicted from measured job costs (the bench).

Longest-processing-time-first list scheduling: jobs sorted by cost, longest first, each given to
the CPU that frees up first. Its makespan is within 4/3 of the best possible, and it is what a
pool that starts the longest job first does. A job is one process on one CPU, so its cost on a
cluster's CPU is taken as its CPU seconds here; start-up of the cluster and moving the chunk
videos are not in it.
"""

from __future__ import annotations

import heapq


def makespan(costs: list[float], cpus: int) -> float:
    """The time the last of the jobs ends when `cpus` CPUs take them longest first."""
    if cpus < 1:
        raise ValueError("at least one CPU")
    free = [0.0] * min(cpus, max(1, len(costs)))
    for cost in sorted(costs, reverse=True):
        heapq.heappush(free, heapq.heappop(free) + cost)
    return max(free)


def predictions(costs: list[float], cpus: tuple[int, ...], serial_s: float = 0.0) -> dict[int, float]:
    """{CPUs: predicted wall seconds}: the jobs' makespan plus the part that runs alone (the join)."""
    return {n: round(makespan(costs, n) + serial_s, 1) for n in cpus}
