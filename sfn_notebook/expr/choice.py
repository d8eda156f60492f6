"""Choice rules: JSONPath comparisons (``Variable``, operator, And/Or/Not), JSONata ``Condition``.

Rules are compiled when the definition loads: paths are compiled, literal operands checked and
converted (timestamps parsed, ``StringMatches`` patterns split on their stars), so evaluation
only looks values up and compares them.

>>> rule = compile_rule({"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}, "/Choices/0")
>>> rule.evaluate({"n": 2}, Scope())
True
"""

from __future__ import annotations

import datetime
import operator
import random
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr.jsonata import DEFAULT_TIMEOUT_MS, Jsonata, is_jsonata
from sfn_notebook.expr.paths import MISSING, Path, compile_path
from sfn_notebook.expr.scope import Scope

_WRONG: Final = object()  # a value of the wrong type for the operator: the rule is false
_Key = Callable[[Any], Any]


def _invalid_path(text: str) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"Invalid path '{text}': The choice state's condition path references an invalid value.",
    )


# --- value families ---------------------------------------------------------------------------


def _string_key(value: Any) -> Any:
    # AWS orders strings as Java does, by UTF-16 code units; big-endian UTF-16 bytes sort the
    # same way (code points differ for characters beyond U+FFFF against U+E000..U+FFFF).
    if not isinstance(value, str):
        return _WRONG
    return value.encode("utf-16-be", "surrogatepass")


def _number_key(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _WRONG
    return value


def _boolean_key(value: Any) -> Any:
    return value if isinstance(value, bool) else _WRONG


_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)"
)
_EPOCH_DAY: Final = datetime.date(1970, 1, 1).toordinal()


def parse_timestamp(text: str) -> int | None:
    """Epoch nanoseconds of an RFC 3339 timestamp as AWS reads it, or None.

    AWS parses like Java's ISO_OFFSET_DATE_TIME: ``T`` and an offset (``Z``, ``+01:00``) are
    required, seconds and up to nine fraction digits are optional, dates must exist.

    >>> parse_timestamp("1970-01-01T00:00:01.5Z"), parse_timestamp("2016-12-05 21:29:29Z")
    (1500000000, None)
    """
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, oh, om, os_ = match.groups()
    try:
        date = datetime.date(int(year), int(month), int(day))
        datetime.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    offset = 0
    if sign is not None:
        if int(oh) > 18 or int(om) > 59 or int(os_ or 0) > 59:
            return None
        offset = (int(oh) * 3600 + int(om) * 60 + int(os_ or 0)) * (-1 if sign == "-" else 1)
    seconds = (date.toordinal() - _EPOCH_DAY) * 86400
    seconds += int(hour) * 3600 + int(minute) * 60 + int(second or 0) - offset
    return seconds * 1_000_000_000 + int((fraction or "").ljust(9, "0"))


def _timestamp_key(value: Any) -> Any:
    parsed = parse_timestamp(value) if isinstance(value, str) else None
    return _WRONG if parsed is None else parsed


# Each comparison operator is a family (how a value becomes comparable) and a relation.
_FAMILIES: Final[dict[str, tuple[str, _Key]]] = {
    "String": ("a string", _string_key),
    "Numeric": ("a number", _number_key),
    "Boolean": ("a boolean", _boolean_key),
    "Timestamp": ("an RFC 3339 timestamp string", _timestamp_key),
}
_RELATIONS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
COMPARISONS: Final[dict[str, tuple[str, _Key, Callable[[Any, Any], bool]]]] = {
    family + relation: (kind, key, test)
    for family, (kind, key) in _FAMILIES.items()
    for relation, test in _RELATIONS.items()
    if family != "Boolean" or relation == "Equals"
}
TYPE_TESTS: Final[dict[str, Callable[[Any], bool]]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": lambda value: _number_key(value) is not _WRONG,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: isinstance(value, bool),
    "IsTimestamp": lambda value: _timestamp_key(value) is not _WRONG,
}
OPERATORS: Final = frozenset(
    {*COMPARISONS, *(name + "Path" for name in COMPARISONS), *TYPE_TESTS}
    | {"IsPresent", "StringMatches"}
)


# --- rules ------------------------------------------------------------------------------------


class Rule:
    """A compiled JSONPath Choice rule; ``pointer`` says where it came from."""

    __slots__ = ("pointer",)

    def __init__(self, pointer: str) -> None:
        self.pointer = pointer

    def evaluate(self, data: Any, scope: Scope) -> bool:
        """True when the rule matches ``data`` (the effective input); ``scope`` gives ``$$``
        and ``$var``. A missing ``Variable`` raises ``States.Runtime`` as on AWS."""
        raise NotImplementedError


class _All(Rule):
    __slots__ = ("_rules",)

    def __init__(self, pointer: str, rules: list[Rule]) -> None:
        super().__init__(pointer)
        self._rules = tuple(rules)

    def evaluate(self, data: Any, scope: Scope) -> bool:
        return all(rule.evaluate(data, scope) for rule in self._rules)


class _Any(_All):
    __slots__ = ()

    def evaluate(self, data: Any, scope: Scope) -> bool:
        return any(rule.evaluate(data, scope) for rule in self._rules)


class _Not(Rule):
    __slots__ = ("_rule",)

    def __init__(self, pointer: str, rule: Rule) -> None:
        super().__init__(pointer)
        self._rule = rule

    def evaluate(self, data: Any, scope: Scope) -> bool:
        return not self._rule.evaluate(data, scope)


class _Compare(Rule):
    __slots__ = ("_key", "_operand", "_path", "_test", "_variable")

    def __init__(
        self,
        pointer: str,
        variable: Path,
        key: _Key,
        test: Callable[[Any, Any], bool],
        *,
        operand: Any,
        path: Path | None,
    ) -> None:
        super().__init__(pointer)
        self._variable, self._key, self._test = variable, key, test
        self._operand, self._path = operand, path

    def evaluate(self, data: Any, scope: Scope) -> bool:
        value = self._variable.find(data, scope)
        if value is MISSING:
            raise _invalid_path(self._variable.text)
        left = self._key(value)
        right = self._operand
        if self._path is not None:
            other = self._path.find(data, scope)
            if other is MISSING:
                raise _invalid_path(self._path.text)
            right = self._key(other)
        # A value of another type than the operator's (a number for StringEquals) is no match.
        return left is not _WRONG and right is not _WRONG and self._test(left, right)


class _Test(Rule):
    __slots__ = ("_expected", "_predicate", "_variable")

    def __init__(
        self, pointer: str, variable: Path, predicate: Callable[[Any], bool], expected: bool
    ) -> None:
        super().__init__(pointer)
        self._variable, self._predicate, self._expected = variable, predicate, expected

    def evaluate(self, data: Any, scope: Scope) -> bool:
        value = self._variable.find(data, scope)
        if value is MISSING:
            raise _invalid_path(self._variable.text)
        return self._predicate(value) is self._expected


class _Present(_Test):
    __slots__ = ()

    def evaluate(self, data: Any, scope: Scope) -> bool:
        return (self._variable.find(data, scope) is not MISSING) is self._expected


class _Matches(Rule):
    __slots__ = ("_pattern", "_variable")

    def __init__(self, pointer: str, variable: Path, pattern: Wildcard) -> None:
        super().__init__(pointer)
        self._variable, self._pattern = variable, pattern

    def evaluate(self, data: Any, scope: Scope) -> bool:
        value = self._variable.find(data, scope)
        if value is MISSING:
            raise _invalid_path(self._variable.text)
        return isinstance(value, str) and self._pattern.matches(value)


class Wildcard:
    r"""A compiled ``StringMatches`` pattern: ``*`` matches any run of characters, ``\*`` a
    literal star and ``\\`` a literal backslash (any other backslash is itself).

    Matching never backtracks: the pattern is split on its stars into literal segments; the
    first must start the text, the last must end it and the others are found left to right
    with ``str.find`` (the leftmost occurrence is always a safe choice). That is at worst
    O(len(text) * len(pattern)), where a regex of ``.*`` runs takes time growing as len(text)
    to the power of the number of stars (71 s for ``*a*a*a*a*a*b`` against 200 a's).

    >>> Wildcard("log-*.txt").matches("log-2024.txt"), Wildcard(r"a\*").matches("ab")
    (True, False)
    """

    __slots__ = ("_first", "_last", "_middle", "_starred")

    def __init__(self, pattern: str) -> None:
        segments, current, i = [], [], 0
        while i < len(pattern):
            c = pattern[i]
            if c == "\\" and pattern[i + 1 : i + 2] in ("*", "\\"):
                current.append(pattern[i + 1])
                i += 2
                continue
            if c == "*":
                segments.append("".join(current))
                current = []
            else:
                current.append(c)
            i += 1
        segments.append("".join(current))
        self._starred = len(segments) > 1
        self._first, self._last = segments[0], segments[-1]
        self._middle = tuple(s for s in segments[1:-1] if s)

    def matches(self, text: str) -> bool:
        """Whether the whole of ``text`` matches the pattern."""
        first, last = self._first, self._last
        if not self._starred:
            return text == first
        end = len(text) - len(last)
        if end < len(first) or not text.startswith(first) or not text.endswith(last):
            return False
        at = len(first)
        for segment in self._middle:
            found = text.find(segment, at, end)
            if found < 0:
                return False
            at = found + len(segment)
        return True


def wildcard_pattern(pattern: str) -> Wildcard:
    """Compile a ``StringMatches`` pattern (see :class:`Wildcard`).

    >>> wildcard_pattern("log-*.txt").matches("log-2024.txt")
    True
    """
    return Wildcard(pattern)


def _definition_error(pointer: str, message: str, text: Any = "") -> ExpressionError:
    return ExpressionError(f"{pointer}: {message}", text if isinstance(text, str) else "")


def compile_rule(rule: Mapping[str, Any], pointer: str) -> Rule:
    """Compile a JSONPath Choice rule (``Next``, ``Comment`` ... are ignored).

    >>> r = compile_rule({"Not": {"Variable": "$.t", "StringMatches": "*.log"}}, "/Choices/0")
    >>> r.evaluate({"t": "a.txt"}, Scope())
    True
    """
    if not isinstance(rule, Mapping):
        raise _definition_error(pointer, "a Choice rule must be an object")
    for combinator, rule_class in (("And", _All), ("Or", _Any)):
        if combinator in rule:
            children = rule[combinator]
            if not isinstance(children, list) or not children:
                raise _definition_error(pointer, f"{combinator} must be a non-empty array of rules")
            where = f"{pointer}/{combinator}"
            return rule_class(
                pointer, [compile_rule(c, f"{where}/{i}") for i, c in enumerate(children)]
            )
    if "Not" in rule:
        return _Not(pointer, compile_rule(rule["Not"], f"{pointer}/Not"))
    names = [name for name in rule if name in OPERATORS]
    if len(names) != 1:
        found = ", ".join(names) or "none"
        raise _definition_error(
            pointer, f"a Choice rule needs exactly one operator (found {found})"
        )
    variable_text = rule.get("Variable")
    if not isinstance(variable_text, str):
        raise _definition_error(pointer, "a Choice rule needs a Variable path string")
    name, operand = names[0], rule[names[0]]
    variable = compile_path(variable_text)
    if name == "StringMatches":
        if not isinstance(operand, str):
            raise _definition_error(f"{pointer}/{name}", "StringMatches takes a string pattern")
        return _Matches(pointer, variable, wildcard_pattern(operand))
    if name in TYPE_TESTS or name == "IsPresent":
        if not isinstance(operand, bool):
            raise _definition_error(f"{pointer}/{name}", f"{name} takes true or false")
        if name == "IsPresent":
            return _Present(pointer, variable, bool, operand)
        return _Test(pointer, variable, TYPE_TESTS[name], operand)
    if name.endswith("Path"):
        if not isinstance(operand, str):
            raise _definition_error(f"{pointer}/{name}", f"{name} takes a path string")
        kind, key, test = COMPARISONS[name.removesuffix("Path")]
        return _Compare(pointer, variable, key, test, operand=None, path=compile_path(operand))
    kind, key, test = COMPARISONS[name]
    literal = key(operand)
    if literal is _WRONG:
        raise _definition_error(f"{pointer}/{name}", f"{name} takes {kind}", operand)
    return _Compare(pointer, variable, key, test, operand=literal, path=None)


# --- JSONata Condition ------------------------------------------------------------------------


class Condition:
    """A JSONata Choice rule's ``Condition``: ``true``/``false`` or an expression that must
    evaluate to a boolean (anything else fails with States.QueryEvaluationError).

    >>> c = compile_condition("{% $states.input.n > 1 %}", "Choices[0]/Condition")
    >>> c.evaluate({"input": {"n": 2}}, {})
    True
    """

    __slots__ = ("_expr", "_literal", "field")

    def __init__(self, value: str | bool, field: str, timeout_ms: int) -> None:
        self.field = field
        self._literal = value is True
        self._expr: Jsonata | None = None
        if not isinstance(value, bool):
            if not is_jsonata(value):
                raise ExpressionError(
                    f"{field} must be true, false or a JSONata expression {{% ... %}}", str(value)
                )
            self._expr = Jsonata(value, field, timeout_ms)

    def evaluate(
        self,
        states: Mapping[str, Any],
        variables: Mapping[str, Any],
        *,
        rng: random.Random | None = None,
        now_ms: int | None = None,
    ) -> bool:
        """Whether the rule matches; ``rng``/``now_ms`` as for :class:`Jsonata`."""
        if self._expr is None:
            return self._literal
        value = self._expr.evaluate(states, variables, rng=rng, now_ms=now_ms, expect="boolean")
        return value is True


def compile_condition(
    value: str | bool, field: str = "Condition", *, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Condition:
    """Compile a JSONata ``Condition``; ``field`` names it in causes (``Choices[0]/Condition``).

    >>> compile_condition(True).evaluate({}, {})
    True
    """
    return Condition(value, field, timeout_ms)


__all__ = [
    "COMPARISONS",
    "OPERATORS",
    "TYPE_TESTS",
    "Condition",
    "Rule",
    "Wildcard",
    "compile_condition",
    "compile_rule",
    "parse_timestamp",
    "wildcard_pattern",
]
