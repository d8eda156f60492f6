"""Running blocking work from a thread that may already run an event loop (a Jupyter kernel).

>>> off_running_loop(lambda: 42)
42
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sfn_notebook.engine.clock import keep_loops_in_this_thread

T = TypeVar("T")

_RUNNERS = 4  # threads kept for callers that already run an event loop (a Jupyter kernel)
_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_threads: set[int] = set()
_pool_lock = threading.Lock()


def _runner_started() -> None:
    _pool_threads.add(threading.get_ident())
    keep_loops_in_this_thread()


def off_running_loop(job: Callable[[], T]) -> T:
    """Run ``job`` here, or in a helper thread when this thread already runs an event loop
    (a Jupyter kernel does), since one thread cannot run two loops. The helper threads live on,
    each with its idle event loop, as a new thread and loop per call cost a short run's time."""
    global _pool
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return job()
    if threading.get_ident() in _pool_threads:  # called again from a job's own event loop
        return _in_new_thread(job)
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(
                _RUNNERS, thread_name_prefix="sfn-run", initializer=_runner_started
            )
    return _pool.submit(job).result()


def _in_new_thread(job: Callable[[], T]) -> T:
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = job()
        except BaseException as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="sfn-run")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    result: T = outcome["value"]
    return result
