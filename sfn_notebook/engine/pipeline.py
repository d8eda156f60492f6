"""Input and output processing, compiled once per state, for both query languages.

JSONPath: InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath -> OutputPath, with
Assign evaluated against the state's result. JSONata: Arguments -> (work) -> Output, with Assign,
both reading ``$states`` (input, context, result, errorOutput). Every failure is a
:class:`~sfn_notebook.errors.StatesError` with AWS's inner cause; the interpreter adds the
"An error occurred while executing the state ..." prefix.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, MutableMapping
from typing import Any

from sfn_notebook.engine.history import dumps
from sfn_notebook.errors import StatesError
from sfn_notebook.expr.jsonata import compile_jsonata_template
from sfn_notebook.expr.paths import compile_path, compile_reference_path
from sfn_notebook.expr.scope import Scope
from sfn_notebook.expr.template import compile_template
from sfn_notebook.limits import ASSIGN_LIMIT, VARIABLE_LIMIT, VARIABLES_LIMIT

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


def assigned_details(
    values: Mapping[str, Any], state: str, sizes: MutableMapping[str, int] | None = None
) -> dict[str, Any]:
    """``assignedVariables`` as AWS shows it in the exited event: each value as JSON text.

    Enforces AWS's variable quotas first (256 KiB a variable, 256 KiB for one Assign, 10 MiB
    for all the variables in scope); ``sizes`` holds the byte size of each variable in scope
    and is updated. AWS's guide names no error for these; States.DataLimitExceeded is the one it
    uses for every other size quota.

    >>> assigned_details({"n": 1, "s": "é"}, "Count")
    {'assignedVariables': {'n': '1', 's': '"é"'}, 'assignedVariablesDetails': {'truncated': False}}
    """
    texts = {name: dumps(value) for name, value in values.items()}
    new = {name: _utf8_size(text) for name, text in texts.items()}
    for name, size in new.items():
        if size > VARIABLE_LIMIT:
            subject = f"The variable '{name}' assigned by the state '{state}' has"
            raise _too_large(subject, size, VARIABLE_LIMIT)
    assigned = sum(new.values())
    if assigned > ASSIGN_LIMIT:
        subject = f"The variables assigned by the state '{state}' together have"
        raise _too_large(subject, assigned, ASSIGN_LIMIT)
    if sizes is not None:
        total = sum(n for name, n in sizes.items() if name not in new) + assigned
        if total > VARIABLES_LIMIT:
            subject = f"The variables in scope after the state '{state}' together have"
            raise _too_large(subject, total, VARIABLES_LIMIT)
        sizes.update(new)
    return {"assignedVariables": texts, "assignedVariablesDetails": {"truncated": False}}


def variable_sizes(variables: Mapping[str, Any]) -> MutableMapping[str, int]:
    """The byte size of each variable, mirroring a scope's ChainMap (writes go to the first).

    >>> variable_sizes({"a": "é", "b": [1, 2]})
    {'a': 4, 'b': 5}
    """
    if isinstance(variables, ChainMap):
        return ChainMap(*({k: _utf8_size(dumps(v)) for k, v in m.items()} for m in variables.maps))
    return {name: _utf8_size(dumps(value)) for name, value in variables.items()}


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _too_large(subject: str, size: int, limit: int) -> StatesError:
    return StatesError(
        "States.DataLimitExceeded",
        f"{subject} a size of {size} bytes, exceeding the maximum of {limit} bytes.",
    )
