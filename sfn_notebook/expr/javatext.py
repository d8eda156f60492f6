"""Values as AWS's Java runtime prints them: ``Double.toString``, ``toString()`` of a map or
list, and compact JSON as Jackson writes it.

The expression layers (paths, relations, intrinsics, the walker) all print values this way;
the printing has no dependencies of its own, so it sits below them all.

>>> json_text({"a": [1, 1e7]}), java_text({"a": [1, "x"]})
('{"a":[1,1.0E7]}', '{a=[1, x]}')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["java_double", "java_text", "json_text"]


def java_double(x: float) -> str:
    """``Double.toString``: what AWS prints for a JSON number with a fraction or exponent.

    >>> java_double(1.5), java_double(1e7), java_double(0.0001), java_double(3.0)
    ('1.5', '1.0E7', '1.0E-4', '3.0')
    """
    if math.isnan(x) or math.isinf(x):
        return "NaN" if math.isnan(x) else "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    parts = Decimal(repr(abs(x))).as_tuple()  # repr holds the shortest round-tripping digits
    digits = "".join(map(str, parts.digits)).rstrip("0") or "0"
    exponent = int(parts.exponent) + len(parts.digits) - len(digits)
    if 1e-3 <= abs(x) < 1e7:
        point = len(digits) + exponent
        if exponent >= 0:
            return f"{sign}{digits}{'0' * exponent}.0"
        if point > 0:
            return f"{sign}{digits[:point]}.{digits[point:]}"
        return f"{sign}0.{'0' * -point}{digits}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{len(digits) - 1 + exponent}"


def java_text(value: Any) -> str:
    """``toString()`` of the Java value AWS holds: maps print as ``{k=v, ...}``, strings bare.

    >>> java_text({"a": 1, "b": [True, None, "x"]})
    '{a=1, b=[true, null, x]}'
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}={java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    return json_text(value)


_ESCAPES = {i: f"\\u{i:04X}" for i in range(32)}
_ESCAPES.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\"})


def json_text(value: Any) -> str:
    """Compact JSON as Jackson writes it (no spaces, raw non-ASCII, Java doubles).

    >>> json_text({"a": [1, 2.5, "é"], "b": None})
    '{"a":[1,2.5,"é"],"b":null}'
    """
    if value is None or value is True or value is False:
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.translate(_ESCAPES) + '"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, Mapping):
        return (
            "{" + ",".join(json_text(str(k)) + ":" + json_text(v) for k, v in value.items()) + "}"
        )
    return "[" + ",".join(json_text(v) for v in value) + "]"
