"""The 18 ``States.*`` intrinsic functions: a lexer, a parser and a registry, compiled once.

``compile_intrinsic`` turns ``States.Format('{} items', States.ArrayLength($.items))`` into a
tree of calls, literals and compiled paths; evaluating it never parses again. Functions register
with :func:`intrinsic` into a registry (:data:`FUNCTIONS`), which checks their arity when an
expression compiles; a caller may pass its own registry. Failures inside a function are
``States.IntrinsicFailure``; a path argument that matches nothing is ``States.Runtime``.

Values print as AWS's Java runtime prints them (:mod:`sfn_notebook.expr.javatext`, re-exported
here as :func:`java_text`, :func:`json_text`, :func:`java_double`).

>>> from sfn_notebook.expr.scope import Scope
>>> compile_intrinsic("States.Format('{} items', States.ArrayLength($.a))").evaluate(
...     {"a": [1, 2]}, Scope())
'2 items'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr.javatext import java_double, java_text, json_text
from sfn_notebook.expr.paths import MISSING, Path, compile_path
from sfn_notebook.expr.scope import Scope

__all__ = [
    "FUNCTIONS",
    "Intrinsic",
    "IntrinsicFunction",
    "compile_intrinsic",
    "intrinsic",
    "is_intrinsic",
    "java_double",
    "java_text",
    "json_text",
]

FAILURE = "States.IntrinsicFailure"
MAX_NESTING = 10  # AWS: "You can nest up to 10 intrinsic functions within a field"


# --- the expression tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Literal:
    value: Any
    # For string literals: the text split at unescaped "{}" (None marks a placeholder), and
    # why it cannot be a States.Format template, if it cannot.
    pieces: tuple[str | None, ...] | None = None
    brace_error: str | None = None

    def evaluate(self, data: Any, scope: Scope, field: str | None) -> Any:
        return self.value


@dataclass(frozen=True)
class _PathArg:
    path: Path

    def evaluate(self, data: Any, scope: Scope, field: str | None) -> Any:
        value = self.path.find(data, scope)
        if value is MISSING:
            where = f" specified for the field '{field}'" if field else ""
            raise StatesError(
                "States.Runtime",
                f"The JSONPath '{self.path.text}'{where} could not be found in the input "
                f"'{json_text(data)}'",
            )
        return value


@dataclass(frozen=True)
class _Call:
    name: str
    function: IntrinsicFunction
    args: tuple[_Node, ...]

    def evaluate(self, data: Any, scope: Scope, field: str | None) -> Any:
        values = [arg.evaluate(data, scope, field) for arg in self.args]
        return self.function.impl(self, values, scope)

    def fail(self, detail: str) -> StatesError:
        """The ``States.IntrinsicFailure`` this call raises for bad arguments."""
        return StatesError(FAILURE, f"Invalid arguments in {self.name}: {detail}")


_Node = _Literal | _PathArg | _Call


@dataclass(frozen=True)
class IntrinsicFunction:
    """A registered function: its name, how many arguments it takes, and its implementation.

    ``impl(call, args, scope)`` gets the evaluated arguments; it raises ``call.fail(detail)``.
    """

    name: str
    min_args: int
    max_args: int | None
    impl: _Impl


_Impl = Callable[[_Call, list[Any], Scope], Any]

#: Every ``States.*`` function, by name. Pass your own mapping to ``compile_intrinsic`` to extend.
FUNCTIONS: dict[str, IntrinsicFunction] = {}


def intrinsic(name: str, min_args: int, max_args: int | None = -1) -> Callable[[_Impl], _Impl]:
    """Register an intrinsic taking ``min_args`` to ``max_args`` arguments (None: no limit).

    >>> @intrinsic("States.Twice", 1)
    ... def _twice(call, args, scope):
    ...     return args[0] * 2
    >>> _ = FUNCTIONS.pop("States.Twice")
    """

    def register(impl: _Impl) -> _Impl:
        upper = min_args if max_args == -1 else max_args
        FUNCTIONS[name] = IntrinsicFunction(name, min_args, upper, impl)
        return impl

    return register


class Intrinsic:
    """A compiled intrinsic call; immutable and reusable across executions and threads."""

    __slots__ = ("_call", "field", "text")

    def __init__(self, text: str, call: _Call, field: str | None) -> None:
        self.text, self._call, self.field = text, call, field

    def evaluate(self, data: Any, scope: Scope) -> Any:
        """The call's value for state input ``data``; raises StatesError on failure."""
        return self._call.evaluate(data, scope, self.field)


# --- lexer and parser -----------------------------------------------------------------------------

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_ESCAPABLE = "'{}\\"


def is_intrinsic(text: Any) -> bool:
    """Whether a ``.$`` value is an intrinsic call rather than a path.

    >>> is_intrinsic("States.UUID()"), is_intrinsic("$.a")
    (True, False)
    """
    return isinstance(text, str) and text.startswith("States.")


def compile_intrinsic(
    text: str, field: str | None = None, *, registry: Mapping[str, IntrinsicFunction] | None = None
) -> Intrinsic:
    """Parse ``States.Name(args...)`` once; ``field`` names the ``.$`` key in error messages.

    Raises :class:`~sfn_notebook.errors.ExpressionError` (1-based column) on syntax errors,
    unknown functions, wrong argument counts and nesting deeper than AWS allows.

    >>> compile_intrinsic("States.MathAdd(1, 2)").evaluate(None, Scope())
    3
    """
    parser = _Parser(text, FUNCTIONS if registry is None else registry)
    node = parser.expression(depth=1)
    parser.skip_blanks()
    if parser.pos != len(text):
        raise parser.error("Unexpected text after the intrinsic function call")
    if not isinstance(node, _Call):
        raise ExpressionError("Expected an intrinsic function call", text, 1)
    return Intrinsic(text, node, field)


class _Parser:
    """Recursive descent over the text; each method leaves ``pos`` after what it read."""

    def __init__(self, text: str, registry: Mapping[str, IntrinsicFunction]) -> None:
        self.text, self.pos, self.registry = text, 0, registry

    def error(self, message: str, pos: int | None = None) -> ExpressionError:
        return ExpressionError(message, self.text, (self.pos if pos is None else pos) + 1)

    def skip_blanks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def expression(self, depth: int) -> _Node:
        self.skip_blanks()
        if self.pos >= len(self.text):
            raise self.error("Expected an argument")
        c = self.text[self.pos]
        if c == "'":
            return self.string()
        if c == "$":
            return self.path()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            is_float = number.group(1) or number.group(2)
            return _Literal(float(number.group()) if is_float else int(number.group()))
        name = _NAME.match(self.text, self.pos)
        if not name:
            raise self.error(f"Unexpected character '{c}'")
        start, self.pos = self.pos, name.end()
        if name.group() in ("true", "false", "null"):
            return _Literal({"true": True, "false": False, "null": None}[name.group()])
        return self.call(name.group(), start, depth)

    def call(self, name: str, start: int, depth: int) -> _Call:
        function = self.registry.get(name)
        if function is None:
            raise self.error(f"Unknown intrinsic function '{name}'", start)
        if depth > MAX_NESTING:
            raise self.error(f"Intrinsic functions nest at most {MAX_NESTING} deep", start)
        self.skip_blanks()
        if not self.text.startswith("(", self.pos):
            raise self.error(f"Expected '(' after {name}")
        self.pos += 1
        args: list[_Node] = []
        self.skip_blanks()
        if self.text.startswith(")", self.pos):
            self.pos += 1
        else:
            while True:
                args.append(self.expression(depth + 1))
                self.skip_blanks()
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                elif self.text.startswith(")", self.pos):
                    self.pos += 1
                    break
                else:
                    raise self.error("Expected ',' or ')'")
        low, high = function.min_args, function.max_args
        if len(args) < low or (high is not None and len(args) > high):
            expected = f"{low}" if low == high else f"{low} to {high}" if high else f"{low} or more"
            raise self.error(f"{name} takes {expected} arguments, got {len(args)}", start)
        return _Call(name, function, tuple(args))

    def string(self) -> _Literal:
        start, i = self.pos, self.pos + 1
        pieces: list[str | None] = []
        current: list[str] = []
        brace_error: str | None = None
        while i < len(self.text) and self.text[i] != "'":
            c = self.text[i]
            if c == "\\":
                escaped = self.text[i + 1 : i + 2]
                if not escaped or escaped not in _ESCAPABLE:
                    raise self.error("Invalid escape: only \\' \\{ \\} and \\\\ are allowed", i)
                current.append(escaped)
                i += 2
                continue
            if c == "{" and self.text.startswith("{}", i):
                pieces.extend(["".join(current), None])
                current = []
                i += 2
                continue
            if c in "{}":
                brace_error = brace_error or f"unescaped '{c}' in the template"
            current.append(c)
            i += 1
        if i >= len(self.text):
            raise self.error("Unterminated string literal", start)
        self.pos = i + 1
        pieces.append("".join(current))
        value = "".join("{}" if p is None else p for p in pieces)
        return _Literal(value, tuple(pieces), brace_error)

    def path(self) -> _PathArg:
        start, i, depth, quote = self.pos, self.pos, 0, ""
        while i < len(self.text):
            c = self.text[i]
            if quote:
                quote = "" if c == quote and self.text[i - 1] != "\\" else quote
            elif c in "'\"" and depth:
                quote = c
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
            elif depth == 0 and self.text.startswith("()", i):
                i += 1  # a path function such as .length() belongs to the path
            elif depth == 0 and c in ",) \t\r\n":
                break
            i += 1
        self.pos = i
        try:
            return _PathArg(compile_path(self.text[start:i]))
        except ExpressionError as exc:
            raise self.error(exc.message, start + (exc.column or 1) - 1) from None


# --- argument checks shared by the functions --------------------------------------------------


_KINDS: dict[type, tuple[str, str]] = {
    str: ("string", "a string"),
    list: ("array", "an array"),
    dict: ("object", "an object"),
    bool: ("boolean", "a boolean"),
}


def _type(value: Any) -> str:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return "null" if value is None else "number"
    return _KINDS.get(type(value), (type(value).__name__, ""))[0]


def _want(call: _Call, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
        article = _KINDS[kind][1] if isinstance(kind, type) else "a number"
        raise call.fail(f"{what} must be {article}, but was {_type(value)}")
    return value


def _integer(call: _Call, value: Any, what: str, *, rounded: bool = False) -> int:
    _want(call, value, (int, float), what)
    if isinstance(value, int):
        return value
    if rounded:  # Java's Math.round: halves go up, also when negative
        return math.floor(float(value) + 0.5)
    if not value.is_integer():
        raise call.fail(f"{what} must be an integer, but was {java_double(value)}")
    return int(value)


def _limit(call: _Call, text: str, what: str) -> None:
    if len(text) > 10_000:
        raise call.fail(f"{what} is limited to 10000 characters, but has {len(text)}")


def _canonical(value: Any) -> str:
    """A key for Java ``equals`` on Jackson values: 1, 1.0 and true differ; key order does not."""
    if isinstance(value, dict):
        inner = ",".join(json_text(k) + ":" + _canonical(value[k]) for k in sorted(value))
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return json_text(value)


# --- the functions ------------------------------------------------------------------------------


@intrinsic("States.Format", 1, None)
def _format(call: _Call, args: list[Any], scope: Scope) -> str:
    head = call.args[0]
    if isinstance(head, _Literal) and head.pieces is not None:
        if head.brace_error:
            raise call.fail(head.brace_error)
        pieces = head.pieces
    else:
        template = _want(call, args[0], str, "the template")
        parts = template.split("{}")
        pieces = tuple(x for part in parts for x in (part, None))[:-1]
    holes = pieces.count(None)
    if holes != len(args) - 1:
        raise call.fail(
            f"the template has {holes} placeholders but {len(args) - 1} values were given"
        )
    values = iter(args[1:])
    return "".join(java_text(next(values)) if p is None else p for p in pieces)


@intrinsic("States.StringToJson", 1)
def _string_to_json(call: _Call, args: list[Any], scope: Scope) -> Any:
    text = _want(call, args[0], str, "the argument")
    if not text.strip():
        return None  # Jackson reads blank text as no value, which AWS returns as null

    def reject(constant: str) -> Any:
        raise ValueError(constant)

    try:
        return json.loads(text, parse_constant=reject)
    except ValueError as exc:
        raise call.fail(f"the argument is not valid JSON: {exc}") from None


@intrinsic("States.JsonToString", 1)
def _json_to_string(call: _Call, args: list[Any], scope: Scope) -> str:
    return json_text(args[0])


@intrinsic("States.Array", 0, None)
def _array(call: _Call, args: list[Any], scope: Scope) -> list[Any]:
    return list(args)


@intrinsic("States.ArrayPartition", 2)
def _array_partition(call: _Call, args: list[Any], scope: Scope) -> list[list[Any]]:
    items = _want(call, args[0], list, "the array")
    size = _integer(call, args[1], "the chunk size")
    if size <= 0:
        raise call.fail(f"the chunk size must be greater than 0, but was {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


@intrinsic("States.ArrayContains", 2)
def _array_contains(call: _Call, args: list[Any], scope: Scope) -> bool:
    items = _want(call, args[0], list, "the array")
    wanted = _canonical(args[1])
    return any(_canonical(item) == wanted for item in items)


@intrinsic("States.ArrayRange", 3)
def _array_range(call: _Call, args: list[Any], scope: Scope) -> list[int]:
    first = _integer(call, args[0], "the first value")
    last = _integer(call, args[1], "the last value")
    step = _integer(call, args[2], "the step")
    if step == 0:
        raise call.fail("the step must not be 0")
    count = max(0, (last - first) // step + 1)
    if count > 1000:
        raise call.fail(f"the range has {count} items, more than the limit of 1000")
    return [first + i * step for i in range(count)]


@intrinsic("States.ArrayGetItem", 2)
def _array_get_item(call: _Call, args: list[Any], scope: Scope) -> Any:
    items = _want(call, args[0], list, "the array")
    index = _integer(call, args[1], "the index")
    if not 0 <= index < len(items):
        raise call.fail(f"the index {index} is out of bounds for an array of length {len(items)}")
    return items[index]


@intrinsic("States.ArrayLength", 1)
def _array_length(call: _Call, args: list[Any], scope: Scope) -> int:
    return len(_want(call, args[0], list, "the argument"))


@intrinsic("States.ArrayUnique", 1)
def _array_unique(call: _Call, args: list[Any], scope: Scope) -> list[Any]:
    seen: set[str] = set()
    unique = []
    for item in _want(call, args[0], list, "the argument"):
        key = _canonical(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


@intrinsic("States.Base64Encode", 1)
def _base64_encode(call: _Call, args: list[Any], scope: Scope) -> str:
    text = _want(call, args[0], str, "the argument")
    _limit(call, text, "the input")
    return base64.b64encode(text.encode()).decode("ascii")


@intrinsic("States.Base64Decode", 1)
def _base64_decode(call: _Call, args: list[Any], scope: Scope) -> str:
    text = _want(call, args[0], str, "the argument")
    _limit(call, text, "the input")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise call.fail("the argument is not valid Base64") from None
    return raw.decode("utf-8", errors="replace")  # as Java's new String(bytes, UTF_8)


_HASHES = {
    name: name.replace("-", "").lower()
    for name in ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512")
}


@intrinsic("States.Hash", 2)
def _hash(call: _Call, args: list[Any], scope: Scope) -> str:
    data = _want(call, args[0], str, "the data")
    algorithm = _want(call, args[1], str, "the algorithm")
    _limit(call, data, "the data")
    if algorithm not in _HASHES:
        raise call.fail(f"the algorithm must be one of {', '.join(_HASHES)}, but was {algorithm}")
    return hashlib.new(_HASHES[algorithm], data.encode()).hexdigest()


@intrinsic("States.JsonMerge", 3)
def _json_merge(call: _Call, args: list[Any], scope: Scope) -> dict[str, Any]:
    first = _want(call, args[0], dict, "the first argument")
    second = _want(call, args[1], dict, "the second argument")
    if _want(call, args[2], bool, "the deep merge flag"):
        raise call.fail(
            "Currently, Step Functions only supports the shallow merging mode; "
            "therefore, you must specify the boolean value as false."
        )
    return {**first, **second}


@intrinsic("States.MathRandom", 2, 3)
def _math_random(call: _Call, args: list[Any], scope: Scope) -> int:
    start = _integer(call, args[0], "the start", rounded=True)
    end = _integer(call, args[1], "the end", rounded=True)
    if start >= end:
        raise call.fail(f"the start ({start}) must be less than the end ({end})")
    # A seeded call repeats its value, whatever the run's RNG; the end is exclusive (AWS docs).
    seed = _integer(call, args[2], "the seed", rounded=True) if len(args) == 3 else None
    return (scope.rng if seed is None else random.Random(seed)).randrange(start, end)


@intrinsic("States.MathAdd", 2)
def _math_add(call: _Call, args: list[Any], scope: Scope) -> int:
    # AWS rounds non-integer operands to the nearest integer before adding.
    first, second = (_integer(call, v, "the operands", rounded=True) for v in args)
    return first + second


@intrinsic("States.StringSplit", 2)
def _string_split(call: _Call, args: list[Any], scope: Scope) -> list[str]:
    text = _want(call, args[0], str, "the string")
    delimiters = _want(call, args[1], str, "the splitter")
    if not delimiters:
        return [text] if text else []
    # Java's StringTokenizer: every character is a delimiter and empty tokens are dropped.
    return [t for t in re.split("[" + re.escape(delimiters) + "]", text) if t]


@intrinsic("States.UUID", 0)
def _uuid(call: _Call, args: list[Any], scope: Scope) -> str:
    return str(uuid.UUID(int=scope.rng.getrandbits(128), version=4))
