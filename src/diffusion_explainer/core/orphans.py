"""Worker processes that end with the process that started them.

A spawned worker of a process pool waits for its next task on a queue whose writing end it holds
itself, so it never sees its parent die: a studio stopped with SIGKILL (or by the kernel's
out-of-memory killer) left its soundtrack's encoders waiting, about 135 MB each, for good.
`exit_with_parent`, given as a pool's initializer, waits from a daemon thread on the pipe
multiprocessing keeps to the parent (`parent_process()`'s sentinel: it closes when the parent has
gone, even if that happened before this worker got here) and ends the worker then. (Not Linux's
PR_SET_PDEATHSIG: it fires when the *thread* that started the worker ends, and a pool starts its
workers from whichever thread submits.)
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable


def exit_with_parent(initializer: Callable[..., object] | None = None, *args) -> None:
    """A pool's initializer: end this worker once its parent has gone; then `initializer(*args)`."""
    parent = multiprocessing.parent_process()
    if parent is not None:

        def watch() -> None:
            parent.join()  # until the parent's end of the pipe closes
            os._exit(1)

        threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
    if initializer is not None:
        initializer(*args)
