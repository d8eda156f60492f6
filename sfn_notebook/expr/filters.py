"""JSONPath filter predicates (``[?(...)]``) as AWS evaluates them with Jayway, compiled once.

The parser follows Jayway's ``FilterCompiler`` step by step, since that decides which text AWS
accepts and what it means: a path operand ends at a blank or an operator character, an unknown
operator turns the left side into an existence test, ``!@.x`` tests absence, ``&&`` binds
tighter than ``||``. The operators themselves are :mod:`sfn_notebook.expr.relations`.

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
import re
from collections.abc import Callable
from typing import Any, Final, Protocol

from sfn_notebook.errors import ExpressionError
from sfn_notebook.expr.relations import (
    EVALUATORS,
    NULL,
    UNDEFINED,
    Evaluator,
    Node,
    Unsupported,
    as_number,
    node,
    permissive_json,
    unescape,
)

__all__ = [
    "UNDEFINED",
    "FilterSyntaxError",
    "Operand",
    "Predicate",
    "closing_bracket",
    "compile_filter",
]


class Operand(Protocol):
    """A compiled path inside a filter: ``@...`` reads the item tested, ``$...`` the root."""

    def value(self, item: Any, root: Any) -> Any:
        """The value the path selects (a list for indefinite paths), or :data:`UNDEFINED`."""

    def exists(self, item: Any, root: Any) -> bool:
        """Whether every property on the path is present (Jayway's REQUIRE_PROPERTIES)."""


Predicate = Callable[[Any, Any], bool]
_Term = Callable[[Any, Any], Node]


class FilterSyntaxError(Exception):
    """Jayway's InvalidPathException while compiling a filter; ``position`` is 0-based."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message, self.position = message, position


class _NotInvalidPath(FilterSyntaxError):
    """Any other exception Jayway's parser meets (a bad number): never a parse fallback."""


_WORDS: Final = (("true", ("bool", True)), ("false", ("bool", False)), ("null", NULL))
_RELATIONAL_CHARS: Final = frozenset("<>=~!")
_NUMBER_CHARS: Final = frozenset("0123456789-.eE")
_WORD_ENDS: Final = frozenset(" ()[]{}&|,'\"") | _RELATIONAL_CHARS
_REGEX_FLAGS: Final = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_ALL_FLAGS: Final = frozenset("dixmsuU")  # Java's flags; d, u and U have no Python meaning here


# --- scanning -------------------------------------------------------------------------------


def _next_unescaped(text: str, start: int, char: str) -> int:
    """Jayway's nextIndexOfUnescaped: the next ``char`` after ``start`` not after a backslash."""
    i, escaped = start + 1, False
    while i < len(text):
        c = text[i]
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == char:
            return i
        i += 1
    return -1


def closing_bracket(text: str, start: int, pair: str = "()", skip: str = "'\"/") -> int:
    """The index of the bracket closing the one at ``start`` (``pair`` is opening and closing),
    skipping quoted strings and, when ``skip`` has ``/``, regexes; -1 if there is none.

    >>> closing_bracket("[?(@.a == ')' || @.b =~ /(/)]", 2)
    27
    """
    depth, i = 1, start + 1
    while i < len(text):
        for quote in skip:  # Jayway skips a string, then a regex, then looks at the character
            if i < len(text) and text[i] == quote:
                close = _next_unescaped(text, i, quote)
                if close < 0:
                    raise FilterSyntaxError(f"Could not find matching close for {quote}", i)
                i = close + 1
        if i >= len(text):
            return -1
        if text[i] == pair[0]:
            depth += 1
        elif text[i] == pair[1]:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


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
                except Unsupported:
                    return False

            return relation
        if operand is None:
            raise self.fail("Expected path node")
        return lambda item, root: operand.exists(item, root) is must_exist

    def operator(self) -> Evaluator:
        self.blanks()
        begin = self.pos
        if self.char() in _RELATIONAL_CHARS:
            while self.char() in _RELATIONAL_CHARS:
                self.pos += 1
        else:
            while self.pos < len(self.text) and self.char() != " ":
                self.pos += 1
        name = self.text[begin : self.pos]
        evaluate = EVALUATORS.get(name.upper())
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
                close = closing_bracket(self.text, self.pos, "[]", "'\"")
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
        except ExpressionError as exc:  # Jayway's InvalidPathException from its PathCompiler
            message = f"Invalid path '{text}' in filter: {exc.message}"
            raise FilterSyntaxError(message, begin) from None
        value = operand.value
        return (lambda item, root: node(value(item, root))), operand, must_exist

    def closes_function(self, lower: int) -> bool:
        """Whether the ``)`` here ends ``.name()`` of a path function rather than a group."""
        i = self.pos - 1
        while i >= 0 and self.text[i] == " ":
            i -= 1
        if i < 0 or self.text[i] != "(":
            return False
        return "." in self.text[lower + 1 : i]

    def literal(self) -> Node:
        c = self.blanks()
        if c in ("'", '"'):
            close = _next_unescaped(self.text, self.pos, c)
            if close < 0:
                raise self.fail(f"String literal does not have matching quotes. Expected {c}")
            raw, self.pos = self.text[self.pos + 1 : close], close + 1
            try:
                return ("str", unescape(raw))
            except ValueError as exc:
                raise self.fail(str(exc), invalid=False) from None
        bare = self.bare_word()
        for word, constant in _WORDS:
            if bare == word:
                self.pos += len(word)
                return constant
        if c in ("{", "["):
            close = closing_bracket(self.text, self.pos, c + ("}" if c == "{" else "]"), "'\"")
            if close < 0:
                raise self.fail(f"JSON literal not closed: expected the match of {c}")
            parsed = permissive_json(self.text[self.pos : close + 1])
            if parsed is None:
                raise self.fail("Invalid JSON literal", invalid=False)
            self.pos = close + 1
            return ("json", parsed[0])
        if c == "/":
            return self.pattern()
        number = as_number(bare) if bare and set(bare) <= _NUMBER_CHARS else None
        if number is not None:
            self.pos += len(bare)
            return ("num", number)
        if not bare:
            raise self.fail("Failed to parse filter: expected a value", invalid=False)
        # An unquoted word is a string: AWS runs `[?(@.constraint_status==Failure)]` as a string
        # comparison (deployed AWS samples rely on it), where today's Jayway fails to parse it.
        self.pos += len(bare)
        return ("str", bare)

    def bare_word(self) -> str:
        """The unquoted token here: up to a blank, a bracket, an operator or ``&&``/``||``."""
        end = self.pos
        while end < len(self.text) and self.text[end] not in _WORD_ENDS:
            end += 1
        return self.text[self.pos : end]

    def pattern(self) -> Node:
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
    except ExpressionError:
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
