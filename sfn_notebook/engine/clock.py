"""Clocks: the one source of time for timestamps, Wait, retry backoff, timeouts and heartbeats.

Both clocks own an asyncio event loop. The real clock's loop is an ordinary one. The virtual
clock's loop reports *virtual* time, and the rule is: virtual time jumps to the next timer only
when every running execution is waiting on timers alone (Waits, retry backoffs, timeouts, an async
task function's ``asyncio.sleep``). While any external work is in flight -- a synchronous task
function in its thread, an SDK call, a nested execution on AWS, an activity or a callback waiting
for its answer (each marked with :meth:`Clock.external`), any thread awaited through
``run_in_executor`` and any socket or pipe the loop watches -- virtual time advances with real
time, so timers fire in the order AWS would fire them and no timeout fires before the work it
bounds had its chance. A nested execution of the same Runtime is not external by itself: it is an
execution on the same loop, so the rule applies to it (and to the callback of a
``startExecution.waitForTaskToken`` while the local child that is to answer it runs).
:meth:`VirtualClock.advance` moves virtual time forward on purpose, firing the timers due on the
way in order, each at its own instant (how a notebook shows a heartbeat lapse without waiting for
it). So a workflow of Waits and backoffs finishes in milliseconds with its timestamps exactly as
they would have been.

>>> clock = VirtualClock(start=datetime(2024, 1, 1, tzinfo=timezone.utc))
>>> loop = clock.new_loop()
>>> loop.run_until_complete(asyncio.sleep(3600)); clock.now().isoformat()
'2024-01-01T01:00:00+00:00'
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import selectors
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

UTC = timezone.utc
_T = TypeVar("_T")


class Clock:
    """What the engine asks of time. Subclasses decide how the loop's time relates to the wall."""

    virtual = False

    def new_loop(self) -> asyncio.AbstractEventLoop:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    @contextlib.contextmanager
    def external(self) -> Iterator[None]:
        """Mark work that runs outside the loop's timers (a task function, an SDK call, a
        callback awaiting its answer) until the block ends; see the module docstring."""
        yield

    def hold(self) -> None:
        """Virtual time must not leap meanwhile: an execution runs in another thread than the
        loop's (the launcher's inline runs), or one is paused at a breakpoint. A real clock
        cannot stop, so only the virtual clock acts on it; holds nest."""

    def release(self) -> None:
        """The end of a :meth:`hold`."""


class RealClock(Clock):
    """Wall-clock time: Waits and backoffs really take their time."""

    def new_loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.new_event_loop()

    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock(Clock):
    """Time that leaps over idle periods; starts at ``start`` (default: the wall clock, now)."""

    virtual = True

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime.now(UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start = start
        # (virtual seconds since start, real monotonic instant they were taken at, or None while
        # time stands still). One tuple, replaced whole, so other threads read a consistent pair.
        self._base: tuple[float, float | None] = (0.0, None)
        self._now: tuple[float, datetime] = (0.0, start)  # the last instant asked for, as a pair
        self._lock = threading.Lock()
        self._external = 0  # external work in flight
        # Called (on the loop) each time it goes idle: how a debugger knows its run has settled.
        self.idle_hooks: list[Callable[[], None]] = []
        self._advances: list[tuple[float, threading.Event]] = []  # (target, settled) of advance()
        self._loop: _VirtualLoop | None = None
        # Holds (hold/release): executions running in other threads, executions paused at a
        # breakpoint. Time does not leap while any is.
        self._held = 0
        self._held_waiting = False  # the loop waits for the last release to leap

    def new_loop(self) -> asyncio.AbstractEventLoop:
        """A loop on this clock; hand it to :func:`release_loop` when done with it."""
        loop: _VirtualLoop | None = getattr(_spare, "loop", None)
        if loop is None:
            loop = _VirtualLoop(self)
        else:  # the clean loop a finished run of this thread left: cheaper than a new one
            _spare.loop = None
            loop.rebind(self)
        self._loop = loop
        return loop

    def time(self) -> float:
        """Virtual seconds since the start (the loop's time)."""
        elapsed, mark = self._base
        return elapsed if mark is None else elapsed + (time.monotonic() - mark)

    def now(self) -> datetime:
        elapsed = self.time()
        at, moment = self._now
        if elapsed != at:  # most events share a virtual instant: reuse its datetime
            moment = self._start + timedelta(seconds=elapsed)
            self._now = (elapsed, moment)
        return moment

    def advance(self, seconds: float) -> datetime:
        """Move virtual time ``seconds`` forward on purpose; returns the new time.

        The timers due on the way fire in order, each at its own instant, and this returns once
        the loop has run what they started (up to the next timer or external work). Call it from
        any thread but the loop's. Without a running loop it just moves the time.

        >>> clock = VirtualClock(start=datetime(2024, 1, 1, tzinfo=timezone.utc))
        >>> clock.advance(90).isoformat()
        '2024-01-01T00:01:30+00:00'
        """
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            self._shift(seconds)
            return self.now()
        if threading.get_ident() == getattr(loop, "_thread_id", None):
            raise RuntimeError("VirtualClock.advance cannot be called from its own loop")
        settled = threading.Event()

        def request() -> None:
            self._advances.append((self.time() + seconds, settled))

        loop.call_soon_threadsafe(request)
        while not settled.wait(0.1):
            if not loop.is_running():  # the loop was stopped meanwhile: nothing more will fire
                break
        return self.now()

    def _shift(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                elapsed, mark = self._base
                self._base = (elapsed + seconds, mark)

    def _land(self, moment: float) -> None:
        """Jump to ``moment`` exactly while time stands still (adding a tiny remainder to a
        large float can leave it unchanged, and the loop would spin)."""
        with self._lock:
            elapsed, mark = self._base
            if mark is None:
                self._base = (max(elapsed, moment), None)
                return
        self._shift(moment - self.time())

    @contextlib.contextmanager
    def external(self) -> Iterator[None]:
        self._begin_external()
        try:
            yield
        finally:
            self._end_external()

    def _begin_external(self) -> None:
        with self._lock:
            self._external += 1
            if self._external == 1:  # time starts to flow with real time
                self._base = (self._base[0], time.monotonic())

    def _end_external(self) -> None:
        with self._lock:
            self._external -= 1
            if self._external == 0:  # time stands still again, at the real time reached
                elapsed, mark = self._base
                if mark is not None:
                    self._base = (elapsed + (time.monotonic() - mark), None)
        loop = self._loop
        if (
            loop is not None
            and not loop.is_closed()
            and threading.get_ident() != getattr(loop, "_thread_id", None)
        ):
            # Work that ended on another thread: wake the loop, it may be waiting for it.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_noop)

    def hold(self) -> None:
        with self._lock:
            self._held += 1

    def release(self) -> None:
        with self._lock:
            self._held -= 1
            wake = self._held == 0 and self._held_waiting
        loop = self._loop
        if wake and loop is not None:
            with contextlib.suppress(RuntimeError):  # closed meanwhile: nothing waits
                loop.call_soon_threadsafe(_noop)

    def _wait_if_held(self) -> bool:
        """For the loop about to leap: whether a hold forbids it (the loop then waits to be
        woken by the last release)."""
        with self._lock:
            self._held_waiting = self._held > 0
            return self._held_waiting

    def external_pending(self) -> bool:
        """Whether any external work is in flight (virtual time then runs with real time)."""
        return self._external > 0

    def _advance_target(self) -> float | None:
        return max(target for target, _ in self._advances) if self._advances else None

    def _settle(self) -> None:
        """Release the advance() calls whose target has been reached."""
        now = self.time()
        for entry in [entry for entry in self._advances if entry[0] <= now]:
            self._advances.remove(entry)
            entry[1].set()


def _noop() -> None:
    return None


class _VirtualSelector(selectors.BaseSelector):
    """Wraps the loop's real selector; replaces idle sleeps by jumps of virtual time."""

    def __init__(self, clock: VirtualClock) -> None:
        self._inner = selectors.DefaultSelector()
        self._clock = clock
        self.next_timer: Callable[[], float | None] = lambda: None
        self.own_files = 0  # files the loop registers for itself (its self-pipe)

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._inner.get_map()

    def close(self) -> None:
        self._inner.close()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._inner.select(0)
        if ready or timeout == 0:
            return ready
        # Nothing can run now: the loop would sleep until its next timer (``timeout``, which
        # asyncio caps at a day) or until another thread wakes it.
        clock = self._clock
        if clock._wait_if_held():
            # An execution runs in another thread, or one is paused at a breakpoint: time
            # stands still until the last release wakes the loop. Nothing here can run now, so
            # the loop has settled (a debugger tells its waiters of the pause).
            for hook in tuple(clock.idle_hooks):
                hook()
            return self._inner.select(timeout)
        due = self.next_timer()
        target = clock._advance_target()
        if target is not None:  # advance(): fire the timers up to the target, one at a time
            if due is not None and due <= target:
                clock._land(due)
            else:
                clock._land(target)
                clock._settle()
            return []
        if clock.external_pending() or len(self._inner.get_map()) > self.own_files:
            # External work, or real I/O on the loop (a socket an async function awaits): let
            # real time pass, and virtual time with it, until something is ready or due.
            clock._begin_external()
            try:
                return self._inner.select(timeout)
            finally:
                clock._end_external()
        if timeout is None:  # idle: wait for work from another thread
            for hook in tuple(clock.idle_hooks):
                hook()
            return self._inner.select(None)
        clock._land(due if due is not None else clock.time() + timeout)
        return []


class _VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self, clock: VirtualClock) -> None:
        selector = _VirtualSelector(clock)
        super().__init__(selector)
        self._virtual_clock = clock
        self._clock_resolution = 1e-6
        selector.next_timer = self._next_timer
        selector.own_files = len(selector.get_map())

    def run_in_executor(  # type: ignore[override]  # the same call, typed without TypeVarTuple
        self, executor: concurrent.futures.Executor | None, func: Callable[..., _T], *args: Any
    ) -> asyncio.Future[_T]:
        # Work in a thread (``asyncio.to_thread`` too) is external until its future is done.
        future = super().run_in_executor(executor, func, *args)
        clock = self._virtual_clock
        clock._begin_external()
        future.add_done_callback(lambda _: clock._end_external())
        return future

    def rebind(self, clock: VirtualClock) -> None:
        """Serve another clock (an idle loop reused for a new run)."""
        self._virtual_clock = clock
        self._selector._clock = clock  # type: ignore[attr-defined]

    def idle(self) -> bool:
        """Whether nothing is left in the loop: reusing it is then the same as a new loop."""
        selector: _VirtualSelector = self._selector  # type: ignore[attr-defined]
        scheduled = self._scheduled  # type: ignore[attr-defined]
        return (
            not self.is_closed()
            and not self.is_running()
            and not self._ready  # type: ignore[attr-defined]
            and all(handle.cancelled() for handle in scheduled)
            and self._default_executor is None  # type: ignore[attr-defined]
            and not self._asyncgens  # type: ignore[attr-defined]
            and len(selector.get_map()) == selector.own_files
            and not asyncio.all_tasks(self)
        )

    def forget_timers(self) -> None:
        """Drop the cancelled timers an idle loop still holds (asyncio drops them lazily)."""
        for handle in self._scheduled:  # type: ignore[attr-defined]
            handle._scheduled = False
        self._scheduled.clear()  # type: ignore[attr-defined]
        self._timer_cancelled_count = 0

    def _next_timer(self) -> float | None:
        # asyncio keeps its timers in the heap ``_scheduled`` and drops cancelled ones from its
        # head before it selects, so the head is the next timer that will fire.
        scheduled = self._scheduled  # type: ignore[attr-defined]
        return float(scheduled[0].when()) if scheduled else None

    def time(self) -> float:
        return self._virtual_clock.time()


# One idle virtual loop per thread. Making a loop (a selector and a self-pipe socket pair) and
# closing it cost about a quarter of a short ``sfn.run``; a thread running one execution after
# another reuses its loop instead.
_spare = threading.local()
_kept: weakref.WeakSet[_VirtualLoop] = weakref.WeakSet()  # every thread's spare, closed at exit


@atexit.register
def _close_spares() -> None:
    for loop in list(_kept):
        if not loop.is_running() and not loop.is_closed():
            loop.close()


def release_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Close a loop from :meth:`Clock.new_loop`, or keep it for this thread's next ``new_loop``
    when the run left nothing behind in it (no callbacks, timers, tasks, executor threads or
    watched files), so the next run starts exactly as on a new loop.

    >>> clock = VirtualClock()
    >>> loop = clock.new_loop(); release_loop(loop); VirtualClock().new_loop() is loop
    True
    """
    if (
        isinstance(loop, _VirtualLoop)
        and loop.idle()
        and getattr(_spare, "loop", None) is None
        and (threading.current_thread() is threading.main_thread() or _spare.__dict__.get("keep"))
    ):
        loop.forget_timers()
        if loop._virtual_clock._loop is loop:
            loop._virtual_clock._loop = None  # the finished run's clock no longer owns a loop
        _spare.loop = loop
        _kept.add(loop)
        return
    loop.close()


def keep_loops_in_this_thread() -> None:
    """Let :func:`release_loop` keep a spare loop in this thread (the main thread always may):
    for a long-lived thread that runs executions one after another. A thread that ends with a
    spare loop leaves it unclosed, so short-lived threads must not call this."""
    _spare.keep = True


def make_clock(clock: str | Clock, start_time: datetime | None = None) -> Clock:
    """``"virtual"`` / ``"real"`` (or a Clock) into a Clock."""
    if isinstance(clock, Clock):
        return clock
    if clock == "virtual":
        return VirtualClock(start_time)
    if clock == "real":
        return RealClock()
    from sfn_notebook.errors import SfnNotebookError

    raise SfnNotebookError(f"clock must be 'virtual' or 'real', not {clock!r}")
