"""Per-execution and per-branch state: what a running state may read and where its events go.

An :class:`ExecutionContext` holds what one execution shares (its history, clock, identity, the
task resources, the stop signal). A :class:`Frame` is one line of work inside it: the execution
itself, a Parallel branch or a Map iteration. Frames carry their own event cursor and their own
variable scope, which reads the enclosing scopes but writes only its own (AWS's rule: inner
states cannot assign outer variables).
"""

from __future__ import annotations

import functools
import random
from collections import ChainMap
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.clock import Clock
from sfn_notebook.engine.history import Cursor, History
from sfn_notebook.expr.scope import Scope
from sfn_notebook.limits import DEFAULT_LIMITS, Limits, Lineage

if TYPE_CHECKING:
    from sfn_notebook.engine.debug import Debugger
    from sfn_notebook.engine.observe import StageObserver
    from sfn_notebook.engine.replay import Replay
    from sfn_notebook.engine.resources import ResourceRegistry


def iso_millis(moment: datetime) -> str:
    """Timestamps in the context object: ISO 8601 with milliseconds and Z, as AWS writes them."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class LazyRandom(random.Random):
    """``random.Random()`` seeded from the OS on first use, not when made: seeding costs about
    a tenth of a short execution, and most executions never draw a number (only States.UUID,
    States.MathRandom, JSONata's $random, retry jitter and Map run names do).

    >>> rng = LazyRandom(); 0 <= rng.random() < 1, len(f"{rng.getrandbits(128):x}") <= 32
    (True, True)
    """

    def __init__(self) -> None:  # no seeding here: that is the point
        self._fresh = True
        self.gauss_next = None

    def _seed_now(self) -> None:
        if self._fresh:
            self._fresh = False
            super().seed(None)

    def random(self) -> float:
        if self._fresh:
            self._seed_now()
        return super().random()

    def getrandbits(self, k: int, /) -> int:
        if self._fresh:
            self._seed_now()
        return super().getrandbits(k)

    def seed(self, a: Any = None, version: int = 2) -> None:
        self._fresh = False
        super().seed(a, version)

    def getstate(self) -> tuple[Any, ...]:
        self._seed_now()
        return super().getstate()

    def setstate(self, state: tuple[Any, ...]) -> None:
        self._fresh = False
        super().setstate(state)


class StopSignal:
    """StopExecution's flag, set from any thread and read at every state of the execution:
    ``threading.Event``'s ``set``/``is_set`` without its Condition, which would cost a visible
    share of a short execution to make.

    >>> signal = StopSignal(); signal.is_set(), (signal.set(), signal.is_set())[1]
    (False, True)
    """

    __slots__ = ("_set",)

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set


@dataclass
class ExecutionContext:
    """What every frame of one execution shares."""

    clock: Clock
    history: History
    execution_arn: str
    execution_name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str
    account: str
    region: str
    input_text: str
    input_value: Any
    start_time: datetime
    resources: ResourceRegistry
    state_machine_type: str = "STANDARD"
    redrive_count: int = 0
    rng: random.Random = field(default_factory=random.Random)
    stopped: StopSignal = field(default_factory=StopSignal)
    on_task: Callable[[str], None] | None = None  # durable boundary before a task is invoked
    replay: Replay | None = None  # a redrive: the visits and Map iterations that are kept
    limits: Limits = DEFAULT_LIMITS
    lineage: Lineage = field(default_factory=Lineage)  # among nested executions
    observer: StageObserver | None = None  # sees each I/O stage of each state (engine/observe.py)
    debugger: Debugger | None = None  # breakpoints and paused lines (engine/debug.py)

    def context_execution(self) -> dict[str, Any]:
        execution: dict[str, Any] = {
            "Id": self.execution_arn,
            "Input": self.input_value,
            "StartTime": iso_millis(self.start_time),
            "Name": self.execution_name,
            "RoleArn": self.role_arn,
        }
        if self.state_machine_type == "STANDARD":  # Express executions cannot be redriven
            execution["RedriveCount"] = self.redrive_count
        return execution


class Frame:
    """One line of work: an event cursor, a variable scope and the context object's base."""

    __slots__ = (
        "_context_base",
        "abort_inner",
        "cursor",
        "execution",
        "map_item",
        "path",
        "running",
        "variable_sizes",
        "variables",
        "visits",
    )

    def __init__(
        self,
        execution: ExecutionContext,
        cursor: Cursor,
        variables: MutableMapping[str, Any],
        map_item: dict[str, Any] | None = None,
        path: str = "",
    ) -> None:
        self.execution = execution
        self.cursor = cursor
        self.variables = variables
        self.map_item = map_item
        self.path = path  # where this line of work is, in replay keys (engine/replay.py)
        self.visits: dict[str, int] | None = None  # per state: visits so far (when replaying)
        # The state type doing asynchronous work in this line now (Task, Wait, Map, Parallel), or
        # the one that failed it: what a failing sibling aborts (``<Type>StateAborted``).
        self.running: str | None = None
        # Set by a running Map or Parallel: ends its own running lines when it is aborted.
        self.abort_inner: Callable[[int], None] | None = None
        # The byte size of each variable in scope, for AWS's 10 MiB quota: built on the first
        # Assign of this frame (engine/pipeline.py), shared with the frames of its branches.
        self.variable_sizes: MutableMapping[str, int] | None = None
        # The context object's Execution and StateMachine, built when a state first reads ``$$``
        # (most never do) and shared with child frames: a Map of 10,000 items builds it once.
        self._context_base: dict[str, Any] | None = None

    def context_base(self) -> dict[str, Any]:
        base = self._context_base
        if base is None:
            execution = self.execution
            base = self._context_base = {
                "Execution": execution.context_execution(),
                "StateMachine": {
                    "Id": execution.state_machine_arn,
                    "Name": execution.state_machine_name,
                },
            }
        return base

    def child(
        self, cursor: Cursor, map_item: dict[str, Any] | None = None, path: str = ""
    ) -> Frame:
        """A frame for a branch or iteration: reads this scope, writes its own."""
        frame = Frame(self.execution, cursor, ChainMap({}, self.variables), map_item, path)
        frame._context_base = self._context_base
        if self.variable_sizes is not None:
            frame.variable_sizes = ChainMap({}, self.variable_sizes)
        return frame

    def visit_key(self, state_name: str) -> str:
        """The replay key of the next visit to a state in this frame (``<path>/<name>#<n>``)."""
        visits = self.visits if self.visits is not None else {}
        count = visits.get(state_name, 0)
        visits[state_name] = count + 1
        self.visits = visits
        return f"{self.path}/{state_name}#{count}"

    def scope(
        self,
        state_name: str,
        entered: datetime,
        retry_count: int | None = None,
        token: str | None = None,
    ) -> Scope:
        return _StateScope(self, state_name, entered, retry_count, token)


class _StateScope(Scope):
    """A state's Scope whose context object and clock reading are built on first use: most
    states never read ``$$``, and building it for each of them is a visible share of a run."""

    def __init__(
        self,
        frame: Frame,
        state_name: str,
        entered: datetime,
        retry_count: int | None,
        token: str | None,
    ) -> None:
        self.variables = frame.variables
        self.rng = frame.execution.rng
        self._frame = frame
        self._state = (state_name, entered, retry_count, token)

    @functools.cached_property
    def context(self) -> dict[str, Any]:  # type: ignore[override]
        state_name, entered, retry_count, token = self._state
        frame = self._frame
        context = dict(frame.context_base())
        state: dict[str, Any] = {"EnteredTime": iso_millis(entered), "Name": state_name}
        if retry_count is not None:  # AWS shows it only in states that can retry
            state["RetryCount"] = retry_count
        context["State"] = state
        if frame.map_item is not None:
            context["Map"] = {"Item": frame.map_item}
        if token is not None:
            context["Task"] = {"Token": token}
        return context

    @functools.cached_property
    def now_ms(self) -> int:  # type: ignore[override]
        return int(self._frame.execution.clock.now().timestamp() * 1000)
