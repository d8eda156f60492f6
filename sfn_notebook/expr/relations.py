"""Jayway's value nodes and relational operators, as AWS's JSONPath filters evaluate them.

A filter compares *nodes*: a value a path selected or a literal, tagged with Jayway's node kind
(``str``, ``num``, ``bool``, ``null``, ``json`` for arrays and objects, ``pattern``, ``undef``
for a path that matched nothing). Each operator is an evaluator registered under Jayway's name,
with Jayway's quirks: ``==`` compares a number with a string by their text, a missing property
equals nothing (so ``!=`` and ``nin`` accept it), ``=~`` must match the whole string, ``size``
counts UTF-16 units. Where Jayway throws while evaluating (``all``, ``empty`` with a
non-boolean, ``in`` on a non-array) the evaluator raises :class:`Unsupported` and the filter
test is false.

>>> EVALUATORS["IN"](node(1), ("json", [1.0, "a"]), lambda text: False)
True
>>> EVALUATORS["=="](node("3"), node(3), lambda text: False)
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from sfn_notebook.expr.javatext import java_double

__all__ = [
    "EVALUATORS",
    "NULL",
    "UNDEFINED",
    "Evaluator",
    "Node",
    "Unsupported",
    "as_number",
    "node",
    "permissive_json",
    "unescape",
]

#: What a path operand yields when it matches nothing (Jayway's UndefinedNode).
UNDEFINED: Final = object()

Node = tuple[str, Any]  # (kind, value): str, num (Decimal), bool, null, json, pattern, undef, path
IsPath = Callable[[str], bool]  # whether Jayway would read a string as a path


class Unsupported(Exception):
    """Jayway throws while evaluating this comparison; the filter test is false."""


_UNDEF: Final[Node] = ("undef", None)
NULL: Final[Node] = ("null", None)
_NEVER: Final[Node] = ("path", None)  # a list element Jayway reads as a path: equals nothing
_BIG_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_UNESCAPES: Final = {"r": "\r", "f": "\f", "t": "\t", "n": "\n", "b": "\b"}


# --- values ---------------------------------------------------------------------------------


def _java_number(value: int | float) -> Decimal:
    """``new BigDecimal(value.toString())`` as Jayway builds its number nodes."""
    if isinstance(value, int):
        return Decimal(value)

    return Decimal(java_double(value))


def node(value: Any) -> Node:
    """The node Jayway makes of a value a path selected."""
    if value is UNDEFINED:
        return _UNDEF
    if value is None:
        return NULL
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("num", _java_number(value))
    if isinstance(value, str):
        return ("str", value)
    return ("json", value)


def unescape(text: str) -> str:
    """Jayway's Utils.unescape for string literals; ValueError for a bad ``\\uXXXX``."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
        elif i + 1 == len(text):
            out.append("\\")
            i += 1
        elif text[i + 1] == "u":
            digits = text[i + 2 : i + 6]
            if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError(f"Unable to parse unicode value: {digits}")
            out.append(chr(int(digits, 16)))
            i += 6
        else:
            out.append(_UNESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
    return "".join(out)


def _element(value: Any, is_path: IsPath) -> Node:
    """Jayway's toValueNode for an element of a list: strings that compile as paths or parse
    as JSON become those; other strings lose one pair of surrounding quotes."""
    if isinstance(value, str):
        trimmed = value.strip()
        if trimmed[:1] in ("@", "$") and is_path(trimmed):
            return _NEVER
        if len(trimmed) > 1 and (trimmed[0], trimmed[-1]) in (("[", "]"), ("{", "}")):
            parsed = permissive_json(trimmed)
            if parsed is not None:
                return ("json", parsed[0])
        if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        try:
            return ("str", unescape(value))
        except ValueError:
            raise Unsupported from None
    if isinstance(value, list | dict):
        raise Unsupported  # "Could not determine value type"
    return node(value)


_SINGLE_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def permissive_json(text: str) -> tuple[Any] | None:
    """JSON as json-smart's permissive mode reads filter literals (single quotes allowed);
    a 1-tuple holding the value, or None."""
    try:
        return (json.loads(text),)
    except ValueError:
        pass
    try:
        return (json.loads(_SINGLE_QUOTED.sub(lambda m: json.dumps(unescape(m[1])), text)),)
    except ValueError:
        return None


def _elements(node: Node, is_path: IsPath) -> list[Node] | None:
    """The nodes of a JSON array node; None for an object; Jayway throws for anything else."""
    kind, value = node
    if kind != "json":
        raise Unsupported
    if not isinstance(value, list):
        return None
    return [_element(item, is_path) for item in value]


def _number_text(number: Decimal) -> str:
    return str(number)  # Python's Decimal prints like Java's BigDecimal.toString()


def as_number(text: str) -> Decimal | None:
    return Decimal(text) if _BIG_DECIMAL.fullmatch(text) else None


def _java_equals(a: Any, b: Any) -> bool:
    """Java's equals on the maps and lists Jayway holds: 1 is not 1.0, true is not 1."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_java_equals, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_java_equals(a[k], b[k]) for k in a)
    return bool(a == b)


def _same(left: Node, right: Node) -> bool:
    """``left.equals(right)`` for Jayway's value nodes."""
    (lk, lv), (rk, rv) = left, right
    if lk == "str":
        return rv == lv if rk == "str" else rk == "num" and lv == _number_text(rv)
    if lk == "num":
        other = rv if rk == "num" else as_number(rv) if rk == "str" else None
        return other is not None and lv == other
    if lk in ("bool", "null", "json"):
        return lk == rk and _java_equals(lv, rv)
    return lk == "pattern" and left is right


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")  # orders as Java's String.compareTo


def _compare(left: Node, right: Node) -> int | None:
    (lk, lv), (rk, rv) = left, right
    if lk == rk == "num":
        return int(lv > rv) - int(lv < rv)
    if lk == rk == "str":
        a, b = _utf16(lv), _utf16(rv)
        return (a > b) - (a < b)
    return None


def _regex_input(node: Node) -> str:
    kind, value = node
    if kind == "str":
        return str(value)
    if kind == "num":
        return _number_text(value)
    return ("true" if value else "false") if kind == "bool" else ""


# --- evaluators, by Jayway's operator names -----------------------------------------------------

Evaluator = Callable[[Node, Node, IsPath], bool]
EVALUATORS: dict[str, Evaluator] = {}


def _evaluator(*names: str) -> Callable[[Evaluator], Evaluator]:
    def register(function: Evaluator) -> Evaluator:
        for name in names:
            EVALUATORS[name] = function
        return function

    return register


@_evaluator("==")
def _eq(left: Node, right: Node, is_path: IsPath) -> bool:
    return _same(left, right)


_evaluator("!=")(lambda left, right, is_path: not _same(left, right))
_evaluator("===")(lambda left, right, is_path: left[0] == right[0] and _same(left, right))
_evaluator("!==")(lambda left, right, is_path: not (left[0] == right[0] and _same(left, right)))


def _ordered(test: Callable[[int], bool]) -> Evaluator:
    def evaluate(left: Node, right: Node, is_path: IsPath) -> bool:
        order = _compare(left, right)
        return order is not None and test(order)

    return evaluate


_evaluator("<")(_ordered(lambda c: c < 0))
_evaluator("<=")(_ordered(lambda c: c <= 0))
_evaluator(">")(_ordered(lambda c: c > 0))
_evaluator(">=")(_ordered(lambda c: c >= 0))


@_evaluator("=~")
def _regex(left: Node, right: Node, is_path: IsPath) -> bool:
    if (left[0] == "pattern") == (right[0] == "pattern"):
        return False
    pattern, other = (left[1], right) if left[0] == "pattern" else (right[1], left)
    if other[0] == "json" and isinstance(other[1], list):
        items = _elements(other, is_path) or []
        return any(pattern.fullmatch(_regex_input(item)) for item in items)
    return pattern.fullmatch(_regex_input(other)) is not None


@_evaluator("IN")
def _in(left: Node, right: Node, is_path: IsPath) -> bool:
    items = _elements(right, is_path)
    return items is not None and any(_same(left, item) for item in items)


_evaluator("NIN")(lambda left, right, is_path: not _in(left, right, is_path))


@_evaluator("SIZE")
def _size(left: Node, right: Node, is_path: IsPath) -> bool:
    if right[0] != "num" or not -(2**31) <= right[1] < 2**31:
        return False  # Java's intValue() of a size beyond int wraps around: no real size
    expected = int(right[1])
    if left[0] == "str":
        return len(_utf16(left[1])) // 2 == expected
    if left[0] == "json":
        return (len(left[1]) if isinstance(left[1], list) else -1) == expected
    return False


@_evaluator("EMPTY")
def _empty(left: Node, right: Node, is_path: IsPath) -> bool:
    if right[0] != "bool":
        raise Unsupported
    if left[0] in ("str", "json"):
        return (len(left[1]) == 0) is right[1]
    return False


@_evaluator("CONTAINS")
def _contains(left: Node, right: Node, is_path: IsPath) -> bool:
    if left[0] == "str" and right[0] == "str":
        return bool(right[1] in left[1])
    if left[0] == "json":
        items = _elements(left, is_path)
        return items is not None and any(_same(right, item) for item in items)
    return False


def _lists(left: Node, right: Node, is_path: IsPath) -> tuple[list[Node], ...]:
    wanted = _elements(right, is_path)
    have = _elements(left, is_path) if wanted is not None else None
    return () if wanted is None or have is None else (have, wanted)


@_evaluator("SUBSETOF")
def _subsetof(left: Node, right: Node, is_path: IsPath) -> bool:
    lists = _lists(left, right, is_path)
    return bool(lists) and all(any(_same(a, b) for b in lists[1]) for a in lists[0])


@_evaluator("ANYOF")
def _anyof(left: Node, right: Node, is_path: IsPath) -> bool:
    lists = _lists(left, right, is_path)
    return bool(lists) and any(_same(a, b) for a in lists[0] for b in lists[1])


@_evaluator("NONEOF")
def _noneof(left: Node, right: Node, is_path: IsPath) -> bool:
    lists = _lists(left, right, is_path)
    return bool(lists) and not any(_same(a, b) for a in lists[0] for b in lists[1])


@_evaluator("EXISTS")
def _exists(left: Node, right: Node, is_path: IsPath) -> bool:
    if left[0] != "bool" or right[0] != "bool":
        raise Unsupported
    return bool(left[1] is right[1])


@_evaluator("ALL", "TYPE", "MATCHES")
def _unusable(left: Node, right: Node, is_path: IsPath) -> bool:
    raise Unsupported  # their right sides are Java objects no filter text can produce
