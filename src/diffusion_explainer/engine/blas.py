"""Run the engine's matrix products on one BLAS thread, only for the duration of a call.

Measured on the 2-core machine with other jobs running: OpenBLAS on two threads was 3-6x slower
than on one (its threads spin waiting for each other), and the video renders many scenes in
parallel anyway. One thread also makes the float results independent of the thread count, which
keeps cached artefacts bit-reproducible. The limit is scoped: nothing global is changed.
"""

from __future__ import annotations

import contextlib

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # without threadpoolctl the engine still works, only slower under load
    threadpool_limits = None


def one_blas_thread():
    if threadpool_limits is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
