"""Clocks: the one source of time for timestamps, Wait, retry backoff, timeouts and heartbeats.

Both clocks own an asyncio event loop. The real clock's loop is an ordinary one. The virtual
clock's loop reports *virtual* time and, whenever it would sleep until its next timer with
nothing else able to run, jumps straight to that timer instead; so a one-hour Wait takes no wall
time while the timestamps come out as they would have. Work that runs outside the loop (a task
function in a thread, a callback awaiting its token) is registered with :meth:`Clock.external`;
while any is pending, virtual time may still jump to timers due *before* that work's deadline,
and otherwise advances only as fast as real time.

>>> clock = VirtualClock(start=datetime(2024, 1, 1, tzinfo=timezone.utc))
>>> loop = clock.new_loop()
>>> loop.run_until_complete(asyncio.sleep(3600)); clock.now().isoformat()
'2024-01-01T01:00:00+00:00'
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import selectors
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc


class Clock:
    """What the engine asks of time. Subclasses decide how the loop's time relates to the wall."""

    virtual = False

    def new_loop(self) -> asyncio.AbstractEventLoop:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    @contextlib.contextmanager
    def external(self, deadline: float | None = None) -> Iterator[None]:
        """Mark work running outside the loop until the block ends (see the module docstring).

        ``deadline`` is in loop time (``loop.time()``); ``None`` means no deadline.
        """
        yield


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
        self._elapsed = 0.0  # virtual seconds since start
        self._now, self._now_at = start, 0.0
        self._lock = threading.Lock()
        self._pending: list[tuple[float, int]] = []  # heap of (deadline, token) of external work
        self._tokens = itertools.count()
        self._loop: _VirtualLoop | None = None

    def new_loop(self) -> asyncio.AbstractEventLoop:
        loop = _VirtualLoop(self)
        self._loop = loop
        return loop

    def time(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        elapsed = self._elapsed
        if elapsed != self._now_at:  # most events share a virtual instant: reuse its datetime
            self._now, self._now_at = self._start + timedelta(seconds=elapsed), elapsed
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self._elapsed += seconds

    def advance_to(self, moment: float) -> None:
        self._elapsed = max(self._elapsed, moment)

    @contextlib.contextmanager
    def external(self, deadline: float | None = None) -> Iterator[None]:
        entry = (float("inf") if deadline is None else deadline, next(self._tokens))
        with self._lock:
            heapq.heappush(self._pending, entry)
        try:
            yield
        finally:
            with self._lock:
                self._pending.remove(entry)
                heapq.heapify(self._pending)
            loop = self._loop
            if loop is not None and not loop.is_closed():
                # Wake the loop: it may be blocked in a real wait for this work.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_noop)

    def external_deadline(self) -> float | None:
        """The earliest deadline of pending external work, or None when there is none."""
        with self._lock:
            return self._pending[0][0] if self._pending else None


def _noop() -> None:
    return None


class _VirtualSelector(selectors.BaseSelector):
    """Wraps the loop's real selector; replaces idle sleeps by jumps of virtual time."""

    def __init__(self, clock: VirtualClock) -> None:
        self._inner = selectors.DefaultSelector()
        self._clock = clock
        self.next_timer: Callable[[], float | None] = lambda: None

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
        clock = self._clock
        deadline = clock.external_deadline()
        due = self.next_timer()  # asyncio caps ``timeout`` at a day; this is the real next timer
        if deadline is None:
            if timeout is None:
                return self._inner.select(None)  # idle: wait for work from another thread
            self._jump(timeout, due)
            return []
        if timeout is not None and due is not None and due < deadline:
            self._jump(timeout, due)
            return []
        # External work is pending and the next timer is not before its deadline: let real time
        # pass (virtual time with it) until the work reports back or the timer is due.
        began = time.monotonic()
        wait = None if timeout is None else max(timeout, 0.0)
        if deadline != float("inf"):
            gap = max(deadline - clock.time(), 0.0)
            wait = gap if wait is None else min(wait, gap)
        ready = self._inner.select(wait)
        clock.advance(time.monotonic() - began)
        return ready

    def _jump(self, timeout: float, due: float | None) -> None:
        """Move virtual time forward by ``timeout``, landing exactly on the timer when it is due
        (adding a tiny remainder to a large float can leave it unchanged, and the loop spins)."""
        clock = self._clock
        if due is not None and due - clock.time() <= timeout + 1e-6:
            clock.advance_to(due)
        else:
            clock.advance(timeout)


class _VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self, clock: VirtualClock) -> None:
        selector = _VirtualSelector(clock)
        super().__init__(selector)
        self._virtual_clock = clock
        self._clock_resolution = 1e-6
        selector.next_timer = self._next_timer

    def _next_timer(self) -> float | None:
        # asyncio keeps its timers in the heap ``_scheduled`` and drops cancelled ones from its
        # head before it selects, so the head is the next timer that will fire.
        scheduled = self._scheduled  # type: ignore[attr-defined]
        return float(scheduled[0].when()) if scheduled else None

    def time(self) -> float:
        return self._virtual_clock.time()


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
