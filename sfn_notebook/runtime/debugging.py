"""Debugging an execution from Python: pause, step, resume, stop, edit, time travel and fork.

:class:`Debugging` is the part of :class:`~sfn_notebook.runtime.execution.Execution` that talks
to the engine's :class:`~sfn_notebook.engine.debug.Debugger` (breakpoints given to ``sfn.run``,
``Runtime.start`` or ``%sfn run --break``). :func:`find_visit` and :func:`fork_plan` turn "this
state visit" into what a fork needs; the maker of the execution (``sfn.run`` or a Runtime)
starts it.

>>> import sfn_notebook as sfn
>>> flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
...                                    "B": {"Type": "Pass", "End": True}}}
>>> ex = sfn.run(flow, {"n": 1}, breakpoints=["B"])
>>> ex.status, ex.paused_at.state, ex.pending_input
('RUNNING', 'B', {'n': 1})
>>> ex.pending_input = {"n": 2}
>>> ex.resume().output
{'n': 2}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.debug import NOTE, Debugger, Pause, PausedVariables
from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.placement import EventTree, Line
from sfn_notebook.engine.replay import Replay, fork_from_events
from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    from sfn_notebook.engine.execution import ExecutionRecord
    from sfn_notebook.engine.history import Event
    from sfn_notebook.runtime.execution import Execution

#: ``forker(plan)``: what ``sfn.run`` or a Runtime gives an execution so it can be forked.
Forker = Callable[["ForkPlan"], "Execution"]
Stopper = Callable[[str | None, str | None], None]
_UNSET: Any = object()


@dataclass
class ForkPlan:
    """A fork to start: the original's input, the replay that begins at the chosen visit, the
    note its ExecutionStarted carries, and the caller's options."""

    input_text: str
    replay: Replay
    note: dict[str, Any]
    entered: Event
    name: str | None = None
    breakpoints: Iterable[str] | None = None
    definition: Any = None


class Debugging:
    """Execution methods for breakpoints, time travel and forks (mixed into Execution)."""

    _record: ExecutionRecord
    _stopper: Stopper | None = None
    _forker: Forker | None = None

    if TYPE_CHECKING:  # provided by Execution

        def wait(self, timeout: float | None = None) -> Any: ...
        def wait_finished(self, timeout: float | None = None) -> Any: ...
        @property
        def history(self) -> list[Event]: ...
        @property
        def arn(self) -> str: ...
        @property
        def done(self) -> bool: ...

    # Pauses -----------------------------------------------------------------------------------

    @property
    def debugger(self) -> Debugger | None:
        """The execution's breakpoints and paused lines (None when run without breakpoints)."""
        return self._record.context.debugger

    @property
    def pauses(self) -> list[Pause]:
        """Every paused line (Parallel branches and Map iterations pause one by one)."""
        debugger = self.debugger
        return [] if debugger is None else debugger.pauses()

    @property
    def paused(self) -> bool:
        return bool(self.pauses)

    @property
    def paused_at(self) -> Pause | None:
        """Where the execution is paused (the first line that paused), or None.

        ``.state``, ``.kind`` (``"state"``, ``"retry"`` or ``"error"``), ``.visit``,
        ``.map_iteration``, ``.key``, ``.event_id``; ``.error``/``.cause`` on a failure.
        """
        pauses = self.pauses
        return pauses[0] if pauses else None

    def _pause(self) -> Pause:
        pause = self.paused_at
        if pause is None:
            state = "has ended" if self.done else "is running (not paused)"
            raise SfnNotebookError(f"execution {self.arn.rsplit(':', 1)[-1]} {state}")
        return pause

    @property
    def pending_input(self) -> Any:
        """The input the paused state (or retry) is about to get; assign to replace it."""
        return self._pause().input

    @pending_input.setter
    def pending_input(self, value: Any) -> None:
        self._pause().input = value

    @property
    def variables(self) -> PausedVariables:
        """The variables in scope where the execution is paused; ``ex.variables["x"] = 1``
        changes one there (recorded in the history's ``sfnNotebookNote``)."""
        return self._pause().variables

    def resume(self, *, wait: bool = True, timeout: float | None = None) -> Any:
        """Let every paused line go on; with ``wait``, return once the execution pauses again
        or ends (``timeout`` seconds at most)."""
        return self._release(None, False, wait, timeout)

    def step(self, *, wait: bool = True, timeout: float | None = None) -> Any:
        """Let the first paused line go on, then pause before the next state any line enters
        (or at a retry or failure breakpoint); with ``wait``, return once paused or ended."""
        return self._release(self._pause(), True, wait, timeout)

    def _release(self, pause: Pause | None, step: bool, wait: bool, timeout: float | None) -> Any:
        debugger = self.debugger
        if debugger is None or not debugger.pauses():
            self._pause()  # raises: not paused
        assert debugger is not None
        if wait and debugger.on_its_loop():
            raise SfnNotebookError(
                "step()/resume() would wait on the execution's own loop (an async task "
                "function?): pass wait=False there"
            )
        generation = debugger.release(pause, step=step)
        if wait:
            debugger.wait(generation, timeout)
            if self.done:
                self.wait_finished(timeout)
        return self

    def stop(self, error: str | None = None, cause: str | None = None, *, wait: bool = True) -> Any:
        """Stop the execution (StopExecution): it ends ABORTED, paused or not; with ``wait``,
        return once it has ended."""
        if self.done:
            return self
        if self._stopper is None:
            raise SfnNotebookError(
                "this execution cannot be stopped from here (use Runtime.stop_execution)"
            )
        self._stopper(error, cause)
        return self.wait_finished(10) if wait else self

    # Time travel and forks --------------------------------------------------------------------

    @property
    def forked_from(self) -> dict[str, Any] | None:
        """Where a forked execution comes from (``executionArn``, ``eventId``, ``state`` ...),
        as its ExecutionStarted event records it; None for other executions."""
        events = self.history
        if not events:
            return None
        note = events[0].get(NOTE) or {}
        found = note.get("forkedFrom")
        return dict(found) if isinstance(found, dict) else None

    def at(self, event_id: int) -> Any:
        """The execution as it stood at event ``event_id`` (negative: from the end): a
        :class:`~sfn_notebook.render.travel.Moment` with each state's status then, the state
        the event is about, its input and output, and the variables in scope."""
        from sfn_notebook.render.travel import moment

        return moment(self.history, event_id)

    def fork(
        self,
        at: int | str,
        *,
        visit: int = 0,
        map_iteration: int | None = None,
        input: Any = _UNSET,
        variables: Mapping[str, Any] | None = None,
        name: str | None = None,
        breakpoints: Iterable[str] | None = None,
        definition: Any = None,
    ) -> Any:
        """A new execution that begins at one state visit of this one, with that visit's input
        (or ``input``) and the variables in scope then (updated with ``variables``).

        ``at`` is the id of the visit's ``<Type>StateEntered`` event, or a state name with
        ``visit`` (0: the first visit) and, inside a Map, ``map_iteration``. What ran before
        the visit is kept from this execution, without events (as a redrive keeps it); the
        fork's ExecutionStarted records where it comes from (:attr:`forked_from`). A Runtime's
        fork runs its state machine as it is now (update it to try a fix); ``sfn.run``'s runs
        ``definition`` when given, else the same definition.
        """
        if not self.done and not self.paused:
            raise SfnNotebookError("fork from a finished (or paused) execution, not a running one")
        if self._forker is None:
            raise SfnNotebookError("this execution cannot be forked here (use Runtime.fork)")
        return self._forker(
            fork_plan(
                self,
                at,
                visit=visit,
                map_iteration=map_iteration,
                input=input,
                variables=variables,
                name=name,
                breakpoints=breakpoints,
                definition=definition,
            )
        )


def find_visit(
    events: list[Event], at: int | str, visit: int = 0, map_iteration: int | None = None
) -> Event:
    """The ``<Type>StateEntered`` event of a state visit: by its id, or by state name, visit
    number (per line of work) and Map iteration."""
    if isinstance(at, bool) or not isinstance(at, int | str):
        raise SfnNotebookError(f"fork at: an event id or a state name, not {at!r}")
    tree = EventTree()
    by_id = {int(e["id"]): e for e in events}
    for event in events:
        placed = tree.add(event)
        if placed is None:
            continue
        if isinstance(at, int):
            if event["id"] == at:  # any event of a visit stands for the visit: its entry
                return by_id[placed.entered_id]
            continue
        if (
            str(event["type"]).endswith("StateEntered")
            and placed.name == at
            and placed.ordinal == visit
            and (map_iteration is None or _iteration(placed.line) == map_iteration)
        ):
            return event
    where = f" in Map iteration {map_iteration}" if map_iteration is not None else ""
    what = f"event {at}" if isinstance(at, int) else f"visit {visit} of state '{at}'{where}"
    raise SfnNotebookError(f"fork at: the execution has no {what} that is a state's visit")


def _iteration(line: Line | None) -> int | None:
    """The index of the innermost Map iteration a line is in (None outside any Map)."""
    while line is not None and line.owner is not None:
        if line.owner.kind == "Map":
            return line.index
        line = line.owner.line
    return None


def fork_plan(
    execution: Debugging,
    at: int | str,
    *,
    visit: int = 0,
    map_iteration: int | None = None,
    input: Any = _UNSET,
    variables: Mapping[str, Any] | None = None,
    name: str | None = None,
    breakpoints: Iterable[str] | None = None,
    definition: Any = None,
) -> ForkPlan:
    """What ``Execution.fork`` hands its maker: see :meth:`Debugging.fork`."""
    events = execution.history
    entered = find_visit(events, at, visit, map_iteration)
    details = entered["stateEnteredEventDetails"]
    if details.get("inputDetails", {}).get("truncated"):
        raise SfnNotebookError(
            f"fork at state '{details['name']}': its input was truncated in the history "
            "(over 256 KiB); pass input= to fork from it"
        )
    input_text = None
    if input is not _UNSET:
        try:
            input_text = dumps(input)
        except (TypeError, ValueError) as exc:
            raise SfnNotebookError(f"fork input= must be a JSON value: {exc}") from None
    try:
        values = json.loads(dumps(dict(variables or {})))
    except (TypeError, ValueError) as exc:
        raise SfnNotebookError(f"fork variables= must hold JSON values: {exc}") from None
    replay, key = fork_from_events(list(events), int(entered["id"]), input_text, values)
    origin: dict[str, Any] = {
        "executionArn": execution.arn,
        "eventId": int(entered["id"]),
        "state": details["name"],
        "visitKey": key,
    }
    if input_text is not None:
        origin["input"] = input_text
    if values:
        origin["variables"] = {k: dumps(v) for k, v in values.items()}
    started = execution.history[0]["executionStartedEventDetails"]
    return ForkPlan(
        input_text=started.get("input", "{}"),
        replay=replay,
        note={"forkedFrom": origin},
        entered=entered,
        name=name,
        breakpoints=breakpoints,
        definition=definition,
    )
