"""JSONata as Step Functions runs it: ``{% ... %}`` fields, ``$states``, variables, AWS's extras.

Compiled when the definition loads; evaluation binds values and runs ``jsonatapy`` under a
timeout. Failures are ``States.QueryEvaluationError`` with AWS's cause (without the engine's
"An error occurred while executing the state ..." prefix).

>>> out = compile_jsonata_template({"n": "{% $states.input.a + $x %}", "k": 1}, "Output")
>>> out.evaluate({"input": {"a": 1}}, {"x": 2})
{'n': 3, 'k': 1}
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import math
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

import jsonatapy

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.limits import ACTIVE

QUERY_EVALUATION_ERROR: Final = "States.QueryEvaluationError"
DEFAULT_TIMEOUT_MS: Final = 5_000
# AWS accepts [1..873782] and refuses one element more; jsonatapy's sequence bound is the same.
MAX_SEQUENCE_LENGTH: Final = 873_782

_RNG: contextvars.ContextVar[random.Random | None] = contextvars.ContextVar("sfn_rng", default=None)
_NOW_MS: contextvars.ContextVar[int | None] = contextvars.ContextVar("sfn_now", default=None)
_FALLBACK_RNG = random.Random()

States = Mapping[str, Any]
Variables = Mapping[str, Any]
_Build = Callable[[States, Variables], Any]


class QueryEvaluationError(StatesError):
    """``States.QueryEvaluationError``; ``location`` is the field (``Output/result``) for the
    EvaluationFailed event's ``location``."""

    def __init__(self, cause: str, location: str) -> None:
        super().__init__(QUERY_EVALUATION_ERROR, cause)
        self.location = location


def is_jsonata(value: object) -> bool:
    """True for a string AWS evaluates as JSONata: ``{%`` first and ``%}`` last, nothing outside.

    >>> is_jsonata("{% $states.input %}"), is_jsonata(" {% $states.input %} ")
    (True, False)
    """
    return isinstance(value, str) and len(value) >= 4 and value[:2] == "{%" and value[-2:] == "%}"


# --- AWS's extra functions -------------------------------------------------------------------


class _Refusal(Exception):
    """Raised inside a host function; jsonatapy re-raises it as ValueError carrying this text."""


_AWS_FUNCTIONS: dict[str, Callable[..., Any]] = {}
#: AWS's extra JSONata functions and how many arguments each takes (the editor completes them).
AWS_FUNCTION_ARITY: dict[str, int] = {}


def _aws_function(
    name: str, arity: int, *, removed: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _AWS_FUNCTIONS[name] = lambda *args: fn(*_arguments(name, arity, args))
        if not removed:
            AWS_FUNCTION_ARITY[name] = arity
        return fn

    return register


def _signature_error(name: str, position: int) -> _Refusal:
    return _Refusal(
        f'T0410: Argument {position} of function "{name}" does not match function signature'
    )


def _arguments(name: str, arity: int, args: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(args) <= arity:
        return args + (None,) * (arity - len(args))
    extra = args[arity:]
    # $map/$filter/$each/$sift pass (value, index, array) or (value, key, object) to a host
    # function, where jsonata-js would pass only what its signature takes; such a call is not
    # AWS's "too many arguments" error.
    index = extra[-2] if len(extra) > 1 else 0
    if len(extra) <= 3 and isinstance(extra[-1], (list, dict)) and isinstance(index, (int, str)):
        return args[:arity]
    raise _signature_error(name, arity + 1)


def _towards_zero(name: str, position: int, value: Any) -> int:
    # AWS truncates a fractional argument towards zero: -1.7 -> -1.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _signature_error(name, position)
    return int(value)


@_aws_function("partition", 2)
def _partition(array: Any, size: Any) -> Any:
    if array is None:
        return None
    if not isinstance(array, list):
        raise _Refusal('T0412: Argument 1 of function "partition" must be an array of undefined')
    if not array:
        return None
    if size is None:
        return [array]
    n = _towards_zero("partition", 2, size)
    if n < 0:
        raise _Refusal("D3137: Second argument must be zero or greater")
    if n == 0:
        return None
    return [array[i : i + n] for i in range(0, len(array), n)]


@_aws_function("range", 3)
def _range(start: Any, end: Any, step: Any) -> Any:
    first = _towards_zero("range", 1, start)
    last = _towards_zero("range", 2, end)
    if step is None:
        return None
    stride = _towards_zero("range", 3, step)
    if stride == 0 or (stride > 0 and first > last) or (stride < 0 and first < last):
        return None
    if (last - first) // stride + 1 > MAX_SEQUENCE_LENGTH:
        raise _Refusal(f"D2015: The maximum sequence length of {MAX_SEQUENCE_LENGTH} was exceeded.")
    values = list(range(first, last + (1 if stride > 0 else -1), stride))
    # A one-element result is a singleton sequence, which JSONata unwraps: $range(1, 9, 9) is 1.
    return values[0] if len(values) == 1 else values


_HASHES: Final = {
    n: n.replace("-", "").lower() for n in ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"]
}


@_aws_function("hash", 2)
def _hash(value: Any, algorithm: Any) -> Any:
    if not isinstance(value, str):
        raise _signature_error("hash", 1)
    if algorithm is None:
        return None
    if not isinstance(algorithm, str):
        raise _signature_error("hash", 2)
    if algorithm not in _HASHES:
        raise _Refusal(
            f"D3137: Hash algorithm '{algorithm}' must be one of "
            "SHA-1, SHA-384, SHA-256, SHA-512, MD5"
        )
    return hashlib.new(_HASHES[algorithm], value.encode("utf-8")).hexdigest()


def java_random_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``: AWS's ``$random(seed)``, bit for bit.

    >>> java_random_double(42)
    0.7275636800328681
    """
    mask = (1 << 48) - 1
    state = (seed ^ 0x5DEECE66D) & mask

    def bits(n: int) -> int:
        nonlocal state
        state = (state * 0x5DEECE66D + 0xB) & mask
        return state >> (48 - n)

    return ((bits(26) << 27) + bits(27)) * 2.0**-53


@_aws_function("random", 1)
def _random(seed: Any) -> float:
    if seed is None:
        return (_RNG.get() or _FALLBACK_RNG).random()
    return java_random_double(_towards_zero("random", 1, seed))


@_aws_function("uuid", 0)
def _uuid() -> str:
    return str(uuid.UUID(int=(_RNG.get() or _FALLBACK_RNG).getrandbits(128), version=4))


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise ValueError("duplicate key")
    return dict(pairs)


@_aws_function("parse", 1)
def _parse(text: Any) -> Any:
    if text is None:
        return None
    if not isinstance(text, str):
        raise _signature_error("parse", 1)
    try:
        # AWS's JSON parser is strict: no repeated keys, no empty text, and no NaN/Infinity
        # tokens (int() refuses each of them with a ValueError).
        return json.loads(text, parse_constant=int, object_pairs_hook=_strict_object)
    except ValueError:
        raise _Refusal("D3137: Invalid JSON") from None


@_aws_function("eval", 9, removed=True)  # any arity: the call itself is the error
def _eval(*_args: Any) -> Any:
    # AWS removes $eval (use $parse); calling it is JSONata's error for a non-function.
    raise _Refusal("T1006: Attempted to invoke a non-function")


_FROM_MILLIS: Final = ("$fromMillis($ms)", "$fromMillis($ms, $p)", "$fromMillis($ms, $p, $tz)")


def _now_ms() -> int:
    # Without an injected clock (engine-less use) this is what jsonatapy's own $now would read.
    fixed = _NOW_MS.get()
    return fixed if fixed is not None else time.time_ns() // 1_000_000


def _now(*args: Any) -> Any:
    bindings = dict(zip(("p", "tz"), args, strict=False), ms=_now_ms())
    helper = _compiled(_FROM_MILLIS[min(len(args), 2)])
    return helper.evaluate(None, bindings, timeout=DEFAULT_TIMEOUT_MS)


# jsonatapy aborts the whole process when an allocation fails ($pad("x", 2e9) does). So the
# functions whose result can be far longer than their arguments are shadowed by lambdas that
# measure the result natively (no value crosses into Python), let $sfnWithin refuse it, then call
# the original. (A host function cannot replace them: it cannot return undefined, and jsonatapy
# refuses to override $join and $string.) See sfn_notebook/limits.py: jsonata_string_length.
# Each lambda has its built-in's signature, so arguments, their count and the context ($x.$pad(3))
# are matched as the built-in matches them ($join's and $string's relaxed: the built-in checks
# those types itself, and $map(xs, $string) passes an index that the built-in ignores).
_GUARDS: Final = {
    "join": "function($a, $s)<xx?:s>{ ($sfnWithin('join', $sum($a[$type($) = 'string']"
    ".$length($)) + ($count($a) - 1) * ($type($s) = 'string' ? $length($s) : 0)); "
    "$sfnJoin($a, $s)) }",
    "pad": "function($s, $w, $c)<s-ns?:s>{ ($type($w) = 'number' ? $sfnWithin('pad', $abs($w)); "
    "$sfnPad($s, $w, $c)) }",
    "replace": "function($s, $p, $r, $l)<s-(sf)(sf)n?:s>{ ($type($s) = 'string' and $type($r) = "
    "'string' and $type($p) in ['string', 'function'] ? ($n := $type($p) = 'string' ? ($p = '' ?"
    " 0 : $count($split($s, $p)) - 1) : $count($match($s, $p)); $sfnWithin('replace', "
    "$length($s) + $length($r) * ($type($l) = 'number' ? $min([$l, $n]) : $n))); "
    "$sfnReplace($s, $p, $r, $l)) }",
    # The strings inside dominate a JSON text's length (keys and numbers come from the payload).
    # $map, $filter ... pass an index second, which the built-in ignores: only a boolean is $p.
    "string": "function($v, $p)<x-x?:s>{ ($type($v) in ['array', 'object'] ? $sfnWithin("
    "'string', $sum(($v.**)[$type($) = 'string'].$length($))); $type($p) = 'boolean' ? "
    "$sfnString($v, $p) : $sfnString($v)) }",
}
_GUARDED = re.compile(r"\$(join|pad|replace|string)\b")


def _guarded(text: str) -> str:
    """``text`` with the guards of the functions it calls (itself when it calls none)."""
    shadows = "".join(
        f"$sfn{name.title()} := ${name}; ${name} := {_GUARDS[name]}; "
        for name in sorted(set(_GUARDED.findall(text)))
    )
    if not shadows:
        return text
    return f"({shadows}{text})"


def _within(name: str, length: Any) -> bool:
    limit = ACTIVE.get().jsonata_string_length
    if isinstance(length, (int, float)) and length > limit:
        raise _Refusal(
            f"${name} would build a string of {length:.0f} characters, more than "
            f"sfn-notebook's limit of {limit} (Limits.jsonata_string_length)"
        )
    return True


_OVERRIDES: Final[dict[str, Callable[..., Any]]] = {
    "now": _now,
    "millis": lambda *_: _now_ms(),
    "sfnWithin": _within,
}


# --- error texts -----------------------------------------------------------------------------

_HOST_PREFIX = re.compile(r"^host function raised \w+: ")
_CODED = re.compile(r"^([A-Z]\d{4}): ?(.*)$", re.DOTALL)
# AWS's evaluator reports its guard rails without a JSONata code, after a colon.
_STACK: Final = "Stack overflow error: Check for non-terminating recursive function. "
_UNCODED: Final = {
    "D1012": "Expression evaluation timeout: Check for infinite loop",
    "D1011": _STACK + "Consider rewriting as tail-recursive.",
    "U1001": _STACK + "Consider rewriting as tail-recursive.",
    "D2015": "Expression evaluation memory limit exceeded: Check for excessive memory usage",
}


# A lambda's signature refusal, worded as the built-in's own (the guards above are lambdas).
_LAMBDA_SIGNATURE = re.compile(
    r"Argument (\d+) of function does not match function signature \(expected ([^)]+)\)"
)


def _threw(prefix: str, raw: str) -> str:
    # jsonatapy prefixes what a lambda's signature refuses; jsonata-js (AWS) reports it plainly.
    message = _HOST_PREFIX.sub("", raw).removeprefix("Signature validation failed: ")
    message = _LAMBDA_SIGNATURE.sub(r"Argument \1 must be \2", message)
    coded = _CODED.match(message)
    if coded is None:
        return f"{prefix} threw an error during evaluation: {message}"
    code, text = coded.groups()
    if code in _UNCODED:
        return f"{prefix} threw an error during evaluation: {_UNCODED[code]}"
    if code == "T1006":
        text = "Attempted to invoke a non-function"  # jsonatapy appends ": $name"; AWS does not
    return f"{prefix} threw an error during evaluation. {code}: {text}"


_JSON_TYPES: Final = ((bool, "boolean"), ((int, float), "number"), (str, "string"), (list, "array"))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "object")


# --- syntax error columns --------------------------------------------------------------------

_END_OF_INPUT: Final = ("S0207", "S0203")
_UNTERMINATED: Final = ("S0101", "S0105", "S0302", "Unclosed comment")


def _unterminated_at(text: str) -> int | None:
    """Index of the string, name, comment or regex literal that ``text`` leaves open."""
    i, previous = 0, ""
    while i < len(text):
        char = text[i]
        regex = char == "/" and text[i : i + 2] != "/*" and previous in "([{,:;=!<>&|?~+-*%"
        if char in "\"'`" or regex:
            close = "/" if regex else char
            j = i + 1
            while j < len(text) and text[j] != close:
                j += 2 if text[j] == "\\" and close != "`" else 1
            if j >= len(text):
                return i
            i, previous = j + 1, close
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return i
            i = j + 2
            continue
        if not char.isspace():
            previous = char
        i += 1
    return None


def _error_index(text: str, message: str) -> int | None:
    """0-based index in ``text`` of what jsonatapy's (position-less) parse error is about."""
    if any(code in message for code in _UNTERMINATED):
        return _unterminated_at(text)
    if any(code in message for code in _END_OF_INPUT):
        return len(text.rstrip())
    # The shortest prefix failing with the same message ends at the offending token.
    end = next(
        (e for e in range(1, min(len(text), 2000) + 1) if _parse_error(text[:e]) == message), 0
    )
    if not end:
        return None
    start = end - 1
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return start - 1 if start > 0 and text[start - 1] == "$" else start


def _parse_error(text: str) -> str | None:
    try:
        jsonatapy.compile(text)
    except ValueError as exc:
        return str(exc)
    return None


# jsonatapy's compiled objects are bound to the thread that made them (PyO3 "unsendable": used
# or dropped elsewhere they panic). So each thread keeps its own, keyed by expression text and
# shared by every field with that text: compiled at load on the loading thread, once on first use
# on any other (e.g. the engine's) thread. A bounded FIFO keeps a long-lived thread from growing
# without limit, and eviction happens on the owning thread, so nothing is dropped elsewhere.
_PER_THREAD = threading.local()
_PER_THREAD_LIMIT: Final = 4096


def _compiled(text: str) -> Any:
    cache: dict[str, Any] | None = getattr(_PER_THREAD, "cache", None)
    if cache is None:
        cache = _PER_THREAD.cache = {}
    expr = cache.get(text)
    if expr is None:
        # The text alone first: its syntax errors point into it, not into the guards around it.
        jsonatapy.compile(text, max_sequence_length=MAX_SEQUENCE_LENGTH)
        source = _guarded(text)
        expr = jsonatapy.compile(source, max_sequence_length=MAX_SEQUENCE_LENGTH)
        names = set(_NAMES.findall(source))
        for name in sorted(names & (_AWS_FUNCTIONS.keys() | _OVERRIDES.keys())):
            function = _OVERRIDES.get(name) or _AWS_FUNCTIONS[name]
            try:
                expr.register(name, function)
            except ValueError:  # jsonatapy has its own $random/$now/$millis/$eval
                expr.register_override(name, function)
        if "now" in names:  # $now(picture) formats through these, on this thread too
            for helper in _FROM_MILLIS:
                _compiled(helper)
        if len(cache) >= _PER_THREAD_LIMIT:
            del cache[next(iter(cache))]
        cache[text] = expr
    return expr


def _compile(source: str, field: str) -> str:
    inner, offset = source, 0
    if is_jsonata(source):
        body = source[2:-2]
        inner, offset = body.strip(), 2 + len(body) - len(body.lstrip())
    if not inner:
        raise ExpressionError(f"Empty JSONata expression in field '{field}'", source, 1)
    try:
        _compiled(inner)
        return inner
    except ValueError as exc:
        message = str(exc)
        index = _error_index(inner, message)
        detail = message.removeprefix("Parse error: ").removeprefix("Invalid syntax: ")
        column = None if index is None else offset + index + 1
        raise ExpressionError(
            f"Invalid JSONata expression in field '{field}': {detail}", source, column
        ) from None


_UNDEFINED: Final = object()
_FUNCTION: Final = object()
_NAMES = re.compile(r"\$([A-Za-z0-9_]+)")
_NON_FINITE: Final = {math.inf: "Infinity", -math.inf: "-Infinity"}


def _in_context(run: _Build, states: States, variables: Variables, rng: Any, now: Any) -> Any:
    rng_token, now_token = _RNG.set(rng), _NOW_MS.set(now)
    try:
        return run(states, variables)
    finally:
        _NOW_MS.reset(now_token)
        _RNG.reset(rng_token)


class Jsonata:
    """One compiled expression of one field; reusable across executions and threads (a thread
    other than the one that compiled it compiles its own copy once, on first use).

    ``evaluate`` binds ``$states`` (input, context, result, errorOutput as the caller passes them)
    and the workflow ``variables`` the expression mentions. ``rng`` feeds ``$random()`` and
    ``$uuid()``; ``now_ms`` (epoch milliseconds, from the engine's clock) feeds ``$now()`` and
    ``$millis()``.

    >>> expr = compile_jsonata("{% $states.input.n * $k %}", "Output")
    >>> expr.evaluate({"input": {"n": 4}}, {"k": 2})
    8
    """

    def __init__(self, source: str, field: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.source = source
        self.field = field
        self.text = _compile(source, field)
        self._timeout = timeout_ms
        self._prefix = f"The JSONata expression '{self.text}' specified for the field '{field}'"
        names = set(_NAMES.findall(self.text))
        self._states = "states" in names
        # Only the variables the text mentions cross into Rust: converting every variable (and a
        # large $states) on each evaluation would dominate the cost of small expressions.
        self._names = tuple(sorted(names - {"states"}))
        self.needs_context = bool(names & {"random", "uuid", "now", "millis"})

    def evaluate(
        self,
        states: States,
        variables: Variables,
        *,
        rng: random.Random | None = None,
        now_ms: int | None = None,
        expect: str | None = None,
    ) -> Any:
        """The expression's value; raises :class:`QueryEvaluationError` as AWS would, also when
        ``expect`` names a JSON type ("array", "boolean", ...) the value does not have.

        >>> compile_jsonata("{% [1] %}", "Items").evaluate({}, {}, expect="array")
        [1]
        """
        if self.needs_context:
            value = _in_context(self._value, states, variables, rng, now_ms)
        else:
            value = self._value(states, variables)
        if expect is not None and _json_type(value) != expect:
            raise QueryEvaluationError(
                f"{self._prefix} returned an unexpected result type. Expected '{expect}', but was "
                f"'{_json_type(value)}' for value: {json.dumps(value, separators=(',', ':'))}",
                self.field,
            )
        return value

    def _value(self, states: States, variables: Variables) -> Any:
        value = self._run(states, variables)
        if value is _UNDEFINED:
            raise QueryEvaluationError(f"{self._prefix} returned nothing (undefined).", self.field)
        if value is _FUNCTION:
            raise QueryEvaluationError(
                f"{self._prefix} returned an unsupported result type.", self.field
            )
        return value

    def _run(self, states: States, variables: Variables) -> Any:
        bindings = {name: variables[name] for name in self._names if name in variables}
        if self._states:
            bindings["states"] = states
        expr, timeout = _compiled(self.text), self._timeout
        try:
            try:
                value = expr.evaluate(None, bindings, timeout=timeout)
            except OverflowError:  # ints beyond 64 bits, which AWS reads as doubles
                as_json, limit = json.dumps(bindings), 2**63
                bindings = json.loads(
                    as_json, parse_int=lambda t: int(t) if abs(int(t)) < limit else float(t)
                )
                value = expr.evaluate(None, bindings, timeout=timeout)
            if value is None:
                # evaluate() returns None for null, undefined and a function alike; the JSON
                # entry point tells them apart (undefined -> None, a function -> '""').
                text = expr.evaluate_json_or_none(None, bindings, timeout=timeout)
                if text is None:
                    return _UNDEFINED
                return _FUNCTION if text == '""' else json.loads(text)
        except ValueError as exc:
            raise QueryEvaluationError(_threw(self._prefix, str(exc)), self.field) from None
        if isinstance(value, float) and not math.isfinite(value):
            # JSON has no non-finite numbers; AWS answers 1/0 with the string "Infinity".
            return _NON_FINITE.get(value, "NaN")
        return value


def compile_jsonata(text: str, field: str, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Jsonata:
    """Compile ``{% expr %}`` (or a bare expression) found in ``field`` (``Output/result``).

    Raises :class:`~sfn_notebook.errors.ExpressionError` with a 1-based column into ``text``.

    >>> compile_jsonata("{% $states.input.a %}", "Output").text
    '$states.input.a'
    """
    return Jsonata(text, field, timeout_ms)


# --- templates ------------------------------------------------------------------------------


def _copy(value: Any) -> Any:
    # Static parts of a template are handed out fresh, so no caller can alter the definition.
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _plan(value: Any, field: str, timeout_ms: int, found: list[Jsonata]) -> _Build | None:
    """A builder for ``value``, or None when nothing in it is an expression."""
    if is_jsonata(value):
        expr = Jsonata(value, field, timeout_ms)
        found.append(expr)
        return expr._value
    if isinstance(value, dict):
        fields = [(k, _plan(v, f"{field}/{k}", timeout_ms, found), v) for k, v in value.items()]
        if all(build is None for _, build, _ in fields):
            return None

        def build_object(states: States, variables: Variables) -> Any:
            return {
                key: _copy(item) if build is None else build(states, variables)
                for key, build, item in fields
            }

        return build_object
    if isinstance(value, list):
        items = [(_plan(v, f"{field}[{i}]", timeout_ms, found), v) for i, v in enumerate(value)]
        if all(build is None for build, _ in items):
            return None

        def build_array(states: States, variables: Variables) -> Any:
            return [
                _copy(item) if build is None else build(states, variables) for build, item in items
            ]

        return build_array
    return None


class JsonataTemplate:
    """A JSON value (Arguments, Output, Assign, ItemSelector ...) whose ``{% %}`` strings, at
    any depth, are expressions; ``static`` is True when there are none.

    >>> t = compile_jsonata_template(["{% $x %}", {"k": "{% $states.input %}"}], "Output")
    >>> t.evaluate({"input": "in"}, {"x": 1})
    [1, {'k': 'in'}]
    """

    def __init__(self, value: Any, field: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.field = field
        found: list[Jsonata] = []
        self._build = _plan(value, field, timeout_ms, found)
        self._value = value
        self.expressions = tuple(found)
        self.static = self._build is None
        self.needs_context = any(expr.needs_context for expr in found)

    def evaluate(
        self,
        states: States,
        variables: Variables,
        *,
        rng: random.Random | None = None,
        now_ms: int | None = None,
    ) -> Any:
        """The template's value; raises :class:`QueryEvaluationError` naming the nested field."""
        build = self._build
        if build is None:
            return _copy(self._value)
        if self.needs_context:
            return _in_context(build, states, variables, rng, now_ms)
        return build(states, variables)


def compile_jsonata_template(
    value: Any, field: str, *, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> JsonataTemplate:
    """Compile every ``{% %}`` string inside ``value``; ``field`` names the top (``Output``).

    >>> compile_jsonata_template({"a": 1}, "Output").static
    True
    """
    return JsonataTemplate(value, field, timeout_ms)


__all__ = [
    "AWS_FUNCTION_ARITY",
    "DEFAULT_TIMEOUT_MS",
    "QUERY_EVALUATION_ERROR",
    "Jsonata",
    "JsonataTemplate",
    "QueryEvaluationError",
    "compile_jsonata",
    "compile_jsonata_template",
    "is_jsonata",
    "java_random_double",
]
