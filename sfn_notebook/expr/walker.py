"""Jayway's path tokens and its walk over JSON, which decide what AWS's JSONPaths select.

:mod:`sfn_notebook.expr.paths` parses a path into these tokens once; a :class:`Walker` then
evaluates them the way Jayway does, definite and indefinite paths alike, with Jayway's
PathNotFoundException texts, which AWS puts into its error causes.

>>> walker = Walker((Prop(("a",)), Wildcard()), (True, True), ("['a'][*]", "[*]"), None)
>>> walker.walk(0, {"a": [1, 2]}, "$")
>>> walker.out
[1, 2]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sfn_notebook.expr import filters
from sfn_notebook.expr.javatext import java_text

__all__ = [
    "FUNCTIONS",
    "Filter",
    "Index",
    "NotFound",
    "Prop",
    "Scan",
    "Slice",
    "Token",
    "Walker",
    "Wildcard",
    "definite",
    "indexes",
]

# AWS evaluates paths with Jayway over Jackson-built Java maps and lists (hence the class names).
_PROVIDER = "com.jayway.jsonpath.spi.json.JacksonJsonProvider"


class NotFound(Exception):
    """Jayway's PathNotFoundException; ``args[0]`` is its message."""


# --- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prop:
    names: tuple[str, ...]
    quote: str = "'"

    def fragment(self) -> str:
        inner = (n.replace("\\", "\\\\").replace("'", "\\'") for n in self.names)
        return "[" + ",".join(self.quote + n + self.quote for n in inner) + "]"


@dataclass(frozen=True)
class Index:
    indexes: tuple[int, ...]

    def fragment(self) -> str:
        return "[" + ",".join(map(str, self.indexes)) + "]"


@dataclass(frozen=True)
class Slice:
    start: int | None
    stop: int | None

    def fragment(self) -> str:
        return "[" + ":".join("" if v is None else str(v) for v in (self.start, self.stop)) + "]"


@dataclass(frozen=True)
class Wildcard:
    def fragment(self) -> str:
        return "[*]"


@dataclass(frozen=True)
class Scan:
    def fragment(self) -> str:
        return ".."


@dataclass(frozen=True)
class Filter:
    source: str
    accept: filters.Predicate  # (item, root) -> bool

    def fragment(self) -> str:
        return "[?]"


Token = Prop | Index | Slice | Wildcard | Scan | Filter


def definite(token: Token, leaf: bool) -> bool:
    if isinstance(token, Prop):
        return len(token.names) == 1 or leaf  # a leaf multi-property merges into one object
    if isinstance(token, Index):
        return len(token.indexes) == 1
    return False


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

    return java_text(value)


def _preorder(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _preorder(child)


class Walker:
    """Evaluates a token list with Jayway's rules, collecting matches into ``out``."""

    __slots__ = ("out", "require", "rest", "root", "tokens", "up_definite")

    def __init__(
        self,
        tokens: tuple[Token, ...],
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
        if isinstance(token, Prop):
            self._prop(i, token, node, where)
        elif isinstance(token, Index | Slice):
            if self._is_array(i, node, where):
                for index in indexes(token, len(node)):
                    self._index(i, index, node, where)
        elif isinstance(token, Wildcard):
            if isinstance(node, dict):
                for key, value in node.items():
                    self.walk(i + 1, value, f"{where}['{key}']")
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    self.walk(i + 1, value, f"{where}[{index}]")
        elif isinstance(token, Scan):
            after = self.tokens[i + 1]
            for inner in list(_preorder(node)):
                if not isinstance(after, Filter):
                    self.walk(i + 1, inner, where)
                elif isinstance(inner, dict) and after.accept(inner, self.root):
                    self.walk(i + 2, inner, where)  # Jayway tests only objects under ..[?()]
        else:
            self._filter(i, token, node, where)

    def _prop(self, i: int, token: Prop, node: Any, where: str) -> None:
        leaf = i == len(self.tokens) - 1
        if not isinstance(node, dict):
            if not self.up_definite[i]:
                return
            raise NotFound(
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
                raise NotFound(f"Missing property in path {path}")

    def _is_array(self, i: int, node: Any, where: str) -> bool:
        if isinstance(node, list):
            return True
        if not self.up_definite[i]:
            return False
        if node is None:
            raise NotFound(f"The path {where} is null")
        raise NotFound(
            f"Filter: {self.rest[i]} can only be applied to arrays. "
            f"Current context is: {_java_text(node)}"
        )

    def _index(self, i: int, index: int, node: list[Any], where: str) -> None:
        effective = index + len(node) if index < 0 else index
        if 0 <= effective < len(node):
            self.walk(i + 1, node[effective], f"{where}[{index}]")

    def _filter(self, i: int, token: Filter, node: Any, where: str) -> None:
        if isinstance(node, dict):
            if token.accept(node, self.root):
                self.walk(i + 1, node, where)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if token.accept(item, self.root):
                    self._index(i, index, node, where)
        elif self.up_definite[i]:
            raise NotFound(
                f"Filter: {self.rest[i]} can not be applied to primitives. "
                f"Current context is: {_java_text(node)}"
            )


def indexes(token: Index | Slice, length: int) -> Iterator[int]:
    if isinstance(token, Index):
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
FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "length": lambda v: len(v) if isinstance(v, dict | list) else None,
}
