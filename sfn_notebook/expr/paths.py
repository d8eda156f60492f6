"""JSONPath as AWS Step Functions evaluates it: Jayway JsonPath semantics, compiled once.

A path is parsed into tokens when the definition loads. A *reference path* (only names and
single indexes, ``$.a['b'][0]``) also gets a tuple of direct accessors, so evaluating it is a
plain loop over dicts and lists. Other paths (wildcards, slices, ``..``, multi-selects, filters,
``.length()``) are walked token by token the way Jayway walks them (:mod:`.walker`), which is
what decides AWS's results and messages: a *definite* path yields one value or fails with
Jayway's text, an *indefinite* one yields a list (possibly empty). Filter predicates
(``[?(...)]``) are compiled by :mod:`.filters`, whose path operands are compiled here. The
syntax is Jayway's: a dot may precede a bracket (``$.[0]``, ``$.a.['b']``) and blanks around
the path are ignored.

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
from typing import Any, Final

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr import filters
from sfn_notebook.expr.javatext import json_text
from sfn_notebook.expr.scope import Scope
from sfn_notebook.expr.walker import (
    FUNCTIONS,
    Filter,
    Index,
    NotFound,
    Prop,
    Scan,
    Slice,
    Token,
    Walker,
    Wildcard,
    definite,
)

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

# --- the parser -----------------------------------------------------------------------------

_VARIABLE = re.compile(r"[^\W\d]\w*")
_NAME_STOP = frozenset(".[]()'\" \t\n")
_INT = re.compile(r"\s*-?\d+\s*")


def _fail(message: str, text: str, pos: int) -> ExpressionError:
    return ExpressionError(message, text, pos + 1)


def _parse_filter(text: str, start: int, question: int) -> tuple[Filter, int]:
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
    return Filter(source, accept), after + 1


def _skip_blanks(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _parse_quoted(text: str, i: int) -> tuple[Prop, int]:
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
        return Prop(tuple(names), quote), i + 1


def _parse_bracket(text: str, i: int) -> tuple[Token, int]:
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
        return Wildcard(), end + 1
    if ":" in inner:
        parts = inner.split(":")
        if len(parts) != 2 or not all(not p.strip() or _INT.fullmatch(p) for p in parts):
            raise _fail(f"Invalid array slice '[{inner}]'", text, i)
        start, stop = (int(p) if p.strip() else None for p in parts)
        return Slice(start, stop), end + 1
    parts = inner.split(",")
    if not all(_INT.fullmatch(p) for p in parts):
        raise _fail(f"Invalid array index '[{inner}]'", text, i)
    return Index(tuple(int(p) for p in parts)), end + 1


def _parse_tokens(text: str, i: int) -> tuple[tuple[Token, ...], str | None]:
    """The tokens after the root, and the trailing function name (``length`` ...) if any."""
    tokens: list[Token] = []
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
            tokens.append(Scan())
            i += 2
            if i < len(text) and text[i] == "[":
                continue
        else:
            i += 1
            if i < len(text) and text[i] == "[":
                continue  # Jayway reads "$.[0]" and "$.a.['b']" as "$[0]" and "$.a['b']"
        if text.startswith("*", i):
            tokens.append(Wildcard())
            i += 1
            continue
        start = i
        while i < len(text) and text[i] not in _NAME_STOP:
            i += 1
        if i == start:
            raise _fail("Expected a property name", text, i)
        if text.startswith("()", i):
            if text[start:i] not in FUNCTIONS:
                raise _fail(f"Function '{text[start:i]}()' is not supported", text, start)
            function = text[start:i]
            i += 2
            continue
        tokens.append(Prop((text[start:i],)))
    return tuple(tokens), function


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
        tokens: tuple[Token, ...],
        function: str | None,
    ):
        self.text = text
        self._root, self._var, self._tokens, self._function = root, var, tokens, function
        n = len(tokens)
        self._up = tuple(
            all(definite(t, k == n - 1) for k, t in enumerate(tokens[:i])) for i in range(n)
        )
        self._rest = tuple("".join(t.fragment() for t in tokens[i:]) for i in range(n))
        self._all_definite = all(definite(t, k == n - 1) for k, t in enumerate(tokens))
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
        except NotFound:
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
        except NotFound as exc:
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
        root = base if root is MISSING else root  # '$' in a filter: the document walked
        walker = Walker(self._tokens, self._up, self._rest, root, require)
        walker.walk(0, base, "$")
        if self._all_definite and not walker.out:
            raise NotFound("No results for path: $" + (self._rest[0] if self._tokens else ""))
        value = walker.out[-1] if self._all_definite else walker.out
        return FUNCTIONS[self._function](value) if self._function else value


def _step(token: Token) -> str | int | None:
    """The direct accessor of a single-name or single-index token, else None."""
    if isinstance(token, Prop) and len(token.names) == 1:
        return token.names[0]
    if isinstance(token, Index) and len(token.indexes) == 1:
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
        except NotFound:
            return filters.UNDEFINED

    def exists(self, item: Any, root: Any) -> bool:
        try:
            self._path._walk(root if self._on_root else item, root, require=True)
        except NotFound:
            return False
        return True


@functools.lru_cache(maxsize=1024)
def _filter_operand(text: str) -> _FilterOperand:
    return _FilterOperand(text)


def _json_text(value: Any) -> str:

    return json_text(value)


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
        except NotFound:
            raise StatesError(
                "States.ResultPathMatchFailure",
                f"Unable to apply ResultPath '{self.text}' to input '{_json_text(data)}'",
            ) from None


def _put(node: Any, steps: tuple[str | int, ...], k: int, value: Any) -> Any:
    step, last = steps[k], k == len(steps) - 1
    if isinstance(step, str):
        if not isinstance(node, dict):
            raise NotFound
        copy = dict(node)
        copy[step] = value if last else _put(node.get(step, {}), steps, k + 1, value)
        return copy
    if not isinstance(node, list) or not -len(node) <= step < len(node):
        raise NotFound
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


def _parse_path(text: str) -> tuple[str, str | None, tuple[Token, ...], str | None]:
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
