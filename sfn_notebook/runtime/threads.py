"""Running blocking work from a thread that may already run an event loop (a Jupyter kernel).

>>> off_running_loop(lambda: 42)
42
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def off_running_loop(job: Callable[[], T]) -> T:
    """Run ``job`` here, or in a helper thread when this thread already runs an event loop
    (a Jupyter kernel does), since one thread cannot run two loops."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return job()
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
