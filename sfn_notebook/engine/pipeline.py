"""Input and output processing, compiled once per state, for both query languages.

JSONPath: InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath, with
Assign evaluated against the state's result. JSONata: Arguments -> (work) -> Output, with Assign,
both reading ``$states`` (input, context, result, errorOutput). Every failure is a
:class:`~sfn_notebook.errors.StatesError` with AWS's inner cause; the interpreter adds the
"An error occurred while executing the state ..." prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfn_notebook.engine.history import dumps
from sfn_notebook.errors import StatesError
from sfn_notebook.expr.jsonata import compile_jsonata_template
from sfn_notebook.expr.paths import compile_path, compile_reference_path
from sfn_notebook.expr.scope import Scope
from sfn_notebook.expr.template import compile_template

_ABSENT = object()


class InputPath:
    """InputPath / OutputPath: ``$`` keeps the value, null gives ``{}``, a path selects."""

    __slots__ = ("_path",)

    def __init__(self, text: str | None) -> None:
        self._path = None if text in (None, "$") else compile_path(text)
        if text is None:
            self._path = _ABSENT  # type: ignore[assignment]

    def apply(self, data: Any, scope: Scope) -> Any:
        path = self._path
        if path is None:
            return data
        if path is _ABSENT:
            return {}
        return path.evaluate(data, scope)  # type: ignore[attr-defined]


class ResultPath:
    """Where a result goes in the state's input: ``$`` replaces it, null discards the result."""

    __slots__ = ("_mode", "_ref")

    def __init__(self, text: str | None) -> None:
        self._mode = "discard" if text is None else "replace" if text == "$" else "assign"
        self._ref = compile_reference_path(text) if self._mode == "assign" else None

    def apply(self, state_input: Any, result: Any) -> Any:
        if self._mode == "replace":
            return result
        if self._mode == "discard":
            return state_input
        assert self._ref is not None
        return self._ref.assign(state_input, result)


class Payload:
    """A payload template (Parameters, ResultSelector, ItemSelector, JSONPath Assign)."""

    __slots__ = ("_template",)

    def __init__(self, value: Any, field: str) -> None:
        self._template = compile_template(value, field)

    def apply(self, data: Any, scope: Scope) -> Any:
        return self._template.evaluate(data, scope)


class JsonataValue:
    """A JSONata-mode field (Arguments, Output, Assign, Items ...): JSON with ``{% %}`` inside."""

    __slots__ = ("_template",)

    def __init__(self, value: Any, field: str) -> None:
        self._template = compile_jsonata_template(value, field)

    def apply(self, states: Mapping[str, Any], scope: Scope) -> Any:
        return self._template.evaluate(states, scope.variables, rng=scope.rng, now_ms=scope.now_ms)


def jsonata_states(
    data: Any, scope: Scope, result: Any = _ABSENT, error_output: Any = _ABSENT
) -> dict[str, Any]:
    """The ``$states`` binding of a JSONata state."""
    states = {"input": data, "context": scope.context}
    if result is not _ABSENT:
        states["result"] = result
    if error_output is not _ABSENT:
        states["errorOutput"] = error_output
    return states


class Assign:
    """A state's (or a catcher's or a Choice rule's) Assign, in either query language."""

    __slots__ = ("_jsonata", "_payload")

    def __init__(self, value: Mapping[str, Any], field: str, jsonata: bool) -> None:
        self._jsonata = JsonataValue(value, field) if jsonata else None
        self._payload = None if jsonata else Payload(value, field)

    def evaluate(self, data: Any, scope: Scope, states: Mapping[str, Any] | None) -> dict[str, Any]:
        """The new values; ``data`` is what ``$`` means (JSONPath), ``states`` is $states."""
        if self._jsonata is not None:
            assert states is not None
            values = self._jsonata.apply(states, scope)
        else:
            assert self._payload is not None
            values = self._payload.apply(data, scope)
        if not isinstance(values, dict):
            raise StatesError("States.Runtime", "Assign must evaluate to an object")
        return values


def assigned_details(values: Mapping[str, Any]) -> dict[str, Any]:
    """``assignedVariables`` as AWS shows it in the exited event: each value as JSON text."""
    return {
        "assignedVariables": {name: dumps(value) for name, value in values.items()},
        "assignedVariablesDetails": {"truncated": False},
    }
