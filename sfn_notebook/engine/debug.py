"""Breakpoints: an execution pauses before a state runs, before a retry, or on a failure.

A :class:`Debugger` belongs to one execution (``ExecutionContext.debugger``; None, the default,
costs the engine one ``is not None`` test per state). Breakpoints are names:

``"Price"``         pause before the state ``Price`` is entered (before ``<Type>StateEntered``)
``"Price#retry"``   pause before each retry of ``Price`` (after its backoff, before the attempt)
``"*error"``        pause when any state's attempt fails, before Retry and Catch handle it

The rule for concurrent lines of work (Parallel branches, Map iterations): **only the line that
reaches a breakpoint pauses; the others go on until they reach a breakpoint too.** Every paused
line is a :class:`Pause`; the execution is paused while it has at least one. ``release`` lets
one pause (or all of them) go on; with ``step`` the execution pauses again before the next
state that any of its lines enters (so stepping before a Map steps into its first iteration).

While paused, the pending input of a state or retry and the variables in the paused line's
scope may be replaced. The engine records the change honestly, as a field of our own on the
next event of that line (``"sfnNotebookNote"``): AWS has no event for it, so none is invented.

A paused execution holds the virtual clock: virtual time does not jump over the pause, so no
timer (a sibling's Wait, the execution's TimeoutSeconds) fires meanwhile and timestamps go on
as if the pause took no time. The real clock cannot be held: there, a pause takes its time.

>>> from sfn_notebook.asl.parse import parse
>>> flow = parse({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
>>> Debugger(["A", "*error"], flow).states, Debugger(["A"], flow).on_error
(frozenset({'A'}), False)
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.listeners import Listeners
from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    from sfn_notebook.asl.model import StateMachine
    from sfn_notebook.engine.clock import Clock
    from sfn_notebook.engine.frame import Frame

ON_ERROR = "*error"
RETRY = "#retry"
NOTE = "sfnNotebookNote"  # our own field on an event (never an AWS event type of our making)
_RETRYABLE = ("Task", "Parallel", "Map")
_ANNOUNCE_ROUNDS = 1000  # a loop busy with other executions: announce a pause after this


class BreakpointError(SfnNotebookError):
    """A breakpoint that names no state of the definition, or a retry of a state without Retry."""


class Pause:
    """One paused line of work: where it is and what the state is about to get.

    ``kind`` is ``"state"`` (before the state is entered), ``"retry"`` (before a retry) or
    ``"error"`` (an attempt failed; ``error`` and ``cause`` say how). ``visit`` counts the
    earlier visits to the state in its line; ``map_iteration`` is the index of the innermost Map
    iteration (None outside a Map); ``key`` is the visit's full place (``/Fan#0[2]/Price#0``);
    ``event_id`` is the last event of the paused line so far.
    """

    def __init__(
        self,
        debugger: Debugger,
        frame: Frame,
        state: str,
        kind: str,
        key: str,
        data: Any,
        *,
        retry_count: int = 0,
        error: str | None = None,
        cause: str | None = None,
    ) -> None:
        self.state = state
        self.kind = kind
        self.key = key
        self.visit = int(key.rsplit("#", 1)[1]) if "#" in key else 0
        item = frame.map_item
        self.map_iteration: int | None = None if item is None else item["Index"]
        self.event_id = frame.cursor.source
        self.retry_count = retry_count
        self.error = error
        self.cause = cause
        self._debugger = debugger
        self._frame = frame
        self._input = data
        self._input_text: str | None = None
        self._input_before: str | None = None  # the original input text, once replaced
        self._variables_before: dict[str, str | None] = {}
        self._future: asyncio.Future[bool] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        where = f" iteration {self.map_iteration}" if self.map_iteration is not None else ""
        return f"<Pause {self.kind} {self.state!r} visit {self.visit}{where} key={self.key!r}>"

    @property
    def input(self) -> Any:
        """The input the state (or the retried attempt) is about to get; None on a failure."""
        return self._input

    @input.setter
    def input(self, value: Any) -> None:
        if self.kind == "error":
            raise SfnNotebookError(
                f"the execution is paused on a failure of state '{self.state}': there is no "
                "pending input to replace (edit variables, or step to the next state)"
            )
        text = _json_text(value, f"the pending input of state '{self.state}'")
        if self._input_before is None:
            self._input_before = dumps(self._input)
        self._input = value
        self._input_text = text

    @property
    def variables(self) -> PausedVariables:
        """The variables in scope of the paused line; assigning one changes it there."""
        return PausedVariables(self)

    def note(self) -> dict[str, Any] | None:
        """What was edited while paused, as the ``sfnNotebookNote`` field records it."""
        if self._input_before is None and not self._variables_before:
            return None
        edit: dict[str, Any] = {"pausedAt": self.kind, "state": self.state}
        if self._input_before is not None:
            edit["input"] = {"before": self._input_before, "after": dumps(self._input)}
        if self._variables_before:
            variables = self._frame.variables
            edit["variables"] = {
                name: {"before": before, "after": dumps(variables[name])}
                for name, before in self._variables_before.items()
            }
        return {"debuggerEdit": edit}


class PausedVariables(MutableMapping[str, Any]):
    """The variables a paused line sees; setting one writes the line's own scope (as Assign
    would there) and is recorded in the history's note."""

    def __init__(self, pause: Pause) -> None:
        self._pause = pause

    def __getitem__(self, name: str) -> Any:
        return self._pause._frame.variables[name]

    def __setitem__(self, name: str, value: Any) -> None:
        pause = self._pause
        if not isinstance(name, str) or not name or name.startswith("$"):
            raise SfnNotebookError(f"a variable name is a non-empty string, not {name!r}")
        text = _json_text(value, f"variable '{name}' at state '{pause.state}'")
        frame = pause._frame
        if name not in pause._variables_before:
            old = frame.variables.get(name, _MISSING)
            pause._variables_before[name] = None if old is _MISSING else dumps(old)
        frame.variables[name] = _copy(text)
        frame.variable_sizes = None  # measured again at the next Assign

    def __delitem__(self, name: str) -> None:
        raise SfnNotebookError(
            f"variables cannot be removed (state '{self._pause.state}'): assign a new value"
        )

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._pause._frame.variables))

    def __len__(self) -> int:
        return len(dict(self._pause._frame.variables))

    def __repr__(self) -> str:
        return repr(dict(self._pause._frame.variables))


_MISSING = object()


def _json_text(value: Any, what: str) -> str:
    try:
        return dumps(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise SfnNotebookError(f"{what} must be a JSON value: {exc}") from None


def _copy(text: str) -> Any:
    import json

    return json.loads(text)  # the engine's own copy: later changes to the caller's value stay out


class Debugger:
    """The breakpoints of one execution and its paused lines (see the module docstring).

    The engine awaits :meth:`before_state`, :meth:`before_retry` and :meth:`on_failure` on the
    execution's loop; a user's thread reads :meth:`pauses` and calls :meth:`release`,
    :meth:`wait` and :meth:`ended` ones.
    """

    def __init__(self, breakpoints: Iterable[str], definition: StateMachine | None = None) -> None:
        if isinstance(breakpoints, str):
            breakpoints = [breakpoints]
        states: set[str] = set()
        retries: set[str] = set()
        self.on_error = False
        types = {s.name: s.type for s in definition.walk()} if definition is not None else None
        for name in breakpoints:
            if not isinstance(name, str):
                raise BreakpointError(f"a breakpoint is a state name (str), not {name!r}")
            if name == ON_ERROR:
                self.on_error = True
                continue
            state, retry = (name[: -len(RETRY)], True) if name.endswith(RETRY) else (name, False)
            if types is not None and state not in types:
                known = ", ".join(sorted(types)[:20])
                raise BreakpointError(
                    f"breakpoint {name!r}: the definition has no state '{state}' "
                    f"(its states: {known}; '{ON_ERROR}' pauses on any failure)"
                )
            if retry:
                if types is not None and types[state] not in _RETRYABLE:
                    raise BreakpointError(
                        f"breakpoint {name!r}: state '{state}' is a {types[state]} state, "
                        "which has no Retry (only Task, Parallel and Map states retry)"
                    )
                retries.add(state)
            else:
                states.add(state)
        self.states = frozenset(states)
        self.retries = frozenset(retries)
        self.stepping = False  # pause before the next state any line enters
        self.clock: Clock | None = None
        self._pauses: list[Pause] = []
        self._cond = threading.Condition()
        self._generation = 0  # pauses announced so far: what a waiter compares against
        self._quiet = False  # a pause was announced and nothing was released since
        self._unsettled = False  # a pause or release the waiters have not been told of
        self._watchers = Listeners()
        self._ended = False

    # On the loop ------------------------------------------------------------------------------

    async def before_state(
        self, frame: Frame, state: str, key: str, data: Any, text: str
    ) -> tuple[Any, str]:
        """Pause before ``state`` is entered; returns its (possibly replaced) input."""
        self.stepping = False
        pause = Pause(self, frame, state, "state", key, data)
        pause._input_text = text
        await self._pause(pause)
        return pause._input, pause._input_text

    async def before_retry(self, frame: Frame, state: str, key: str, visit: Any) -> None:
        """Pause before a retry of ``state``; a replaced input becomes the visit's input."""
        pause = Pause(self, frame, state, "retry", key, visit.input, retry_count=visit.retry_count)
        pause._input_text = visit.input_text
        await self._pause(pause)
        if pause._input_before is not None:
            visit.input, visit.input_text = pause._input, pause._input_text

    async def on_failure(
        self, frame: Frame, state: str, key: str, failure: Any, retry_count: int = 0
    ) -> None:
        """Pause on a failed attempt, once per failure (a Parallel re-raising its branch's
        failure does not pause again)."""
        if getattr(failure, "debugged", False):
            return
        failure.debugged = True
        pause = Pause(
            self,
            frame,
            state,
            "error",
            key,
            None,
            retry_count=retry_count,
            error=failure.error,
            cause=failure.cause_or_none,
        )
        await self._pause(pause)

    async def _pause(self, pause: Pause) -> None:
        loop = asyncio.get_running_loop()
        pause._loop = loop
        pause._future = loop.create_future()
        clock = self.clock
        if clock is not None:
            clock.hold()
        with self._cond:
            self._pauses.append(pause)
        self._settle(loop)
        try:
            step = await pause._future
        finally:
            with self._cond:
                if pause in self._pauses:
                    self._pauses.remove(pause)
            if clock is not None:
                clock.release()
        if step:
            self.stepping = True
        note = pause.note()
        if note is not None:  # on the paused line's own history (a map run's child has its own)
            pause._frame.execution.history.note_next(note)

    def _settle(self, loop: asyncio.AbstractEventLoop) -> None:
        """Tell the waiters once the loop has settled: nothing ready to run and no outside work
        in flight, so the other lines have reached their own breakpoints (or wait on a timer,
        which a held clock does not fire). What a caller sees after ``run``, ``step`` or
        ``resume`` then does not depend on timing. The virtual clock's loop reports when it
        goes idle; on the real clock the loop is watched until nothing is ready."""
        clock = self.clock
        self._unsettled = True
        hooks = getattr(clock, "idle_hooks", None)
        if hooks is not None:
            if self._on_idle not in hooks:
                hooks.append(self._on_idle)
            return
        loop.call_soon(self._ready_check, loop, 0)

    def _on_idle(self) -> None:
        if self._unsettled:
            self._announce()

    def _ready_check(self, loop: asyncio.AbstractEventLoop, rounds: int) -> None:
        if getattr(loop, "_ready", None) and rounds < _ANNOUNCE_ROUNDS:
            loop.call_soon(self._ready_check, loop, rounds + 1)
            return
        self._announce()

    def _announce(self) -> None:
        with self._cond:
            self._unsettled = False
            self._generation += 1
            self._quiet = True
            self._cond.notify_all()
        self._tell()

    def watch(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call ``callback({})`` (on the loop's thread) when lines have paused and the run has
        settled, and when the execution ends: how a view learns of a pause, which adds no
        event. One that raises is logged and detached."""
        self._watchers.add(callback)

    def _tell(self) -> None:
        self._watchers.dispatch({})

    def _released(
        self, loop: asyncio.AbstractEventLoop, futures: list[tuple[asyncio.Future[bool], bool]]
    ) -> None:
        # On the loop: the lines go on, and the loop is watched until it settles again.
        for future, step in futures:
            if not future.done():
                future.set_result(step)
        self._settle(loop)

    # From the user's thread -------------------------------------------------------------------

    def toggle(self, name: str, definition: StateMachine | None = None) -> bool:
        """Add breakpoint ``name`` (a state, ``State#retry`` or ``*error``), or remove it when
        set; returns whether it is set now. Lines reaching it from now on pause there."""
        if name == ON_ERROR:
            self.on_error = not self.on_error
            return self.on_error
        checked = Debugger([name], definition)  # validates the name
        if name.endswith(RETRY):
            self.retries = self.retries ^ checked.retries
            return bool(checked.retries & self.retries)
        self.states = self.states ^ checked.states
        return bool(checked.states & self.states)

    @property
    def breakpoints(self) -> list[str]:
        """The breakpoints set now, as names."""
        names = sorted(self.states) + sorted(f"{s}{RETRY}" for s in self.retries)
        return [*names, ON_ERROR] if self.on_error else names

    def pauses(self) -> list[Pause]:
        """The paused lines, in the order they paused."""
        with self._cond:
            return list(self._pauses)

    @property
    def generation(self) -> int:
        return self._generation

    def release(self, pause: Pause | None = None, *, step: bool = False) -> int:
        """Let ``pause`` (None: every paused line) go on; with ``step``, the execution pauses
        again before the next state any line enters. Returns the generation to :meth:`wait` on."""
        with self._cond:
            chosen = list(self._pauses) if pause is None else [pause]
            if not chosen:
                raise SfnNotebookError("the execution is not paused")
            generation = self._generation
            self._quiet = False
            for each in chosen:
                if each in self._pauses:
                    self._pauses.remove(each)
        # One callback for every released line, so the loop wakes them together (a line that
        # woke alone could let the loop look settled before the others woke).
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[bool], bool]]] = {}
        for index, each in enumerate(chosen):
            future, loop = each._future, each._loop
            if future is not None and loop is not None:
                # With step, the first released line carries the step (the others just go on).
                by_loop.setdefault(loop, []).append((future, step and index == 0))
        for loop, futures in by_loop.items():
            loop.call_soon_threadsafe(self._released, loop, futures)
        return generation

    def on_its_loop(self) -> bool:
        """Whether the caller runs on the loop of a paused line (waiting there would hang it)."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            return False
        return any(pause._loop is running for pause in self.pauses())

    def wait(self, since: int, timeout: float | None = None) -> bool:
        """Block until a pause newer than generation ``since`` or the end; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._ended and self._generation <= since:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                # Short waits: Ctrl-C reaches a waiting notebook cell.
                self._cond.wait(0.2 if remaining is None else min(remaining, 0.2))
        return True

    def wait_paused(self, timeout: float | None = None) -> bool:
        """Block until a line is paused or the execution has ended; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._ended and not (self._pauses and self._quiet):
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(0.2 if remaining is None else min(remaining, 0.2))
        return True

    def ended(self) -> None:
        """The execution has written its terminal event."""
        hooks = getattr(self.clock, "idle_hooks", None)
        if hooks is not None and self._on_idle in hooks:
            hooks.remove(self._on_idle)
        with self._cond:
            self._ended = True
            self._pauses.clear()
            self._cond.notify_all()
        self._tell()
