"""The one way a Runtime's executions start: its event-loop thread and :class:`Launcher`.

Every execution (StartExecution, RedriveExecution, a nested ``states:startExecution``) runs as
an asyncio task on one background loop. :meth:`Launcher.launch` schedules one from any other
thread and returns once it is scheduled; :meth:`Launcher.launch_on_loop` does it from the loop
itself (a parent execution starting a child). Either way the :class:`Execution` is marked
finished when its task ends, which is what ``Execution.wait()`` waits for.

>>> from sfn_notebook.engine import make_clock
>>> launcher = Launcher(make_clock("virtual", None))
>>> launcher.on_loop()
False
>>> launcher.close()
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

from sfn_notebook.engine.execution import TERMINAL, ExecutionRecord, execute

if TYPE_CHECKING:
    from sfn_notebook.engine.clock import Clock
    from sfn_notebook.engine.interpreter import CompiledMachine
    from sfn_notebook.runtime.execution import Execution

_log = logging.getLogger("sfn_notebook.runtime")


class Launcher:
    """The Runtime's loop thread (started at the first launch) and the launches onto it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def on_loop(self) -> bool:
        """Whether the calling thread is the loop's (where blocking would deadlock)."""
        return self._thread is not None and threading.current_thread() is self._thread

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = self.clock.new_loop()
                ready = threading.Event()

                def serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    while True:
                        try:
                            loop.run_forever()
                            return
                        except (SystemExit, KeyboardInterrupt) as exc:  # noqa: PERF203
                            # Raised by user code on the loop (task functions report them as
                            # Runtime.ExitError): the other executions must go on regardless.
                            _log.warning("ignored %r raised on the runtime's loop", exc)

                self._thread = threading.Thread(target=serve, name="sfn-runtime", daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    def running_loop(self) -> asyncio.AbstractEventLoop | None:
        """The loop when it was started (None before the first launch or after close)."""
        return self._loop

    def close(self) -> None:
        """Stop the loop (running executions are abandoned)."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=5)
            loop.close()

    def launch(
        self,
        record: ExecutionRecord,
        execution: Execution,
        compiled: CompiledMachine,
        timeout: int | None,
        *,
        redrive: bool = False,
    ) -> None:
        """Schedule the execution on the loop from another thread; returns once it is."""
        scheduled = threading.Event()

        async def run() -> None:
            self.launch_on_loop(record, execution, compiled, timeout, redrive=redrive)
            scheduled.set()

        asyncio.run_coroutine_threadsafe(run(), self.loop())
        scheduled.wait()

    def launch_on_loop(
        self,
        record: ExecutionRecord,
        execution: Execution,
        compiled: CompiledMachine,
        timeout: int | None,
        *,
        redrive: bool = False,
    ) -> asyncio.Task[None]:
        """Start the execution's task on the running loop (a parent starting a child)."""
        task = asyncio.ensure_future(execute(record, compiled, timeout, redrive=redrive))
        record.task = task

        def ended(_: object) -> None:
            # A redrive that never reached its end (the loop closed) keeps waiters waiting
            # for the outcome, as before it; a start always releases them.
            if not redrive or record.status in TERMINAL:
                execution.mark_finished()

        task.add_done_callback(ended)
        return task

    def stop(
        self,
        record: ExecutionRecord,
        execution: Execution,
        reason: tuple[str | None, str | None],
        wait: float,
    ) -> None:
        """StopExecution: cancel the running task with ``reason`` (error, cause) and wait (up
        to ``wait`` seconds) for its end."""
        loop = self._loop
        if record.task is not None and loop is not None:
            record.abort_reason = reason
            record.context.stopped.set()
            loop.call_soon_threadsafe(record.task.cancel)
            execution.wait_finished(wait)
