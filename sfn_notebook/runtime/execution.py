"""The ``Execution`` object users hold: status, output, history, and waiting for the end."""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.execution import TERMINAL, ExecutionRecord
from sfn_notebook.runtime.debugging import Debugging, Forker, Stopper

if TYPE_CHECKING:
    from collections.abc import Callable

    from sfn_notebook.asl.model import Definition
    from sfn_notebook.engine.clock import Clock
    from sfn_notebook.engine.history import Event, History
    from sfn_notebook.engine.observe import StageLog
    from sfn_notebook.render.inspection import StateInspection
    from sfn_notebook.render.stages import VisitStages
    from sfn_notebook.render.svg import Graph


_WAITING = threading.Lock()  # guards every Execution's (ended, waiters) pair


class Execution(Debugging):
    """A local execution (running or finished, or paused at a breakpoint: see
    :class:`~sfn_notebook.runtime.debugging.Debugging` for pausing, stepping and forking).

    >>> import sfn_notebook as sfn
    >>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}})
    >>> ex.status, ex.output
    ('SUCCEEDED', 1)
    """

    def __init__(
        self,
        record: ExecutionRecord,
        state_machine_arn: str,
        definition: Definition | None = None,
        *,
        settle: Callable[[], None] | None = None,
        stop: Stopper | None = None,
        fork: Forker | None = None,
    ) -> None:
        self._record = record
        self._stopper = stop  # StopExecution, for ``stop()``
        self._forker = fork  # starts a fork, for ``fork()``
        self._settle = settle  # a stored Runtime's: commit what is queued (wait() is durable)
        # Whether it ended, and the Event of those waiting for its end, made when the first of
        # them comes before it (a short execution ends first: no Event at all).
        self._ended = record.status in TERMINAL
        self._waiters: threading.Event | None = None
        self.state_machine_arn = state_machine_arn
        #: The definition that runs (draws the graph in the rich display); None when unknown.
        self.definition = definition

    # Identity -------------------------------------------------------------------------------

    @property
    def arn(self) -> str:
        return self._record.context.execution_arn

    execution_arn = arn

    @property
    def name(self) -> str:
        return self._record.context.execution_name

    @property
    def start_date(self) -> datetime:
        return self._record.context.start_time

    @property
    def stop_date(self) -> datetime | None:
        return self._record.stop_date

    # Outcome --------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self._record.status

    @property
    def done(self) -> bool:
        return self._record.status in TERMINAL

    @property
    def input(self) -> Any:
        return self._record.context.input_value

    @property
    def output(self) -> Any:
        """The parsed output (None unless SUCCEEDED)."""
        text = self._record.output_text
        return None if text is None else json.loads(text)

    @property
    def output_json(self) -> str | None:
        return self._record.output_text

    @property
    def error(self) -> str | None:
        return self._record.error

    @property
    def cause(self) -> str | None:
        return self._record.cause

    @property
    def live_history(self) -> History:
        """The history as it grows: ``.events`` and ``.listen(callback)`` for each new event
        (what the widgets follow; a remote execution offers the same)."""
        return self._record.context.history

    @property
    def clock(self) -> Clock:
        """The clock the execution runs on (real or virtual)."""
        return self._record.context.clock

    @property
    def history(self) -> list[Event]:
        """The events so far, shaped like GetExecutionHistory's ``events``."""
        return list(self._record.context.history.events)

    # Inspection ------------------------------------------------------------------------------

    @property
    def stage_log(self) -> StageLog | None:
        """The engine's record of each state's data at each processing stage, when this
        execution keeps one (``record_stages``; by default in a notebook kernel), else None."""
        return self._record.stages

    def stage_visits(self, state: str | None = None) -> list[VisitStages]:
        """Every visit and attempt (of ``state``, when given) with its data at each stage: see
        :func:`sfn_notebook.render.stages.stage_visits`."""
        from sfn_notebook.render.stages import stage_visits

        return stage_visits(self, state)

    def inspect(
        self,
        state: str,
        visit: int | None = None,
        *,
        map_iteration: int | None = None,
        attempt: int | None = None,
    ) -> StateInspection:
        """What ``state`` got and made at each stage of its I/O pipeline, for each visit: input,
        after InputPath, Parameters/Arguments, the result, ResultSelector, ResultPath, the
        output, the variables assigned, error and cause, and the function's captured log.

        ``visit`` picks one visit by position (0 the first, -1 the last); ``map_iteration`` and
        ``attempt`` (0 for the first try) narrow the visits. The answer prints as text and shows
        as HTML in a notebook.

        >>> import sfn_notebook as sfn
        >>> ex = sfn.run({"StartAt": "M", "States": {"M": {"Type": "Map", "End": True,
        ...     "ItemProcessor": {"StartAt": "D", "States": {"D": {"Type": "Pass",
        ...     "Parameters": {"twice.$": "States.MathAdd($, $)"}, "End": True}}}}}},
        ...     [1, 2, 3], record_stages=True)
        >>> ex.inspect("D", map_iteration=2).value("output")
        {'twice': 6}
        >>> len(ex.inspect("D")), ex.inspect("D", visit=0)[0].map_iteration
        (3, 0)
        """
        from sfn_notebook.render.inspection import inspect_state

        return inspect_state(self, state, visit, map_iteration=map_iteration, attempt=attempt)

    def mark_finished(self) -> None:
        """What the launcher calls once the execution is over."""
        with _WAITING:
            self._ended = True
            waiters = self._waiters
        if waiters is not None:
            waiters.set()

    def mark_running(self) -> None:
        """Redriven: :meth:`wait` waits for the new outcome."""
        with _WAITING:
            self._ended = False
            self._waiters = None  # the old one is set: whoever still holds it has returned

    def wait(self, timeout: float | None = None) -> Execution:
        """Block until the execution ends (or ``timeout`` seconds pass); returns ``self``.

        Ctrl-C stops the waiting, not the execution. An execution with breakpoints also stops
        the waiting when it pauses. On a Runtime with a store, an execution that has ended has
        its terminal events committed to the store when this returns.
        """
        debugger = self._record.context.debugger
        # With breakpoints a pause ends the wait too (it would never end otherwise).
        paused = debugger is not None and not self._ended
        if paused and (not debugger.wait_paused(timeout) or not self.done):  # type: ignore[union-attr]
            return self
        return self.wait_finished(timeout)

    def wait_finished(self, timeout: float | None = None) -> Execution:
        """Block until the execution ends (paused or not), or ``timeout`` seconds pass."""
        with _WAITING:
            ended = self._ended
            if not ended:
                if self._waiters is None:
                    self._waiters = threading.Event()
                waiters = self._waiters
        if not ended:
            ended = waiters.wait(timeout)
        if ended and self._settle is not None:
            self._settle()
        return self

    # Files ------------------------------------------------------------------------------------

    def graph(self) -> Graph:
        """The state machine's graph coloured by this execution (so far): ``.save("run.svg")``,
        ``.save("run.png")``, ``.dot``, and a rich display.

        >>> import sfn_notebook as sfn
        >>> sfn.run({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}).graph()
        <Graph ...: 1 states>
        """
        from sfn_notebook.render.export import execution_graph

        return execution_graph(self)

    def export_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The execution as JSON text — DescribeExecution's fields and the history ``events``,
        as the console's Export gives them — written to ``path`` too when given.
        """
        from sfn_notebook.render.export import write_execution_json

        return write_execution_json(self, path)

    def __repr__(self) -> str:
        parts = [f"name={self.name!r}", f"status={self.status!r}"]
        if self.paused:
            pause = self.paused_at
            assert pause is not None
            parts.append(f"paused_at={pause.state!r}")
        if self.status == "SUCCEEDED":
            text = self._record.output_text or ""
            parts.append(f"output={text[:60] + '…' if len(text) > 60 else text}")
        elif self.error is not None:
            parts.append(f"error={self.error!r}")
        parts.append(f"events={len(self._record.context.history)}")
        return f"<Execution {' '.join(parts)}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        """Rich display: the live ExecutionView widget plus a static graph, timeline and table."""
        from sfn_notebook.notebook.display import execution_mimebundle

        return execution_mimebundle(self, include, exclude)
