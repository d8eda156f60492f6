"""YAML definitions read by the YAML 1.2 core schema, on PyYAML's safe loader.

PyYAML implements YAML 1.1, where ``No``, ``on`` and ``y`` are booleans, ``12:30`` is the
sexagesimal integer 750, ``017`` is octal, ``1_000`` is 1000 and ``2024-01-01`` a date. The
YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution) resolves a plain
scalar only as

* null: ``~``, ``null``, ``Null``, ``NULL`` and the empty scalar;
* bool: ``true``/``True``/``TRUE``, ``false``/``False``/``FALSE``;
* int: ``[-+]?[0-9]+`` in base 10 (so ``017`` is 17), ``0o[0-7]+``, ``0x[0-9a-fA-F]+``;
* float: ``[-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)?``, ``.inf``, ``.nan``;

and everything else is a string (there is no timestamp type). Tools that turn YAML into the
JSON AWS receives differ at the edges: SAM and the AWS CLI read templates with PyYAML's 1.1
SafeLoader (timestamps kept as text, but ``No`` is false), js-yaml 4 (the Serverless Framework)
has 1.2's booleans but still takes ``0b101`` and ``1_000`` and makes timestamps dates. The spec's
core schema is the common ground; quote a value that must read the same everywhere. Two
choices of ours on top:

* Mapping keys are their text as written (``200: x`` and ``true: x`` give the keys ``"200"``
  and ``"true"``): an ASL document is JSON, whose object keys are strings.
* The merge key ``<<`` is kept, as in the 1.1 type repository: PyYAML and js-yaml both merge
  with it by default.

Aliases are where a tiny YAML text becomes a huge document ("billion laughs": ``b: [*a, *a,
...]`` nine levels deep is a few hundred bytes and billions of values). The composer counts what
each node would weigh as JSON, an alias weighing what its anchored node does, and stops with
:class:`ExpansionLimitError` as soon as a node goes over the limit, before anything is built.

>>> load("{answer: No, time: 12:30, n: 017, o: 0o17, big: 1_000, on: 2024-01-01, 200: ~}")
{'answer': 'No', 'time': '12:30', 'n': 17, 'o': 15, 'big': '1_000', 'on': '2024-01-01', '200': None}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from yaml import MarkedYAMLError
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark
from yaml.events import AliasEvent, CollectionStartEvent, Event, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
STR = "tag:yaml.org,2002:str"
MERGE = "tag:yaml.org,2002:merge"

_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_INT = re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
_FLOAT = re.compile(
    r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)


class ExpansionLimitError(MarkedYAMLError):
    """The document, aliases expanded, would be larger than the limit; raised while composing."""


class CoreResolver(BaseResolver):
    """Tags for plain scalars by the YAML 1.2 core schema (see the module docstring)."""


# The first characters each pattern can start with, as PyYAML wants them; int before float,
# as the spec lists them, so ``17`` is an int.
CoreResolver.add_implicit_resolver(NULL, _NULL, ["~", "n", "N", ""])
CoreResolver.add_implicit_resolver(BOOL, _BOOL, list("tTfF"))
CoreResolver.add_implicit_resolver(INT, _INT, list("-+0123456789"))
CoreResolver.add_implicit_resolver(FLOAT, _FLOAT, list("-+0123456789."))
CoreResolver.add_implicit_resolver(MERGE, re.compile(r"<<\Z"), ["<"])


class CoreConstructor(SafeConstructor):
    """SafeConstructor with the 1.2 core schema's values and keys kept as their text."""

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        if not isinstance(node, MappingNode):
            raise ConstructorError(
                None, None, f"expected a mapping, found {type(node).__name__}", node.start_mark
            )
        self.flatten_mapping(node)  # the << merge key
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    "found a key that is not a scalar (a JSON object's keys are strings)",
                    key_node.start_mark,
                )
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_core_null(self, node: Node) -> None:
        self._checked(node, _NULL, "null")

    def construct_core_bool(self, node: Node) -> bool:
        return self._checked(node, _BOOL, "boolean").lower() == "true"

    def construct_core_int(self, node: Node) -> int:
        text = self._checked(node, _INT, "integer")
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text, 10)

    def construct_core_float(self, node: Node) -> float:
        text = self._checked(node, _FLOAT, "float").lower()
        if text.endswith(".inf"):
            return float(text.replace(".inf", "inf"))
        return float("nan") if text == ".nan" else float(text)

    def _checked(self, node: Node, pattern: re.Pattern[str], kind: str) -> str:
        """The scalar's text, which an explicit tag (``!!int 1_000``) may not have made valid."""
        text = str(self.construct_scalar(node))  # type: ignore[arg-type]
        if not pattern.match(text):
            raise ConstructorError(
                None, None, f"{text!r} is not a YAML 1.2 {kind}", node.start_mark
            )
        return text


# The stubs accept only PyYAML's own loaders as the constructors' ``self``.
CoreConstructor.add_constructor(NULL, CoreConstructor.construct_core_null)  # type: ignore[type-var]
CoreConstructor.add_constructor(BOOL, CoreConstructor.construct_core_bool)  # type: ignore[type-var]
CoreConstructor.add_constructor(INT, CoreConstructor.construct_core_int)  # type: ignore[type-var]
CoreConstructor.add_constructor(FLOAT, CoreConstructor.construct_core_float)  # type: ignore[type-var]


class BoundedComposer(Composer):
    """PyYAML's composer, weighing the document as JSON as it goes and stopping past the limit.

    A node's weight is a lower bound of its compact JSON text (a string's characters and quotes,
    one character for any other scalar, a bracket and a separator per item), so a definition is
    refused only when its JSON is surely over :attr:`limit`. An alias weighs what its anchored
    node does; each node adds its weight to the collection around it as soon as it is composed,
    so the alias that tips the document over is the one named, and nothing is ever expanded.
    """

    limit = 1024 * 1024
    peek_event: Callable[[], Event]  # the Parser's, in the loader this is mixed into

    def __init__(self) -> None:
        super().__init__()
        self._anchored: dict[int, int] = {}  # id(anchored node) -> weight; nodes live till the end
        self._open: list[int] = []  # the weight so far of each collection being composed
        self._total = 0  # their sum: the weight of the document so far

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        collection = isinstance(event, CollectionStartEvent)
        if collection:
            self._open.append(1)
            self._total += 1
        node = super().compose_node(parent, index)
        assert node is not None  # the stubs' Optional: compose_node always returns a node
        if isinstance(event, AliasEvent):
            weight = self._anchored.get(id(node))
            if weight is None:
                # An anchored collection is registered before its content is composed, so an
                # alias inside it finds it unfinished: the document would contain itself.
                raise ComposerError(
                    None,
                    None,
                    f"alias *{event.anchor} is inside the node it refers to (JSON has no cycles)",
                    _mark(event),
                )
        else:
            if collection:
                weight = self._open.pop()
                self._total -= weight
            else:
                weight = len(node.value) + 2 if node.tag == STR else 1
            if isinstance(event, NodeEvent) and event.anchor is not None:
                self._anchored[id(node)] = weight
        if self._open:
            self._open[-1] += weight + 1
            self._total += weight + 1
        if max(weight, self._total) > self.limit:
            problem = (
                f"alias *{event.anchor} expands the definition past {self.limit} characters of JSON"
                if isinstance(event, AliasEvent)
                else f"the definition's JSON grows past {self.limit} characters here"
            )
            raise ExpansionLimitError(None, None, problem, _mark(event))
        return node


def _mark(event: Event) -> Mark | None:
    mark = event.start_mark
    return mark if isinstance(mark, Mark) else None


class CoreLoader(Reader, Scanner, Parser, BoundedComposer, CoreConstructor, CoreResolver):
    """A safe loader for the YAML 1.2 core schema whose documents' JSON is at most 1 MiB."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        BoundedComposer.__init__(self)
        CoreConstructor.__init__(self)
        CoreResolver.__init__(self)


def load(text: str, limit: int = BoundedComposer.limit) -> Any:
    """The single document in ``text`` by the YAML 1.2 core schema; raises ``yaml.YAMLError``
    (:class:`ExpansionLimitError` when its JSON would be over ``limit`` characters).

    >>> load("flags: [yes, No, on, true]")
    {'flags': ['yes', 'No', 'on', True]}
    """
    loader = CoreLoader(text)
    loader.limit = limit
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
