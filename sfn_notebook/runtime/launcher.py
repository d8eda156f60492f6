"""The one way executions start: a Runtime's event-loop thread, ``sfn.run``'s calling thread.

Every execution of a Runtime (StartExecution, RedriveExecution, a nested ``states:startExecution``)
runs as an asyncio task on one background loop, except the part of it that needs no loop (see
:func:`~sfn_notebook.engine.execution.run_inline`): a machine of Pass, Choice, Succeed and Fail
states runs in the thread that starts it, up to its end or its first 256 steps, since the two
hops to the loop thread and back would cost more than the whole run. :meth:`Launcher.launch`
starts one from any other thread and returns once it ran inline or was handed to the loop;
:meth:`Launcher.launch_on_loop` does it from the loop itself (a parent execution starting a
child). Either way the :class:`Execution` is marked finished when it ends, which is what
``Execution.wait()`` waits for. :meth:`Launcher.run_here` is ``sfn.run``'s: one execution to its
end in the calling thread, on a loop of its own only when it needs one; with breakpoints,
:meth:`Launcher.run_detached` runs it on a loop thread of its own, so that it can pause.

>>> from sfn_notebook.engine import make_clock
>>> launcher = Launcher(make_clock("virtual", None))
>>> launcher.on_loop()
False
>>> launcher.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.clock import release_loop
from sfn_notebook.engine.execution import TERMINAL, ExecutionRecord, execute, run_inline
from sfn_notebook.runtime.threads import off_running_loop

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
        """Start the execution from another thread: inline up to where it needs the loop (see
        the module docstring), the rest handed to the loop; returns without waiting for it."""
        if self.on_loop():  # a task function on the loop starting one
            self.launch_on_loop(record, execution, compiled, timeout, redrive=redrive)
            return
        if redrive:
            work = execute(record, compiled, timeout, redrive=True)
            self._schedule(record, execution, work, redrive=True)
            return
        context = contextvars.copy_context()
        # While it runs here, virtual time stands still for the loop's executions too, as when
        # it ran on the loop: no timer fires in the middle of its events (nor before the rest
        # of them is the loop's task: the loop releases the hold once it is).
        held = self._loop is not None
        if held:
            self.clock.hold()
        handed = False
        try:
            rest = run_inline(record, compiled, timeout, context, to_the_end=False)
            if rest is None:
                execution.mark_finished()
            else:
                release = self.clock.release if held else None
                self._schedule(record, execution, rest, context, then=release)
                handed = held
        finally:
            if held and not handed:
                self.clock.release()

    def _schedule(
        self,
        record: ExecutionRecord,
        execution: Execution,
        work: Coroutine[Any, Any, None],
        context: contextvars.Context | None = None,
        *,
        redrive: bool = False,
        then: Callable[[], None] | None = None,
    ) -> None:
        """Have the loop start ``work`` as the execution's task (then call ``then`` there).

        Returns at once, without waiting for the loop: a StopExecution meanwhile finds no task
        to cancel, but its signal is set, and the execution stops at its first state."""

        def start() -> None:
            try:
                self._start_task(record, execution, work, context, redrive)
            finally:
                if then is not None:
                    then()

        self.loop().call_soon_threadsafe(start)

    def run_here(
        self,
        record: ExecutionRecord,
        execution: Execution,
        compiled: CompiledMachine,
        timeout: int | None,
    ) -> None:
        """Run the execution to its end in this thread (``sfn.run``): inline when it needs no
        event loop, else on a new loop of the clock's (in a helper thread when this one already
        runs a loop, as a Jupyter kernel's does)."""
        context = contextvars.copy_context()
        rest = run_inline(record, compiled, timeout, context, to_the_end=True)
        if rest is not None:
            work = rest

            def on_own_loop() -> None:
                loop = self.clock.new_loop()
                try:
                    # The task runs in (a copy of) the context the inline part ran in.
                    loop.run_until_complete(context.run(loop.create_task, work))
                finally:
                    release_loop(loop)  # kept for this thread's next run when clean

            off_running_loop(on_own_loop)
        execution.mark_finished()

    def run_detached(
        self,
        record: ExecutionRecord,
        execution: Execution,
        compiled: CompiledMachine,
        timeout: int | None,
    ) -> None:
        """``sfn.run`` with breakpoints: the execution runs on a loop thread of its own, so that
        it can pause and hand the execution back; :meth:`stop` stops it there. Returns at once
        (the caller waits for the first pause)."""
        loop = self.clock.new_loop()
        task = record.task = loop.create_task(execute(record, compiled, timeout))

        def drive() -> None:
            try:
                loop.run_until_complete(task)
            finally:
                release_loop(loop)
                execution.mark_finished()

        with self._lock:
            self._loop = loop
            self._thread = threading.Thread(target=drive, name="sfn-debug", daemon=True)
        self._thread.start()

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
        work = execute(record, compiled, timeout, redrive=redrive)
        return self._start_task(record, execution, work, None, redrive)

    def _start_task(
        self,
        record: ExecutionRecord,
        execution: Execution,
        work: Coroutine[Any, Any, None],
        context: contextvars.Context | None,
        redrive: bool,
    ) -> asyncio.Task[None]:
        create = asyncio.get_running_loop().create_task
        task = create(work) if context is None else context.run(create, work)
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
        record.abort_reason = reason
        record.context.stopped.set()  # what a run going on inline (in another thread) checks
        loop = self._loop
        if record.task is not None and loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: it already ended
                loop.call_soon_threadsafe(record.task.cancel)
        execution.wait_finished(wait)
