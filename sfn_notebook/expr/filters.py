"""JSONPath filter predicates (``[?(...)]``) as AWS evaluates them with Jayway, compiled once.

The parser follows Jayway's ``FilterCompiler`` step by step, since that decides which text AWS
accepts and what it means: a path operand ends at a blank or an operator character, an unknown
operator turns the left side into an existence test, ``!@.x`` tests absence. The evaluators
follow Jayway's ``EvaluatorFactory``, quirks included: ``==`` compares a number with a string
by their text, a missing property equals nothing (so ``!=`` and ``nin`` accept it), ``=~``
must match the whole string and ``size`` counts UTF-16 units. Where Jayway throws while
evaluating (``all``, ``empty`` with a non-boolean, ``in`` on a non-array) the test is false.

Path operands (``@.x``, ``$.limit``, ``@.tags.length()``) are compiled by the caller's
``compile_operand``, so this module knows nothing of path syntax.

>>> class Item:  # a stand-in for the operands paths.py compiles
...     def __init__(self, text): self.key = text[2:]
...     def value(self, item, root): return item.get(self.key, UNDEFINED)
...     def exists(self, item, root): return self.key in item
>>> accept = compile_filter("(@.n in [1, 2] && @.s =~ /a.*/i)", Item)
>>> accept({"n": 1, "s": "Ab"}, None), accept({"n": 3, "s": "a"}, None)
(True, False)
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final, Protocol

__all__ = ["UNDEFINED", "FilterSyntaxError", "Operand", "closing_parenthesis", "compile_filter"]

#: What a path operand yields when it matches nothing (Jayway's UndefinedNode).
UNDEFINED: Final = object()


class Operand(Protocol):
    """A compiled path inside a filter: ``@...`` reads the item tested, ``$...`` the root."""

    def value(self, item: Any, root: Any) -> Any:
        """The value the path selects (a list for indefinite paths), or :data:`UNDEFINED`."""

    def exists(self, item: Any, root: Any) -> bool:
        """Whether every property on the path is present (Jayway's REQUIRE_PROPERTIES)."""


Predicate = Callable[[Any, Any], bool]
_Node = tuple[str, Any]  # (kind, value): str, num (Decimal), bool, null, json, pattern, undef, path
_Term = Callable[[Any, Any], _Node]


class FilterSyntaxError(Exception):
    """Jayway's InvalidPathException while compiling a filter; ``position`` is 0-based."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message, self.position = message, position


class _NotInvalidPath(FilterSyntaxError):
    """Any other exception Jayway's parser meets (a bad number): never a parse fallback."""


class _Unsupported(Exception):
    """Jayway throws while evaluating this comparison; we let the test be false."""


_UNDEF: Final[_Node] = ("undef", None)
_NULL: Final[_Node] = ("null", None)
_NEVER: Final[_Node] = ("path", None)  # a list element Jayway reads as a path: equals nothing
_RELATIONAL_CHARS: Final = frozenset("<>=~!")
_NUMBER_CHARS: Final = frozenset("0123456789-.eE")
_BIG_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_REGEX_FLAGS: Final = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_ALL_FLAGS: Final = frozenset("dixmsuU")  # Java's flags; d, u and U have no Python meaning here
_UNESCAPES: Final = {"r": "\r", "f": "\f", "t": "\t", "n": "\n", "b": "\b"}


# --- scanning -------------------------------------------------------------------------------


def _next_unescaped(text: str, start: int, char: str, end: int | None = None) -> int:
    """Jayway's nextIndexOfUnescaped: the next ``char`` after ``start`` not after a backslash."""
    i, stop, escaped = start + 1, len(text) if end is None else end, False
    while i < stop:
        c = text[i]
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == char:
            return i
        i += 1
    return -1


def closing_parenthesis(text: str, start: int) -> int:
    """The ``)`` closing the ``(`` at ``start``, skipping quoted strings and ``/regexes/``;
    -1 if there is none.

    >>> closing_parenthesis("[?(@.a == ')' || @.b =~ /(/)]", 2)
    27
    """
    depth, i = 1, start + 1
    while i < len(text):
        for quote in ("'", '"', "/"):  # Jayway skips a string, then a regex, then looks
            if i < len(text) and text[i] == quote:
                close = _next_unescaped(text, i, quote)
                if close < 0:
                    raise FilterSyntaxError(f"Could not find matching close for {quote}", i)
                i = close + 1
        if i >= len(text):
            return -1
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


# --- values ---------------------------------------------------------------------------------


def _java_number(value: int | float) -> Decimal:
    """``new BigDecimal(value.toString())`` as Jayway builds its number nodes."""
    if isinstance(value, int):
        return Decimal(value)
    from sfn_notebook.expr.intrinsics import java_double  # intrinsics imports paths imports us

    return Decimal(java_double(value))


def _node(value: Any) -> _Node:
    """The node Jayway makes of a value a path selected."""
    if value is UNDEFINED:
        return _UNDEF
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("num", _java_number(value))
    if isinstance(value, str):
        return ("str", value)
    return ("json", value)


def _unescape(text: str) -> str:
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


def _element(value: Any, is_path: Callable[[str], bool]) -> _Node:
    """Jayway's toValueNode for an element of a list: strings that compile as paths or parse
    as JSON become those; other strings lose one pair of surrounding quotes."""
    if isinstance(value, str):
        trimmed = value.strip()
        if trimmed[:1] in ("@", "$") and is_path(trimmed):
            return _NEVER
        if len(trimmed) > 1 and (trimmed[0], trimmed[-1]) in (("[", "]"), ("{", "}")):
            parsed = _permissive_json(trimmed)
            if parsed is not None:
                return ("json", parsed[0])
        if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        try:
            return ("str", _unescape(value))
        except ValueError:
            raise _Unsupported from None
    if isinstance(value, list | dict):
        raise _Unsupported  # "Could not determine value type"
    return _node(value)


_SINGLE_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _permissive_json(text: str) -> tuple[Any] | None:
    """JSON as json-smart's permissive mode reads filter literals (single quotes allowed);
    a 1-tuple holding the value, or None."""
    try:
        return (json.loads(text),)
    except ValueError:
        pass
    try:
        return (json.loads(_SINGLE_QUOTED.sub(lambda m: json.dumps(_unescape(m[1])), text)),)
    except ValueError:
        return None


def _elements(node: _Node, is_path: Callable[[str], bool]) -> list[_Node] | None:
    """The nodes of a JSON array node; None for an object; Jayway throws for anything else."""
    kind, value = node
    if kind != "json":
        raise _Unsupported
    if not isinstance(value, list):
        return None
    return [_element(item, is_path) for item in value]


def _number_text(number: Decimal) -> str:
    return str(number)  # Python's Decimal prints like Java's BigDecimal.toString()


def _as_number(text: str) -> Decimal | None:
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


def _same(left: _Node, right: _Node) -> bool:
    """``left.equals(right)`` for Jayway's value nodes."""
    (lk, lv), (rk, rv) = left, right
    if lk == "str":
        return rv == lv if rk == "str" else rk == "num" and lv == _number_text(rv)
    if lk == "num":
        other = rv if rk == "num" else _as_number(rv) if rk == "str" else None
        return other is not None and lv == other
    if lk in ("bool", "null", "json"):
        return lk == rk and _java_equals(lv, rv)
    return lk == "pattern" and left is right


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")  # orders as Java's String.compareTo


def _compare(left: _Node, right: _Node) -> int | None:
    (lk, lv), (rk, rv) = left, right
    if lk == rk == "num":
        return int(lv > rv) - int(lv < rv)
    if lk == rk == "str":
        a, b = _utf16(lv), _utf16(rv)
        return (a > b) - (a < b)
    return None


def _regex_input(node: _Node) -> str:
    kind, value = node
    if kind == "str":
        return str(value)
    if kind == "num":
        return _number_text(value)
    return ("true" if value else "false") if kind == "bool" else ""


# --- evaluators, by Jayway's operator names -----------------------------------------------------

_Evaluator = Callable[[_Node, _Node, Callable[[str], bool]], bool]
_EVALUATORS: dict[str, _Evaluator] = {}


def _evaluator(*names: str) -> Callable[[_Evaluator], _Evaluator]:
    def register(function: _Evaluator) -> _Evaluator:
        for name in names:
            _EVALUATORS[name] = function
        return function

    return register


@_evaluator("==")
def _eq(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    return _same(left, right)


_evaluator("!=")(lambda left, right, is_path: not _same(left, right))
_evaluator("===")(lambda left, right, is_path: left[0] == right[0] and _same(left, right))
_evaluator("!==")(lambda left, right, is_path: not (left[0] == right[0] and _same(left, right)))


def _ordered(test: Callable[[int], bool]) -> _Evaluator:
    def evaluate(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
        order = _compare(left, right)
        return order is not None and test(order)

    return evaluate


_evaluator("<")(_ordered(lambda c: c < 0))
_evaluator("<=")(_ordered(lambda c: c <= 0))
_evaluator(">")(_ordered(lambda c: c > 0))
_evaluator(">=")(_ordered(lambda c: c >= 0))


@_evaluator("=~")
def _regex(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    if (left[0] == "pattern") == (right[0] == "pattern"):
        return False
    pattern, other = (left[1], right) if left[0] == "pattern" else (right[1], left)
    if other[0] == "json" and isinstance(other[1], list):
        items = _elements(other, is_path) or []
        return any(pattern.fullmatch(_regex_input(item)) for item in items)
    return pattern.fullmatch(_regex_input(other)) is not None


@_evaluator("IN")
def _in(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    items = _elements(right, is_path)
    return items is not None and any(_same(left, item) for item in items)


_evaluator("NIN")(lambda left, right, is_path: not _in(left, right, is_path))


@_evaluator("SIZE")
def _size(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    if right[0] != "num" or not -(2**31) <= right[1] < 2**31:
        return False  # Java's intValue() of a size beyond int wraps around: no real size
    expected = int(right[1])
    if left[0] == "str":
        return len(_utf16(left[1])) // 2 == expected
    if left[0] == "json":
        return (len(left[1]) if isinstance(left[1], list) else -1) == expected
    return False


@_evaluator("EMPTY")
def _empty(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    if right[0] != "bool":
        raise _Unsupported
    if left[0] in ("str", "json"):
        return (len(left[1]) == 0) is right[1]
    return False


@_evaluator("CONTAINS")
def _contains(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    if left[0] == "str" and right[0] == "str":
        return bool(right[1] in left[1])
    if left[0] == "json":
        items = _elements(left, is_path)
        return items is not None and any(_same(right, item) for item in items)
    return False


def _lists(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> tuple[list[_Node], ...]:
    wanted = _elements(right, is_path)
    have = _elements(left, is_path) if wanted is not None else None
    return () if wanted is None or have is None else (have, wanted)


@_evaluator("SUBSETOF")
def _subsetof(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    lists = _lists(left, right, is_path)
    return bool(lists) and all(any(_same(a, b) for b in lists[1]) for a in lists[0])


@_evaluator("ANYOF")
def _anyof(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    lists = _lists(left, right, is_path)
    return bool(lists) and any(_same(a, b) for a in lists[0] for b in lists[1])


@_evaluator("NONEOF")
def _noneof(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    lists = _lists(left, right, is_path)
    return bool(lists) and not any(_same(a, b) for a in lists[0] for b in lists[1])


@_evaluator("EXISTS")
def _exists(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    if left[0] != "bool" or right[0] != "bool":
        raise _Unsupported
    return bool(left[1] is right[1])


@_evaluator("ALL", "TYPE", "MATCHES")
def _unusable(left: _Node, right: _Node, is_path: Callable[[str], bool]) -> bool:
    raise _Unsupported  # their right sides are Java objects no filter text can produce


# --- the parser -----------------------------------------------------------------------------


class _Parser:
    """Jayway's FilterCompiler over ``text``, the ``(...)`` of a ``[?(...)]``."""

    def __init__(self, text: str, compile_operand: Callable[[str], Operand]) -> None:
        self.text, self.pos, self.compile_operand = text, 0, compile_operand

    def fail(self, message: str, invalid: bool = True) -> FilterSyntaxError:
        kind = FilterSyntaxError if invalid else _NotInvalidPath
        return kind(message, min(self.pos, len(self.text) - 1))

    def char(self, i: int | None = None) -> str:
        i = self.pos if i is None else i
        return self.text[i] if 0 <= i < len(self.text) else ""

    def blanks(self) -> str:
        while self.char() == " ":  # Jayway skips spaces only
            self.pos += 1
        return self.char()

    def significant(self, token: str) -> bool:
        self.blanks()
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def compile(self) -> Predicate:
        result = self.any_of()
        if self.blanks():
            raise self.fail(
                f"Expected end of filter expression instead of: {self.text[self.pos :]}"
            )
        return result

    def any_of(self) -> Predicate:
        return self.joined("||", self.all_of, any)

    def all_of(self) -> Predicate:
        return self.joined("&&", self.operand, all)

    def joined(
        self, token: str, read: Callable[[], Predicate], combine: Callable[[Any], bool]
    ) -> Predicate:
        """``read { token read }``, combined by ``any`` (for ``||``) or ``all`` (``&&``)."""
        terms = [read()]
        while True:
            save = self.pos
            if not self.significant(token):
                self.pos = save
                break
            terms.append(read())
        if len(terms) == 1:
            return terms[0]
        parts = tuple(terms)
        return lambda item, root: combine(term(item, root) for term in parts)

    def operand(self) -> Predicate:
        save = self.pos
        if self.blanks() == "!":
            self.pos += 1
            if self.blanks() not in ("$", "@"):
                inner = self.operand()
                return lambda item, root: not inner(item, root)
            self.pos = save  # !@.x is a path that must be absent
        if self.blanks() == "(":
            self.pos += 1
            inner = self.any_of()
            if self.blanks() != ")":
                raise self.fail("Expected character: )")
            self.pos += 1
            return inner
        return self.expression()

    def expression(self) -> Predicate:
        left, operand, must_exist = self.value()
        save = self.pos
        try:
            evaluate = self.operator()
            right, _, _ = self.value()
        except _NotInvalidPath:
            raise
        except FilterSyntaxError:
            self.pos = save  # no operator: the left side alone tests for existence
        else:
            is_path = self.is_path

            def relation(item: Any, root: Any) -> bool:
                try:
                    return evaluate(left(item, root), right(item, root), is_path)
                except _Unsupported:
                    return False

            return relation
        if operand is None:
            raise self.fail("Expected path node")
        return lambda item, root: operand.exists(item, root) is must_exist

    def operator(self) -> _Evaluator:
        self.blanks()
        begin = self.pos
        if self.char() in _RELATIONAL_CHARS:
            while self.char() in _RELATIONAL_CHARS:
                self.pos += 1
        else:
            while self.pos < len(self.text) and self.char() != " ":
                self.pos += 1
        name = self.text[begin : self.pos]
        evaluate = _EVALUATORS.get(name.upper())
        if evaluate is None:
            raise self.fail(f"Filter operator {name} is not supported!")
        return evaluate

    def value(self) -> tuple[_Term, Operand | None, bool]:
        """An operand: a term, the path it reads (if it is one), and whether it must exist."""
        c = self.blanks()
        if c == "!":
            self.pos += 1
            if self.blanks() not in ("$", "@"):
                raise self.fail("Unexpected character: !")
            return self.path(must_exist=False)
        if c in ("$", "@"):
            return self.path(must_exist=True)
        constant = self.literal()
        return (lambda item, root: constant), None, True

    def path(self, must_exist: bool) -> tuple[_Term, Operand | None, bool]:
        begin = self.pos
        self.pos += 1
        while self.pos < len(self.text):
            c = self.char()
            if c == "[":
                close = self.matching(self.pos, "[", "]")
                if close < 0:
                    raise self.fail("Square brackets does not match in filter")
                self.pos = close + 1
                c = self.char()
            if (
                not c
                or c in _RELATIONAL_CHARS
                or c == " "
                or (c == ")" and not self.closes_function(begin))
            ):
                break
            self.pos += 1
        text = self.text[begin : self.pos]
        try:
            operand = self.compile_operand(text)
        except Exception as exc:  # the path does not compile: Jayway's InvalidPathException
            raise FilterSyntaxError(f"Invalid path '{text}' in filter: {exc}", begin) from None
        value = operand.value
        return (lambda item, root: _node(value(item, root))), operand, must_exist

    def closes_function(self, lower: int) -> bool:
        """Whether the ``)`` here ends ``.name()`` of a path function rather than a group."""
        i = self.pos - 1
        while i >= 0 and self.text[i] == " ":
            i -= 1
        if i < 0 or self.text[i] != "(":
            return False
        return "." in self.text[lower + 1 : i]

    def matching(self, start: int, opening: str, closing: str) -> int:
        depth, i = 1, start + 1
        while i < len(self.text):
            if self.text[i] in ("'", '"'):
                i = _next_unescaped(self.text, i, self.text[i])
                if i < 0:
                    raise self.fail("Could not find matching close quote")
                i += 1
                if i >= len(self.text):
                    break
            if self.text[i] == opening:
                depth += 1
            elif self.text[i] == closing:
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        return -1

    def literal(self) -> _Node:
        c = self.blanks()
        if c in ("'", '"'):
            close = _next_unescaped(self.text, self.pos, c)
            if close < 0:
                raise self.fail(f"String literal does not have matching quotes. Expected {c}")
            raw, self.pos = self.text[self.pos + 1 : close], close + 1
            try:
                return ("str", _unescape(raw))
            except ValueError as exc:
                raise self.fail(str(exc), invalid=False) from None
        for word, node in (("true", ("bool", True)), ("false", ("bool", False)), ("null", _NULL)):
            if c == word[0]:
                if not self.text.startswith(word, self.pos):
                    raise self.fail(f"Expected {word} literal")
                self.pos += len(word)
                return node
        if c in ("{", "["):
            close = self.matching(self.pos, c, "}" if c == "{" else "]")
            if close < 0:
                raise self.fail(f"JSON literal not closed: expected the match of {c}")
            parsed = _permissive_json(self.text[self.pos : close + 1])
            if parsed is None:
                raise self.fail("Invalid JSON literal", invalid=False)
            self.pos = close + 1
            return ("json", parsed[0])
        if c == "/":
            return self.pattern()
        begin = self.pos
        while self.char() in _NUMBER_CHARS and self.char():
            self.pos += 1
        number = _as_number(self.text[begin : self.pos])
        if number is None:
            self.pos = begin
            raise self.fail("Failed to parse filter: expected a value", invalid=False)
        return ("num", number)

    def pattern(self) -> _Node:
        close = _next_unescaped(self.text, self.pos, "/")
        if close < 0:
            raise self.fail("Pattern not closed. Expected /")
        end = close + 1
        while self.char(end) in _ALL_FLAGS and self.char(end):
            end += 1
        flags = 0
        for flag in self.text[close + 1 : end]:
            flags |= _REGEX_FLAGS.get(flag, 0)
        try:
            compiled = re.compile(self.text[self.pos + 1 : close], flags)
        except re.error as exc:
            raise self.fail(f"Invalid regular expression: {exc}", invalid=False) from None
        self.pos = end
        return ("pattern", compiled)

    def is_path(self, text: str) -> bool:
        return _compiles(self.compile_operand, text)


@functools.lru_cache(maxsize=1024)
def _compiles(compile_operand: Callable[[str], Operand], text: str) -> bool:
    try:
        compile_operand(text)
    except Exception:  # any failure means Jayway would not read it as a path either
        return False
    return True


def compile_filter(text: str, compile_operand: Callable[[str], Operand]) -> Predicate:
    """Compile a filter's ``(...)`` into ``accept(item, root) -> bool``.

    Raises :class:`FilterSyntaxError` (with a 0-based position in ``text``) where Jayway
    rejects the filter.
    """
    if not (text.startswith("(") and text.endswith(")")):
        raise FilterSyntaxError("Filter must start with '[?(' and end with ')]'", 0)
    return _Parser(text, compile_operand).compile()
