"""A pool's spawned workers end with the process that started them: a process holding the
soundtrack's segment encoders (as the studio does) is killed with SIGKILL, and its workers, which
would otherwise wait for a next task for good, are gone within seconds."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO

HOLDER = """
import os, sys, time
from diffusion_explainer.sound.aac_segments import SegmentWorkers
workers = SegmentWorkers(2)
for future in [workers.submit(os.getpid) for _ in range(4)]:
    future.result()
print(*[p.pid for p in workers.processes()], flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_segment_workers_end_when_their_process_is_killed():
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in holder.stdout.readline().split()]
        assert workers and all(alive(pid) for pid in workers)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)], "workers left running after their process was killed"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
