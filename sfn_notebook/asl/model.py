"""The typed, frozen model of an Amazon States Language definition.

Every node keeps ``pointer``, the JSON pointer of the object it was read from
(``/States/Fetch/Retry/0``), and ``raw``, that object itself, so diagnostics and renderers can
point back at the source. Field names follow ASL with snake_case; a field that is absent is
``None`` unless ASL gives it a default. Path fields where ASL distinguishes "absent" (``$``) from
``null`` (discard / empty object) keep that difference: absent becomes ``"$"``, null ``None``.

>>> from sfn_notebook.asl.parse import parse
>>> d = parse('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
>>> d.states["A"].type, d.states["A"].pointer
('Pass', '/States/A')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONPATH = "JSONPath"
JSONATA = "JSONata"

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")


@dataclass(frozen=True)
class Node:
    """Something read from a definition: where it was (``pointer``) and what it said (``raw``)."""

    pointer: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Retrier(Node):
    error_equals: tuple[str, ...]
    interval_seconds: int = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: int | None = None
    jitter_strategy: str = "NONE"
    comment: str | None = None


@dataclass(frozen=True)
class Catcher(Node):
    error_equals: tuple[str, ...]
    next: str
    result_path: str | None = "$"
    output: Any = None  # JSONata
    assign: Mapping[str, Any] | None = None
    comment: str | None = None


@dataclass(frozen=True)
class ChoiceRule(Node):
    """A top-level Choice rule: the comparison (JSONPath ``raw``) or ``condition`` (JSONata)."""

    next: str
    condition: Any = None  # JSONata: '{% ... %}' or a boolean
    assign: Mapping[str, Any] | None = None
    output: Any = None
    comment: str | None = None


@dataclass(frozen=True)
class State(Node):
    """Fields every state type shares; ``query_language`` is already resolved."""

    name: str
    type: str
    query_language: str = JSONPATH
    comment: str | None = None
    next: str | None = None
    end: bool = False
    input_path: str | None = "$"
    output_path: str | None = "$"
    assign: Mapping[str, Any] | None = None
    output: Any = None  # JSONata Output

    @property
    def is_jsonata(self) -> bool:
        return self.query_language == JSONATA


@dataclass(frozen=True)
class PassState(State):
    result: Any = None
    has_result: bool = False
    result_path: str | None = "$"
    parameters: Any = None


@dataclass(frozen=True)
class TaskState(State):
    resource: str = ""
    parameters: Any = None
    arguments: Any = None
    result_selector: Any = None
    result_path: str | None = "$"
    timeout_seconds: Any = None  # int, or a JSONata string
    timeout_seconds_path: str | None = None
    heartbeat_seconds: Any = None
    heartbeat_seconds_path: str | None = None
    credentials: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True)
class ChoiceState(State):
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class WaitState(State):
    seconds: Any = None  # int, or a JSONata string
    timestamp: str | None = None
    seconds_path: str | None = None
    timestamp_path: str | None = None


@dataclass(frozen=True)
class SucceedState(State):
    pass


@dataclass(frozen=True)
class FailState(State):
    error: str | None = None
    cause: str | None = None
    error_path: str | None = None
    cause_path: str | None = None


@dataclass(frozen=True)
class ParallelState(State):
    branches: tuple[StateMachine, ...] = ()
    parameters: Any = None
    arguments: Any = None
    result_selector: Any = None
    result_path: str | None = "$"
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True)
class MapState(State):
    processor: StateMachine | None = None
    mode: str = "INLINE"  # ProcessorConfig.Mode
    execution_type: str | None = None  # ProcessorConfig.ExecutionType (DISTRIBUTED)
    items_path: str | None = "$"
    items: Any = None  # JSONata Items
    item_selector: Any = None  # ItemSelector, or the deprecated Parameters
    item_reader: Mapping[str, Any] | None = None
    item_batcher: Mapping[str, Any] | None = None
    result_writer: Mapping[str, Any] | None = None
    result_selector: Any = None
    result_path: str | None = "$"
    max_concurrency: Any = 0
    max_concurrency_path: str | None = None
    tolerated_failure_percentage: Any = None
    tolerated_failure_percentage_path: str | None = None
    tolerated_failure_count: Any = None
    tolerated_failure_count_path: str | None = None
    label: str | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True)
class StateMachine(Node):
    """A set of states with a start: the definition itself, a Parallel branch or a Map processor."""

    start_at: str
    states: Mapping[str, State]
    query_language: str = JSONPATH
    comment: str | None = None

    def walk(self) -> list[State]:
        """Every state here and in nested branches and processors, depth first."""
        found: list[State] = []
        for state in self.states.values():
            found.append(state)
            for child in children_of(state):
                found.extend(child.walk())
        return found


@dataclass(frozen=True)
class Definition(StateMachine):
    """A whole state machine definition as CreateStateMachine takes it."""

    version: str | None = None
    timeout_seconds: int | None = None


def children_of(state: State) -> tuple[StateMachine, ...]:
    """The nested state machines of a Parallel (its branches) or a Map (its processor)."""
    if isinstance(state, ParallelState):
        return state.branches
    if isinstance(state, MapState) and state.processor is not None:
        return (state.processor,)
    return ()
