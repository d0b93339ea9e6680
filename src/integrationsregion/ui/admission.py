"""Admission control: at most a few Streamlit script runs at once in this process.

Script runs are threads that share the GIL with the event loop serving the live followers. Twenty runnable
script threads starve that loop (measured: a scene change took 10–18 s to reach the phones). Runs beyond the
limit wait on a semaphore, where they do not compete for the GIL. Throughput stays the same: one process
executes Python on one thread at a time anyway. `IR_MAX_CONCURRENT_RUNS` sets the limit (default 2).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SLOTS = threading.BoundedSemaphore(max(1, int(os.environ.get("IR_MAX_CONCURRENT_RUNS", "2"))))


@contextmanager
def run_slot() -> Iterator[None]:
    """Hold one of the process's script-run slots for the duration of a page run."""
    _SLOTS.acquire()
    try:
        yield
    finally:
        _SLOTS.release()
