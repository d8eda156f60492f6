"""Payload templates: Parameters, ResultSelector, ItemSelector and JSONPath Assign.

A template is JSON in which a key ending in ``.$`` takes its value from a path (``$.x``,
``$$.x``, ``$var``) or an intrinsic call, at any depth, including objects inside arrays. Every
other value is a constant. ``compile_template`` turns the JSON into a tree of small closures
once; a template with no ``.$`` key anywhere compiles to a constant that is only copied.

>>> from sfn_notebook.expr.scope import Scope
>>> t = compile_template({"id.$": "$.user.id", "tags": [{"n.$": "States.ArrayLength($.t)"}]},
...                      field="Parameters")
>>> t.evaluate({"user": {"id": 7}, "t": [1, 2]}, Scope())
{'id': 7, 'tags': [{'n': 2}]}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr.intrinsics import compile_intrinsic, is_intrinsic, json_text
from sfn_notebook.expr.paths import MISSING, Path, compile_path
from sfn_notebook.expr.scope import Scope

__all__ = ["Template", "compile_template"]

_Eval = Callable[[Any, Scope], Any]


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (much faster than ``copy.deepcopy``)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class Template:
    """A compiled payload template; immutable, reusable across executions and threads.

    ``evaluate`` returns fresh containers for the template's own structure; values selected
    by paths are the input's own objects, which callers treat as immutable.
    """

    __slots__ = ("_eval", "_static", "field", "is_static")

    def __init__(self, field: str, evaluator: _Eval | None, static: Any = None) -> None:
        self.field = field
        #: True when no key ends in ``.$``: evaluation is a copy of the constant.
        self.is_static = evaluator is None
        self._eval = evaluator
        self._static = static

    def __repr__(self) -> str:
        return f"Template(field={self.field!r}, static={self.is_static})"

    def evaluate(self, data: Any, scope: Scope) -> Any:
        """The payload for state input ``data``; raises StatesError when a path finds nothing.

        >>> compile_template({"a.$": "$.b"}, "Parameters").evaluate({"b": 1}, Scope())
        {'a': 1}
        """
        if self._eval is None:
            return _copy(self._static)
        return self._eval(data, scope)


def compile_template(value: Any, field: str) -> Template:
    """Compile a payload template once; ``field`` (``"Parameters"``...) locates errors.

    Raises :class:`~sfn_notebook.errors.ExpressionError` when a ``.$`` value is not a string,
    not a valid path or not a valid intrinsic call; its message names the key's location.

    >>> compile_template({"a": [1, {"b": "c"}]}, "Parameters").is_static
    True
    """
    evaluator = _compile(value, field)
    return Template(field, evaluator, None if evaluator is not None else _copy(value))


def _compile(value: Any, where: str) -> _Eval | None:
    """A closure computing ``value``, or None when it is constant (no ``.$`` key inside)."""
    if isinstance(value, dict):
        return _compile_object(value, where)
    if isinstance(value, list):
        parts = [_compile(item, f"{where}/{i}") for i, item in enumerate(value)]
        if all(p is None for p in parts):
            return None
        evals = [
            p if p is not None else _constant(item) for p, item in zip(parts, value, strict=True)
        ]
        return lambda data, scope: [e(data, scope) for e in evals]
    return None


def _compile_object(value: dict[str, Any], where: str) -> _Eval | None:
    members: list[tuple[str, _Eval | None, Any]] = []
    for key, item in value.items():
        location = f"{where}/{key}"
        if key.endswith(".$"):
            members.append((key[:-2], _dynamic(key, item, location), None))
        else:
            members.append((key, _compile(item, location), item))
    if all(e is None for _, e, _ in members):
        return None
    evals = [(k, e if e is not None else _constant(item)) for k, e, item in members]
    return lambda data, scope: {k: e(data, scope) for k, e in evals}


def _constant(value: Any) -> _Eval:
    if isinstance(value, dict | list):
        frozen = _copy(value)  # the definition's own objects stay out of every payload
        return lambda data, scope: _copy(frozen)
    return lambda data, scope: value


def _dynamic(key: str, text: Any, location: str) -> _Eval:
    """The evaluator of a ``key.$`` value: a path or an intrinsic call."""
    message = (
        f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
        f"function call (at {location})"
    )
    if not isinstance(text, str):
        raise ExpressionError(message, json_text(text))
    try:
        if is_intrinsic(text):
            return compile_intrinsic(text, field=key).evaluate
        if text.lstrip(" \t\r\n").startswith("$"):  # Jayway trims blanks around a path
            return _path_getter(compile_path(text), key)
    except ExpressionError as exc:
        raise ExpressionError(f"{message}: {exc.message}", exc.text, exc.column) from None
    raise ExpressionError(message, text, 1)


def _path_getter(path: Path, key: str) -> _Eval:
    find = path.find

    def get(data: Any, scope: Scope) -> Any:
        found = find(data, scope)
        if found is MISSING:
            raise StatesError(
                "States.Runtime",
                f"The JSONPath '{path.text}' specified for the field '{key}' could not be found "
                f"in the input '{json_text(data)}'",
            )
        return found

    return get
