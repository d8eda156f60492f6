"""A bounded pool of daemon threads for synchronous task functions.

``concurrent.futures.ThreadPoolExecutor`` joins its threads when the interpreter exits, so one task
function that never returns (the Task timed out long ago, as AWS allows) would hang the notebook
kernel or a script at exit. These workers are daemon threads: a Task that timed out leaves its
function running without holding the process.

>>> pool = DaemonPool(max_workers=2)
>>> pool.submit(sum, [1, 2, 3]).result()
6
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable
from typing import Any

_STOP = object()


class DaemonPool(concurrent.futures.Executor):
    """Run callables on at most ``max_workers`` daemon threads, started as work arrives."""

    def __init__(self, max_workers: int = 32, name: str = "sfn-task") -> None:
        self._max = max_workers
        self._name = name
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._shutdown = False

    def submit(
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot submit work after shutdown")
            self._queue.put((future, fn, args, kwargs))
            if self._idle == 0 and len(self._threads) < self._max:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._idle -= 1 if self._idle else 0
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:  # handed to whoever awaits the future
                    future.set_exception(exc)
            with self._lock:
                self._idle += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(_STOP)
        if wait:
            for thread in threads:
                thread.join()


_shared: DaemonPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> DaemonPool:
    """The process-wide pool that ``sfn.run`` uses when no executor is given."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = DaemonPool()
        return _shared
