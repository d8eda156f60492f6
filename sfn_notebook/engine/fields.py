"""Numeric state fields given as a literal, a JSONata expression or a ``*Path``, checked as AWS
checks them and failing with AWS's words.

One rule per kind of field, shared by every state that has such a field:

===========================  ======================================================
kind                         fields
===========================  ======================================================
:data:`NON_NEGATIVE`         Map ``MaxConcurrency``, ``ToleratedFailureCount``
:data:`POSITIVE`             Task ``TimeoutSeconds``, ``HeartbeatSeconds``; ItemBatcher
                             ``MaxItemsPerBatch``, ``MaxInputBytesPerBatch``
:data:`PERCENTAGE`           Map ``ToleratedFailurePercentage``
:data:`WAIT_SECONDS`         Wait ``Seconds`` (its ``SecondsPath`` has its own wording)
===========================  ======================================================

A ``*Path`` that matches nothing (Jayway's "Invalid path" words, recorded for TimeoutSecondsPath
and HeartbeatSecondsPath), or a value of the wrong type or range, is ``States.Runtime``: AWS
fails the execution at once, no Catch. A JSONata expression whose value is wrong is
``States.QueryEvaluationError`` with the field as the ``EvaluationFailed`` location (one that
throws or returns nothing is worded by :mod:`sfn_notebook.expr.jsonata`). Timestamps belong to the
Wait state alone and are checked there (``engine/states.py``), with the helpers below.

>>> from sfn_notebook.expr.scope import Scope
>>> field = NumberField(NON_NEGATIVE, "MaxConcurrency", None, "$.n")
>>> field.value({"n": 3}, Scope(), None)
3
>>> try:
...     field.value({"n": "x"}, Scope(), None)
... except StatesError as exc:
...     print(exc.error, exc.cause)
States.Runtime The MaxConcurrencyPath field refers to value "x" which is not a valid integer: $.n
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.pipeline import JsonataValue, jsonata_states
from sfn_notebook.errors import StatesError
from sfn_notebook.expr.jsonata import QueryEvaluationError, is_jsonata
from sfn_notebook.expr.paths import compile_path
from sfn_notebook.expr.scope import Scope


class FieldValueError(QueryEvaluationError):
    """A JSONata field whose value the state cannot use. ``link_entry``: AWS links the
    EvaluationFailed event to the state's entry (Wait, recorded Dec 2024) rather than to the
    event before it (Map Items, recorded Nov 2024)."""

    def __init__(self, cause: str, location: str, link_entry: bool = False) -> None:
        super().__init__(cause, location)
        self.link_entry = link_entry


@dataclass(frozen=True)
class Kind:
    """What one kind of field accepts, and how AWS words a value outside it."""

    integer: bool
    minimum: float
    maximum: float | None
    out_of_range: str  # formatted with ``field``
    link_entry: bool = False

    def accepts(self, value: float) -> bool:
        return value >= self.minimum and (self.maximum is None or value <= self.maximum)


# AWS: "ToleratedFailureCount cannot be negative." (recorded); the same words for MaxConcurrency
# are ours: AWS leaves such an execution RUNNING with no event after ExecutionStarted.
NON_NEGATIVE = Kind(
    integer=True, minimum=0, maximum=None, out_of_range="{field} cannot be negative."
)
# AWS's words for zero or a negative timeout, heartbeat or batch limit are unknown; ours.
POSITIVE = Kind(
    integer=True, minimum=1, maximum=None, out_of_range="{field} must be a positive integer."
)
# AWS: "ToleratedFailurePercentage must be between 0 and 100." (recorded).
PERCENTAGE = Kind(
    integer=False,
    minimum=0,
    maximum=100,
    out_of_range="{field} must be between 0 and 100.",
)
WAIT_SECONDS = Kind(
    integer=True,
    minimum=0,
    maximum=None,
    out_of_range="{field} cannot be negative.",  # AWS's words for a JSONata value: unknown
    link_entry=True,
)


def json_type(value: Any) -> str:
    """A value's JSON type name, as AWS names it in "Expected 'array', but was 'number'"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    return "array"


def inner(text: str) -> str:
    """The expression inside ``{% %}``, as AWS quotes it in messages."""
    return text.strip()[2:-2].strip()


def plain(value: Any) -> str:
    """How AWS prints a looked-up value inside a message: strings bare, the rest as JSON."""
    return value if isinstance(value, str) else dumps(value)


def unexpected_type(expression: str, field: str, expected: str, value: Any) -> str:
    """AWS's cause for a JSONata field whose value has the wrong type (recorded for Items)."""
    return (
        f"The JSONata expression '{inner(expression)}' specified for the field '{field}' "
        f"returned an unexpected result type. Expected '{expected}', but was "
        f"'{json_type(value)}' for value: {dumps(value)}"
    )


def _number(value: Any, integer: bool) -> int | float | None:
    """A *Path value as AWS reads it: a number, or text holding one ("1"); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = int(value.strip()) if integer else float(value.strip())
        except ValueError:
            return None
    if isinstance(value, float) and integer:
        return int(value) if value.is_integer() else None
    return value if isinstance(value, int | float) else None


class NumberField:
    """One numeric field of a state: a literal, a JSONata expression, or a ``*Path``."""

    __slots__ = ("_expression", "_jsonata", "_path", "field", "kind", "static")

    def __init__(self, kind: Kind, field: str, value: Any, path: str | None) -> None:
        self.kind = kind
        self.field = field
        self._expression = value if is_jsonata(value) else None
        self._jsonata = JsonataValue(value, field) if self._expression is not None else None
        self.static = None if self._expression is not None else value
        self._path = compile_path(path) if path else None

    @property
    def given(self) -> bool:
        return self.static is not None or self._jsonata is not None or self._path is not None

    def value(self, data: Any, scope: Scope, states: Any = None) -> Any:
        """The field's value for this visit, or None when the state does not set it.

        ``data`` is what a ``*Path`` reads (the effective input); ``states`` is ``$states``
        (built from ``data`` when not given).
        """
        if self._path is not None:
            return self.from_path(self._path.evaluate(data, scope))
        if self._jsonata is not None:
            if states is None:
                states = jsonata_states(data, scope)
            return self.from_jsonata(self._jsonata.apply(states, scope))
        return self.static

    def from_path(self, found: Any) -> int | float:
        assert self._path is not None
        number = _number(found, self.kind.integer)
        if number is None:
            # AWS (recorded for MaxConcurrencyPath, ToleratedFailureCountPath, MaxItemsPath and
            # ToleratedFailurePercentagePath, which says "float"): the value in quotes.
            kind = "integer" if self.kind.integer else "float"
            raise StatesError(
                "States.Runtime",
                f'The {self.field}Path field refers to value "{plain(found)}" which is not a '
                f"valid {kind}: {self._path.text}",
            )
        if not self.kind.accepts(number):
            raise StatesError("States.Runtime", self.kind.out_of_range.format(field=self.field))
        return number

    def from_jsonata(self, found: Any) -> int | float:
        assert self._expression is not None
        ok_type = (
            not isinstance(found, bool)
            and isinstance(found, int | float)
            and (not self.kind.integer or isinstance(found, int) or found.is_integer())
        )
        if not ok_type:
            # AWS's words for these fields are unknown: those it writes for Items, with the type.
            expected = "integer" if self.kind.integer else "number"
            raise FieldValueError(
                unexpected_type(self._expression, self.field, expected, found),
                self.field,
                self.kind.link_entry,
            )
        number = int(found) if self.kind.integer else found
        if not self.kind.accepts(number):
            raise FieldValueError(
                self.kind.out_of_range.format(field=self.field), self.field, self.kind.link_entry
            )
        return number
