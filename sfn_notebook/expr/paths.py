"""JSONPath as AWS Step Functions evaluates it: Jayway JsonPath semantics, compiled once.

A path is parsed into tokens when the definition loads. A *reference path* (only names and
single indexes, ``$.a['b'][0]``) also gets a tuple of direct accessors, so evaluating it is a
plain loop over dicts and lists. Other paths (wildcards, slices, ``..``, multi-selects, filters,
``.length()``) are walked token by token the way Jayway walks them, which is what decides AWS's
results and messages: a *definite* path yields one value or fails with Jayway's text, an
*indefinite* one yields a list (possibly empty). Filter predicates (``[?(...)]``) are compiled
by :mod:`sfn_notebook.expr.filters`, whose path operands are compiled here.

Roots: ``$`` is the state input, ``$$`` the context object and ``$name`` a workflow variable.

>>> from sfn_notebook.expr.scope import Scope
>>> compile_path("$.a[1]").evaluate({"a": [1, 2]}, Scope())
2
>>> compile_path("$.a[*].b").evaluate({"a": [{"b": 1}, {}]}, Scope())
[1]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr import filters
from sfn_notebook.expr.scope import Scope

__all__ = [
    "MISSING",
    "Path",
    "ReferencePath",
    "compile_path",
    "compile_reference_path",
]


class _Missing:
    """The type of :data:`MISSING`: "nothing matched", falsy and distinct from JSON null."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

# AWS evaluates paths with Jayway over Jackson-built Java maps and lists (hence the class names).
_PROVIDER = "com.jayway.jsonpath.spi.json.JacksonJsonProvider"


class _NotFound(Exception):
    """Jayway's PathNotFoundException; ``args[0]`` is its message."""


# --- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prop:
    names: tuple[str, ...]
    quote: str = "'"

    def fragment(self) -> str:
        inner = (n.replace("\\", "\\\\").replace("'", "\\'") for n in self.names)
        return "[" + ",".join(self.quote + n + self.quote for n in inner) + "]"


@dataclass(frozen=True)
class _Index:
    indexes: tuple[int, ...]

    def fragment(self) -> str:
        return "[" + ",".join(map(str, self.indexes)) + "]"


@dataclass(frozen=True)
class _Slice:
    start: int | None
    stop: int | None

    def fragment(self) -> str:
        return "[" + ":".join("" if v is None else str(v) for v in (self.start, self.stop)) + "]"


@dataclass(frozen=True)
class _Wildcard:
    def fragment(self) -> str:
        return "[*]"


@dataclass(frozen=True)
class _Scan:
    def fragment(self) -> str:
        return ".."


@dataclass(frozen=True)
class _Filter:
    source: str
    accept: filters.Predicate  # (item, root) -> bool

    def fragment(self) -> str:
        return "[?]"


_Token = _Prop | _Index | _Slice | _Wildcard | _Scan | _Filter


def _definite(token: _Token, leaf: bool) -> bool:
    if isinstance(token, _Prop):
        return len(token.names) == 1 or leaf  # a leaf multi-property merges into one object
    if isinstance(token, _Index):
        return len(token.indexes) == 1
    return False


# --- the parser -----------------------------------------------------------------------------

_VARIABLE = re.compile(r"[^\W\d]\w*")
_NAME_STOP = frozenset(".[]()'\" \t\n")
_INT = re.compile(r"\s*-?\d+\s*")


def _fail(message: str, text: str, pos: int) -> ExpressionError:
    return ExpressionError(message, text, pos + 1)


def _parse_filter(text: str, start: int, question: int) -> tuple[_Filter, int]:
    """``[?(...)]`` with ``[`` at ``start`` and ``?`` at ``question``; returns the token and the
    index after the ``]``."""
    opening = _skip_blanks(text, question + 1)
    if not text.startswith("(", opening):
        raise _fail("Expected '(' after '[?'", text, opening)
    try:
        closing = filters.closing_bracket(text, opening)
    except filters.FilterSyntaxError as exc:
        raise _fail(f"Invalid filter: {exc.message}", text, exc.position) from None
    after = _skip_blanks(text, closing + 1) if closing >= 0 else -1
    if closing < 0 or not text.startswith("]", after):
        raise _fail("Unterminated filter expression", text, start)
    source = text[opening : closing + 1]
    try:
        accept = filters.compile_filter(source, _filter_operand)
    except filters.FilterSyntaxError as exc:
        raise _fail(f"Invalid filter: {exc.message}", text, opening + exc.position) from None
    return _Filter(source, accept), after + 1


def _skip_blanks(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _parse_quoted(text: str, i: int) -> tuple[_Prop, int]:
    """``['a']`` or ``['a', 'b']`` with ``i`` at the first quote."""
    quote, names = text[i], []
    while True:
        k, escaped = i + 1, False
        while k < len(text) and (escaped or text[k] != quote):
            escaped = not escaped and text[k] == "\\"
            k += 1
        if k >= len(text):
            raise _fail("Unterminated quoted property", text, i)
        names.append(text[i + 1 : k])  # AWS departs from Jayway here: no unescaping
        i = _skip_blanks(text, k + 1)
        if i < len(text) and text[i] == ",":
            i = _skip_blanks(text, i + 1)
            if i >= len(text) or text[i] != quote:
                raise _fail("Expected a quoted property after ','", text, i)
            continue
        if i >= len(text) or text[i] != "]":
            raise _fail("Expected ']' after a quoted property", text, i)
        return _Prop(tuple(names), quote), i + 1


def _parse_bracket(text: str, i: int) -> tuple[_Token, int]:
    """A ``[...]`` token starting at ``i``; returns it and the index after the ``]``."""
    first = _skip_blanks(text, i + 1)
    if first < len(text) and text[first] in "'\"":
        return _parse_quoted(text, first)
    if text.startswith("?", first):
        return _parse_filter(text, i, first)
    end = text.find("]", i)
    if end < 0:
        raise _fail("Unterminated '['", text, i)
    inner = text[i + 1 : end].strip()
    if inner == "*":
        return _Wildcard(), end + 1
    if ":" in inner:
        parts = inner.split(":")
        if len(parts) != 2 or not all(not p.strip() or _INT.fullmatch(p) for p in parts):
            raise _fail(f"Invalid array slice '[{inner}]'", text, i)
        start, stop = (int(p) if p.strip() else None for p in parts)
        return _Slice(start, stop), end + 1
    parts = inner.split(",")
    if not all(_INT.fullmatch(p) for p in parts):
        raise _fail(f"Invalid array index '[{inner}]'", text, i)
    return _Index(tuple(int(p) for p in parts)), end + 1


def _parse_tokens(text: str, i: int) -> tuple[tuple[_Token, ...], str | None]:
    """The tokens after the root, and the trailing function name (``length`` ...) if any."""
    tokens: list[_Token] = []
    function: str | None = None
    while i < len(text):
        if function is not None:
            raise _fail("A path function must end the path", text, i)
        if text[i] == "[":
            token, i = _parse_bracket(text, i)
            tokens.append(token)
            continue
        if text[i] != ".":
            raise _fail(f"Unexpected character '{text[i]}'", text, i)
        if text.startswith("..", i):
            tokens.append(_Scan())
            i += 2
            if i < len(text) and text[i] == "[":
                continue
        else:
            i += 1
            if i < len(text) and text[i] == "[":
                continue  # Jayway reads "$.[0]" and "$.a.['b']" as "$[0]" and "$.a['b']"
        if text.startswith("*", i):
            tokens.append(_Wildcard())
            i += 1
            continue
        start = i
        while i < len(text) and text[i] not in _NAME_STOP:
            i += 1
        if i == start:
            raise _fail("Expected a property name", text, i)
        if text.startswith("()", i):
            if text[start:i] not in _FUNCTIONS:
                raise _fail(f"Function '{text[start:i]}()' is not supported", text, start)
            function = text[start:i]
            i += 2
            continue
        tokens.append(_Prop((text[start:i],)))
    return tuple(tokens), function


# --- Jayway's walk --------------------------------------------------------------------------


def _java_class(value: Any) -> str:
    """The Java class AWS holds for a non-object JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return "java.lang.Integer"
        return "java.lang.Long" if -(2**63) <= value < 2**63 else "java.math.BigInteger"
    if isinstance(value, str):
        return "java.lang.String"
    return "java.lang.Double" if isinstance(value, float) else "java.util.ArrayList"


def _java_text(value: Any) -> str:
    from sfn_notebook.expr.intrinsics import java_text  # the renderers live with the intrinsics

    return java_text(value)


def _json_text(value: Any) -> str:
    from sfn_notebook.expr.intrinsics import json_text

    return json_text(value)


def _preorder(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _preorder(child)


class _Walker:
    """Evaluates a token list with Jayway's rules, collecting matches into ``out``."""

    __slots__ = ("out", "require", "rest", "root", "tokens", "up_definite")

    def __init__(
        self,
        tokens: tuple[_Token, ...],
        up_definite: tuple[bool, ...],
        rest: tuple[str, ...],
        root: Any,
        require: bool = False,
    ):
        self.tokens, self.up_definite, self.rest = tokens, up_definite, rest
        self.root = root  # the document '$' in a filter refers to
        self.require = require  # every property must exist: Jayway's REQUIRE_PROPERTIES
        self.out: list[Any] = []

    def walk(self, i: int, node: Any, where: str) -> None:
        if i == len(self.tokens):
            self.out.append(node)
            return
        token = self.tokens[i]
        if isinstance(token, _Prop):
            self._prop(i, token, node, where)
        elif isinstance(token, _Index | _Slice):
            if self._is_array(i, node, where):
                for index in _indexes(token, len(node)):
                    self._index(i, index, node, where)
        elif isinstance(token, _Wildcard):
            if isinstance(node, dict):
                for key, value in node.items():
                    self.walk(i + 1, value, f"{where}['{key}']")
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    self.walk(i + 1, value, f"{where}[{index}]")
        elif isinstance(token, _Scan):
            after = self.tokens[i + 1]
            for inner in list(_preorder(node)):
                if not isinstance(after, _Filter):
                    self.walk(i + 1, inner, where)
                elif isinstance(inner, dict) and after.accept(inner, self.root):
                    self.walk(i + 2, inner, where)  # Jayway tests only objects under ..[?()]
        else:
            self._filter(i, token, node, where)

    def _prop(self, i: int, token: _Prop, node: Any, where: str) -> None:
        leaf = i == len(self.tokens) - 1
        if not isinstance(node, dict):
            if not self.up_definite[i]:
                return
            raise _NotFound(
                f"Expected to find an object with property {token.fragment()} in path {where} "
                f"but found '{_java_class(node)}'. This is not a json object according to the "
                f"JsonProvider: '{_PROVIDER}'."
            )
        if len(token.names) > 1 and leaf:
            self.out.append({n: node[n] for n in token.names if n in node})
            return
        single = len(token.names) == 1
        for name in token.names:
            path = f"{where}['{name}']"
            if name in node:
                self.walk(i + 1, node[name], path)
            elif self.require or (not leaf and single and self.up_definite[i]):
                raise _NotFound(f"Missing property in path {path}")

    def _is_array(self, i: int, node: Any, where: str) -> bool:
        if isinstance(node, list):
            return True
        if not self.up_definite[i]:
            return False
        if node is None:
            raise _NotFound(f"The path {where} is null")
        raise _NotFound(
            f"Filter: {self.rest[i]} can only be applied to arrays. "
            f"Current context is: {_java_text(node)}"
        )

    def _index(self, i: int, index: int, node: list[Any], where: str) -> None:
        effective = index + len(node) if index < 0 else index
        if 0 <= effective < len(node):
            self.walk(i + 1, node[effective], f"{where}[{index}]")

    def _filter(self, i: int, token: _Filter, node: Any, where: str) -> None:
        if isinstance(node, dict):
            if token.accept(node, self.root):
                self.walk(i + 1, node, where)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if token.accept(item, self.root):
                    self._index(i, index, node, where)
        elif self.up_definite[i]:
            raise _NotFound(
                f"Filter: {self.rest[i]} can not be applied to primitives. "
                f"Current context is: {_java_text(node)}"
            )


def _indexes(token: _Index | _Slice, length: int) -> Iterator[int]:
    if isinstance(token, _Index):
        yield from token.indexes
        return
    # Jayway's three slice forms, quirks included: [a:b] does not resolve negative bounds.
    start, stop = token.start, token.stop
    if start is not None and stop is not None:
        yield from range(start, min(length, stop))
    elif start is not None:
        yield from range(max(0, length + start if start < 0 else start), length)
    elif stop is not None and length:
        yield from range(min(length, length + stop if stop < 0 else stop))


# Jayway's path functions; AWS's use is .length() (the aggregations are not documented).
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "length": lambda v: len(v) if isinstance(v, dict | list) else None,
}


# --- compiled paths -----------------------------------------------------------------------------


class Path:
    """A compiled JSONPath; immutable, shareable across executions and threads.

    ``find`` returns :data:`MISSING` when a definite path matches nothing; ``evaluate`` raises
    AWS's InputPath/OutputPath error instead. Indefinite paths always return a list.

    >>> p = compile_path("$.a.b")
    >>> p.find({"a": {}}, Scope()) is MISSING
    True
    """

    def __init__(
        self,
        text: str,
        root: str,
        var: str | None,
        tokens: tuple[_Token, ...],
        function: str | None,
    ):
        self.text = text
        self._root, self._var, self._tokens, self._function = root, var, tokens, function
        n = len(tokens)
        self._up = tuple(
            all(_definite(t, k == n - 1) for k, t in enumerate(tokens[:i])) for i in range(n)
        )
        self._rest = tuple("".join(t.fragment() for t in tokens[i:]) for i in range(n))
        self._all_definite = all(_definite(t, k == n - 1) for k, t in enumerate(tokens))
        self.is_definite = function is not None or self._all_definite
        steps = [_step(t) for t in tokens]
        #: Only names and single indexes: evaluated by direct accessors, never walked.
        self.is_reference = function is None and None not in steps
        self._steps = tuple(s for s in steps if s is not None) if self.is_reference else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"

    def find(self, data: Any, scope: Scope) -> Any:
        """The matched value, a list for indefinite paths, or :data:`MISSING`."""
        base = self._base(data, scope)
        if base is MISSING:
            return MISSING
        if self._steps is not None:
            return _follow(base, self._steps)
        try:
            return self._walk(base)
        except _NotFound:
            return MISSING if self.is_definite else []

    def evaluate(self, data: Any, scope: Scope) -> Any:
        """Like :meth:`find`, but no match raises ``States.Runtime`` as InputPath does on AWS."""
        value = self.find(data, scope)
        if value is MISSING:
            raise StatesError(
                "States.Runtime", f"Invalid path '{self.text}' : {self.explain(data, scope)}"
            )
        return value

    def explain(self, data: Any, scope: Scope) -> str:
        """Jayway's message for why this path matches nothing in ``data`` ("" if it matches)."""
        base = self._base(data, scope)
        if base is MISSING:
            return f"The variable '{self._var}' is not defined"
        try:
            self._walk(base)
        except _NotFound as exc:
            return str(exc.args[0])
        return ""

    def _base(self, data: Any, scope: Scope) -> Any:
        if self._root == "$":
            return data
        if self._root == "$$":
            context = scope.context
            return context if isinstance(context, dict) else dict(context)
        return scope.variables.get(self._var or "", MISSING)

    def _walk(self, base: Any, root: Any = MISSING, require: bool = False) -> Any:
        walker = _Walker(self._tokens, self._up, self._rest, base if root is MISSING else root)
        walker.require = require
        walker.walk(0, base, "$")
        if self._all_definite and not walker.out:
            raise _NotFound("No results for path: $" + (self._rest[0] if self._tokens else ""))
        value = walker.out[-1] if self._all_definite else walker.out
        return _FUNCTIONS[self._function](value) if self._function else value


def _step(token: _Token) -> str | int | None:
    """The direct accessor of a single-name or single-index token, else None."""
    if isinstance(token, _Prop) and len(token.names) == 1:
        return token.names[0]
    if isinstance(token, _Index) and len(token.indexes) == 1:
        return token.indexes[0]
    return None


def _follow(node: Any, steps: tuple[str | int, ...]) -> Any:
    for step in steps:
        if isinstance(step, str):
            if not isinstance(node, dict):
                return MISSING
            node = node.get(step, MISSING)
            if node is MISSING:
                return MISSING
        else:
            if not isinstance(node, list):
                return MISSING
            index = step + len(node) if step < 0 else step
            if not 0 <= index < len(node):
                return MISSING
            node = node[index]
    return node


class _FilterOperand:
    """A path inside a filter, as Jayway evaluates it there: ``@...`` on the item tested,
    ``$...`` on the document; a path that matches nothing (or meets a non-object on its way)
    is undefined."""

    __slots__ = ("_on_root", "_path")

    def __init__(self, text: str) -> None:
        if text[:1] not in ("@", "$"):
            raise ExpressionError("A path in a filter must start with '@' or '$'", text, 1)
        tokens, function = _parse_tokens(text, 1)
        self._path = Path(text, "$", None, tokens, function)
        self._on_root = text[0] == "$"

    def value(self, item: Any, root: Any) -> Any:
        base = root if self._on_root else item
        steps = self._path._steps
        if steps is not None:
            found = _follow(base, steps)
            return filters.UNDEFINED if found is MISSING else found
        try:
            return self._path._walk(base, root)
        except _NotFound:
            return filters.UNDEFINED

    def exists(self, item: Any, root: Any) -> bool:
        try:
            self._path._walk(root if self._on_root else item, root, require=True)
        except _NotFound:
            return False
        return True


@functools.lru_cache(maxsize=1024)
def _filter_operand(text: str) -> _FilterOperand:
    return _FilterOperand(text)


class ReferencePath(Path):
    """A reference path on the state input, as ResultPath takes: it can also *write* a value.

    >>> compile_reference_path("$.a.b").assign({"x": 1}, 2)
    {'x': 1, 'a': {'b': 2}}
    """

    def assign(self, data: Any, value: Any) -> Any:
        """A copy of ``data`` with ``value`` at this path; only the nodes on the path are copied.

        Missing objects on the way are created; anything else in the way is
        ``States.ResultPathMatchFailure``.
        """
        steps = self._steps or ()
        if not steps:
            return value
        try:
            return _put(data, steps, 0, value)
        except _NotFound:
            raise StatesError(
                "States.ResultPathMatchFailure",
                f"Unable to apply ResultPath '{self.text}' to input '{_json_text(data)}'",
            ) from None


def _put(node: Any, steps: tuple[str | int, ...], k: int, value: Any) -> Any:
    step, last = steps[k], k == len(steps) - 1
    if isinstance(step, str):
        if not isinstance(node, dict):
            raise _NotFound
        copy = dict(node)
        copy[step] = value if last else _put(node.get(step, {}), steps, k + 1, value)
        return copy
    if not isinstance(node, list) or not -len(node) <= step < len(node):
        raise _NotFound
    items = list(node)
    items[step] = value if last else _put(node[step], steps, k + 1, value)
    return items


@functools.lru_cache(maxsize=4096)
def compile_path(text: str) -> Path:
    """Compile a JSONPath (``$...``), context path (``$$...``) or variable path (``$name...``).

    Raises :class:`~sfn_notebook.errors.ExpressionError` with a 1-based column when it does not
    parse. Compiled paths are cached: equal texts share one immutable :class:`Path`.

    >>> compile_path("$$.Execution.Input").is_reference
    True
    """
    path: Path = _compile(text, Path)
    return path


@functools.lru_cache(maxsize=1024)
def compile_reference_path(text: str) -> ReferencePath:
    """Compile a ResultPath: ``$`` or names and single indexes on the state input only.

    >>> compile_reference_path("$.a[0]").assign({"a": [1, 2]}, 9)
    {'a': [9, 2]}
    """
    path: ReferencePath = _compile(text, ReferencePath)
    if path._root != "$" or not path.is_reference:
        raise ExpressionError(
            "A reference path may only use '$', property names and single array indexes", text, 1
        )
    return path


def _compile(text: str, kind: type[Path] | type[ReferencePath]) -> Any:
    if not isinstance(text, str):
        raise ExpressionError("A JSONPath must start with '$'", str(text), 1)
    # Jayway trims a path before reading it: leading whitespace and trailing spaces.
    body = text.lstrip(" \t\r\n")
    lead = len(text) - len(body)
    try:
        root, var, tokens, function = _parse_path(body.rstrip(" "))
    except ExpressionError as exc:
        if not lead:
            raise
        raise ExpressionError(exc.message, text, (exc.column or 1) + lead) from None
    return kind(text, root, var, tokens, function)


def _parse_path(text: str) -> tuple[str, str | None, tuple[_Token, ...], str | None]:
    """The root (``$``, ``$$`` or ``$var``), variable name, tokens and path function."""
    if not text.startswith("$"):
        raise ExpressionError("A JSONPath must start with '$'", text, 1)
    var: str | None = None
    if text.startswith("$$"):
        root, i = "$$", 2
    elif len(text) > 1 and text[1] not in ".[":
        match = _VARIABLE.match(text, 1)
        if match is None:
            raise ExpressionError("Invalid variable name", text, 2)
        root, var, i = "$var", match.group(), match.end()
    else:
        root, i = "$", 1
    tokens, function = _parse_tokens(text, i)
    return root, var, tokens, function
