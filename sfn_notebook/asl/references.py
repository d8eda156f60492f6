"""The workflow variables each state reads, as DescribeStateMachine's ``variableReferences``.

AWS lists, per state (nested states too, by their own names), the sorted variable names its
expressions read: path fields (``InputPath``, ``ItemsPath``, ``SecondsPath``, a Choice rule's
``Variable``...), ``"key.$"`` values of payload templates and ``Assign`` (paths and intrinsic
arguments), and JSONata ``{% %}`` expressions. ``$states``, JSONata functions and names an
expression binds itself are not variables; a plain string such as ``"$bucket"`` under a key
without ``.$`` is just text. States that read none are left out, and so is the whole field
when no state reads any (recorded: LocalStack's test_sfn_api_variable_references snapshots).

>>> doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$answer",
...        "Parameters": {"x.$": "States.Format('{}', $name)", "y": "$literal"}, "End": True}}}
>>> variable_references(doc)
{'A': ['answer', 'name']}
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

_NESTED = ("States", "Branches", "ItemProcessor", "Iterator")
_NAME = r"\$([A-Za-z_][A-Za-z0-9_]*)"
_VARIABLE = re.compile(r"(?<![\w$])" + _NAME)
_QUOTED = re.compile(r"'(?:\\.|[^'\\])*'")
_JSONATA_STRING = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'")
_CALL = re.compile(r"(?<![\w$])" + _NAME + r"\s*\(")
_BOUND = re.compile(r"(?<![\w$])" + _NAME + r"\s*:=")
_PARAMS = re.compile(r"function\s*\(([^)]*)\)")
_NOT_VARIABLES = frozenset({"states"})


def variable_references(doc: Any) -> dict[str, list[str]]:
    """``{state name: sorted variable names}`` for a definition document (may be empty)."""
    found: dict[str, set[str]] = {}
    for name, state in _states(doc):
        names: set[str] = set()
        _collect(state, names, top=True)
        if names:
            found.setdefault(name, set()).update(names)
    return {name: sorted(found[name]) for name in sorted(found)}


def _states(machine: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    states = machine.get("States") if isinstance(machine, Mapping) else None
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        yield str(name), state
        for branch in state.get("Branches") or ():
            yield from _states(branch)
        for field in ("ItemProcessor", "Iterator"):
            yield from _states(state.get(field))


def _collect(value: Any, names: set[str], *, top: bool = False, key: str = "") -> None:
    if isinstance(value, Mapping):
        for k, item in value.items():
            if top and k in _NESTED:
                continue  # nested states report their own references
            _collect(item, names, key=str(k))
    elif isinstance(value, list):
        for item in value:
            _collect(item, names, key=key)
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("{%") and text.endswith("%}"):
            names.update(_jsonata_names(text[2:-2]))
        elif (
            key.endswith(".$")
            or key == "Variable"
            or (key.endswith("Path") and key != "ResultPath")
        ):
            names.update(_path_names(text))


def _path_names(text: str) -> set[str]:
    """Variables in a JSONPath or an intrinsic call (quoted arguments are text)."""
    return {n for n in _VARIABLE.findall(_QUOTED.sub("''", text)) if n not in _NOT_VARIABLES}


def _jsonata_names(text: str) -> set[str]:
    """Variables a JSONata expression reads: not functions it calls, not names it binds."""
    code = _JSONATA_STRING.sub('""', text)
    local = set(_BOUND.findall(code))
    for params in _PARAMS.findall(code):
        local.update(_VARIABLE.findall(params))
    calls = set(_CALL.findall(code))
    return {
        n
        for n in _VARIABLE.findall(code)
        if n not in _NOT_VARIABLES and n not in local and n not in calls
    }
