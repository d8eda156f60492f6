"""Every limit an execution runs under, with its default and the reason for it, in one place.

AWS's own quotas are enforced as AWS enforces them and are not configurable (AWS does not let
you change them either). A notebook kernel needs a few guards AWS has no use for, because a
runaway workflow on AWS costs money while here it kills the kernel; those are fields of
:class:`Limits`, passed as ``sfn.Runtime(limits=...)`` or ``sfn.run(..., limits=...)``.

======================================  ===========  ==========================================
limit                                   default      when exceeded
======================================  ===========  ==========================================
**AWS's quotas (fixed)**
payload: state input/output, result     256 KiB      ``States.DataLimitExceeded``
history events, STANDARD                25,000       execution FAILED, ``States.Runtime``
EXPRESS duration                        5 minutes    execution TIMED_OUT (``ExecutionTimedOut``);
                                                     under the virtual clock checked as each
                                                     state is entered and when it ends
one variable (Assign)                   256 KiB      ``States.DataLimitExceeded``
all variables of one Assign             256 KiB      ``States.DataLimitExceeded``
all variables in scope                  10 MiB       ``States.DataLimitExceeded``
an execution's cause                    32,768       cut to that length (DescribeExecution's)
**sfn-notebook's guards (Limits)**
``nesting_depth``                       32           the startExecution Task fails with
                                                     ``StepFunctions.ExecutionLimitExceededException``
``nested_executions`` (per root)        10,000       as above
``express_events``                      100,000      execution FAILED, ``States.Runtime``
``jsonata_string_length``               16 Mi chars  ``States.QueryEvaluationError``
``recorded_stages`` (per execution)     64 MiB       later stages are not recorded; the state
                                                     inspector says so
======================================  ===========  ==========================================

AWS states the 10 MiB as "per execution"; we count the variables a state can see (its own
scope and the enclosing ones), so concurrent Map iterations are not added together. AWS's guide
names no error for the variable quotas; ``States.DataLimitExceeded`` is the one it uses for every
other size quota.

Why these guards, and why these defaults:

* ``nesting_depth``: how many executions started through ``states:startExecution`` run one
  inside another (an execution that has ended no longer counts, so the "continue as new"
  pattern, where each execution starts its successor and ends, never reaches it). AWS has no
  depth limit; it has only the account's 1,000,000 open executions and StartExecution
  throttling, which a local runtime cannot meaningfully mimic. A state machine that starts
  itself with ``.sync`` nested 61,151 executions in 20 s. Real nesting is rarely deeper than a
  handful of levels.
* ``nested_executions``: how many executions one root execution may start, directly or through
  its descendants, over its whole life. It catches fire-and-forget self-starts, which stay
  shallow. Raise it for a long "continue as new" chain.
* ``express_events``: AWS keeps no history for EXPRESS executions, so it has no event quota for
  them; we keep every event in memory, and a Pass/Choice loop reached 2.2 M events and a
  MemoryError in 30 s. 100,000 is four times STANDARD's quota.
* ``jsonata_string_length``: jsonatapy allocates natively, and an allocation that fails aborts
  the whole process: ``$pad("x", 2e9)`` does, and so do ``$replace``, ``$join`` and ``$string``
  of a value that repeats a 256 KiB string 873,782 times (``$range`` and ``$map`` build that in
  one expression). ``$pad``, ``$join``, ``$replace`` and ``$string`` measure what they would build
  before building it. Not covered: a string doubled by ``&`` inside one expression (measured
  here: a ``$reduce`` doubling reached 3.7 GB before the evaluation timeout stopped it, after
  19 s), and a huge result handed back to Python (a ``$map`` that repeats a large string), which
  fails with a MemoryError or exhausts memory. Across states, the 256 KiB variable and payload
  quotas stop both.

* ``recorded_stages``: what the state inspector keeps of one execution's data flow (each
  stage's JSON text plus about 200 bytes a stage; see :class:`~sfn_notebook.engine.observe.
  StageLog`), recorded by default in a notebook kernel. A 1,000-iteration Map of 200-byte items
  records 6,000 stages, counted as 3.8 MB (1.6 MB measured: a value handed on unchanged from
  one stage to the next shares its text); a run past the cap keeps its first stages, and the
  inspector marks the visits it has no stages for.

>>> Limits().nesting_depth
32
>>> Limits.of({"express_events": 500}).express_events
500
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sfn_notebook.errors import ServiceError, SfnNotebookError

# AWS's quotas -------------------------------------------------------------------------------
PAYLOAD_LIMIT: Final = 256 * 1024  # bytes: inputs, outputs and results
EVENT_LIMIT: Final = 25_000  # STANDARD executions' history
EXPRESS_DURATION: Final = 300  # seconds an EXPRESS execution may run
VARIABLE_LIMIT: Final = 256 * 1024  # bytes of one variable's JSON
ASSIGN_LIMIT: Final = 256 * 1024  # bytes of all the variables one Assign sets
VARIABLES_LIMIT: Final = 10 * 1024 * 1024  # bytes of all variables an execution holds
CAUSE_LIMIT: Final = 32_768  # characters of an execution's cause (DescribeExecution)


class LimitsError(SfnNotebookError, ValueError):
    """A :class:`Limits` value that is not a positive whole number, or an unknown field."""

    code = "ValidationException"


@dataclass(frozen=True)
class Limits:
    """sfn-notebook's guards against runaway work (see the module's table for the reasons).

    >>> Limits(nesting_depth=4).nesting_depth, Limits().express_events
    (4, 100000)
    """

    nesting_depth: int = 32
    nested_executions: int = 10_000
    express_events: int = 100_000
    jsonata_string_length: int = 16 * 1024 * 1024
    recorded_stages: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise LimitsError(
                    f"Limits.{spec.name} must be a positive whole number, not {value!r}"
                )

    @classmethod
    def of(cls, value: Limits | Mapping[str, Any] | None) -> Limits:
        """``value`` as Limits: None gives the defaults, a mapping overrides some of them."""
        if value is None:
            return DEFAULT_LIMITS
        if isinstance(value, Limits):
            return value
        if isinstance(value, Mapping):
            known = {spec.name for spec in dataclasses.fields(cls)}
            unknown = sorted(set(value) - known)
            if unknown:
                raise LimitsError(
                    f"Unknown limit {unknown[0]!r}; the limits are {', '.join(sorted(known))}"
                )
            return cls(**value)
        raise LimitsError(f"limits must be a Limits or a dict, not {type(value).__name__}")


DEFAULT_LIMITS: Final = Limits()

# The limits of the execution running in this context: the engine sets it when an execution
# starts (asyncio tasks inherit it), and JSONata's host functions read it.
ACTIVE: contextvars.ContextVar[Limits] = contextvars.ContextVar(
    "sfn_limits", default=DEFAULT_LIMITS
)


class NestingLimitExceeded(ServiceError):
    """A nested StartExecution refused by :class:`Limits` (AWS's ExecutionLimitExceeded)."""

    code = "ExecutionLimitExceeded"


class Lineage:
    """Where an execution sits among nested executions: its running parent and its root.

    >>> child = Lineage().child(Limits(nesting_depth=1))
    >>> child.depth
    1
    >>> try:
    ...     child.child(Limits(nesting_depth=1))
    ... except NestingLimitExceeded as refused:
    ...     print(refused.code)
    ExecutionLimitExceeded
    """

    __slots__ = ("parent", "root", "running", "started")

    def __init__(self, parent: Lineage | None = None) -> None:
        self.parent = parent
        self.root: Lineage = self if parent is None else parent.root
        self.running = True
        self.started = 0  # on a root: the executions started beneath it

    @property
    def depth(self) -> int:
        """How many running executions this one runs inside (a root's depth is 0)."""
        depth, node = 0, self.parent
        while node is not None and node.running:
            depth, node = depth + 1, node.parent
        return depth

    def child(self, limits: Limits) -> Lineage:
        """The lineage of an execution this one starts; raises when a limit refuses it."""
        depth = self.depth + 1
        if depth > limits.nesting_depth:
            raise NestingLimitExceeded(
                f"Nested execution refused: it would run {depth} levels deep, beyond "
                f"sfn-notebook's Limits.nesting_depth={limits.nesting_depth}. A state machine "
                "that starts itself and waits recurses without end; raise the limit with "
                "Runtime(limits={'nesting_depth': ...}) if the depth is intended."
            )
        root = self.root
        if root.started >= limits.nested_executions:
            raise NestingLimitExceeded(
                f"Nested execution refused: its root execution has already started "
                f"{root.started} nested executions, sfn-notebook's "
                f"Limits.nested_executions={limits.nested_executions}. Raise it with "
                "Runtime(limits={'nested_executions': ...}) if that many are intended."
            )
        root.started += 1
        return Lineage(self)

    def ended(self) -> None:
        """The execution has ended: it no longer counts towards its descendants' depth."""
        self.running = False
        self.parent = None  # ancestors above an ended execution never count again
