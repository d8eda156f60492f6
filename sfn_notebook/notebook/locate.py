"""JSON pointers → line numbers in the JSON or YAML text a definition was written in.

Diagnostics locate a finding by JSON pointer (``/States/Load/Next``); a person reading a cell or
a file wants the line. :func:`line_of` finds the line of the key (or array element) a pointer
names; when the pointer goes deeper than the text (a missing ``Next``), it stops at the deepest
part that exists, which is the line a fix goes on.

>>> text = '''StartAt: A
... States:
...   A:
...     Type: Pass
...     Next: B
... '''
>>> line_of(text, "/States/A/Next"), line_of(text, "/States/A/Missing"), line_of(text, "/")
(5, 3, 1)
>>> line_of('{"StartAt": "A",\\n "States": {\\n\\t"A": {"Type": "Pass"}}}', "/States/A/Type")
3
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import yaml

Positions = dict[tuple[str, ...], int]  # pointer tokens -> 0-based offset of the key or element


def pointer_tokens(pointer: str) -> tuple[str, ...]:
    """The tokens of a JSON pointer (RFC 6901); ``""`` and ``"/"`` are the whole document.

    >>> pointer_tokens("/States/a~1b/Retry/0")
    ('States', 'a/b', 'Retry', '0')
    """
    if pointer in ("", "/"):
        return ()
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/"))


def is_json_text(text: str) -> bool:
    """The loader's rule: text starting with ``{`` or ``[`` is JSON, anything else YAML."""
    return text.lstrip().startswith(("{", "["))


class SourceIndex:
    """Where every key and array element of a JSON or YAML text starts; build once per text.

    Texts that do not parse give an empty index: every pointer then maps to line 1, unless the
    parser's message names a line (see :func:`diagnostic_line`).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        try:
            if is_json_text(text):
                self.positions = _JsonScanner(text).scan()
            else:
                self.positions = _yaml_positions(text)
        except (ValueError, yaml.YAMLError, IndexError):
            self.positions = {}

    def line(self, pointer: str) -> int:
        """The 1-based line of the deepest part of ``pointer`` present in the text."""
        tokens = pointer_tokens(pointer)
        while tokens and tokens not in self.positions:
            tokens = tokens[:-1]
        if not tokens:
            return self._first_content_line()
        return self._line_at(self.positions[tokens])

    def _line_at(self, offset: int) -> int:
        low, high = 0, len(self._line_starts) - 1
        while low < high:  # the last line start at or before the offset
            middle = (low + high + 1) // 2
            if self._line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1

    def _first_content_line(self) -> int:
        for number, line in enumerate(self.text.splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#"):
                return number
        return 1


def line_of(text: str, pointer: str) -> int:
    """The 1-based line in ``text`` where ``pointer`` (or its deepest existing prefix) is."""
    return SourceIndex(text).line(pointer)


_PARSER_POSITION = re.compile(r"\bline (\d+)(?:,? column (\d+))?")
_SYNTAX_CODES = ("INVALID_JSON_DESCRIPTION", "DEFINITION_TOO_LARGE")


def syntax_position(code: str, message: str) -> tuple[int, int | None] | None:
    """The 1-based (line, column) a parser names in a malformed-text message, if it names one.

    Both parsers put it in the message (json: ``line 3 column 24 (char 40)``, PyYAML:
    ``line 5, column 4``); a pointer-located finding has none.

    >>> syntax_position("INVALID_JSON_DESCRIPTION", "Expecting ',' delimiter: line 3 column 24")
    (3, 24)
    >>> syntax_position("MISSING_TRANSITION_TARGET", "No state at line 3") is None
    True
    """
    if code not in _SYNTAX_CODES:
        return None
    found = _PARSER_POSITION.search(message)
    if not found:
        return None
    return int(found.group(1)), int(found.group(2)) if found.group(2) else None


def diagnostic_line(index: SourceIndex, diagnostic: Any) -> int:
    """The line a diagnostic is about: the parser's own line for malformed text, else the
    line of its JSON pointer."""
    position = syntax_position(diagnostic.code, diagnostic.message)
    if position:
        return position[0]
    return index.line(diagnostic.location)


def _yaml_positions(text: str) -> Positions:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    positions: Positions = {}
    if root is None:
        return positions

    walked: set[int] = set()

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        # An alias repeats a node already walked: walking it again would expand the aliases
        # (a few hundred bytes of nested aliases are billions of paths).
        if id(node) in walked:
            return
        walked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*path, str(key.value))
                positions.setdefault(here, key.start_mark.index)
                walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value):
                here = (*path, str(number))
                positions[here] = item.start_mark.index
                walk(item, here)

    walk(root, ())
    return positions


# The C scanner json itself uses for strings: (text, index after the opening quote) -> (value,
# index after the closing quote). typeshed does not declare it.
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERAL = re.compile(r"true|false|null")
_SPACE = re.compile(r"[ \t\n\r]*")


class _JsonScanner:
    """A JSON reader that records offsets (``json`` does not report them; PyYAML rejects tabs)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.positions: Positions = {}

    def scan(self) -> Positions:
        self._value(())
        return self.positions

    def _skip(self) -> None:
        match = _SPACE.match(self.text, self.at)
        self.at = match.end() if match else self.at

    def _value(self, path: tuple[str, ...]) -> None:
        self._skip()
        char = self.text[self.at]
        if char == "{":
            self._object(path)
        elif char == "[":
            self._array(path)
        elif char == '"':
            self._string()
        else:
            match = _NUMBER.match(self.text, self.at) or _LITERAL.match(self.text, self.at)
            if match is None:
                raise ValueError(f"unexpected {char!r} at offset {self.at}")
            self.at = match.end()

    def _string(self) -> str:
        value, self.at = _scanstring(self.text, self.at + 1)
        return value

    def _object(self, path: tuple[str, ...]) -> None:
        self.at += 1
        self._skip()
        if self.text[self.at] == "}":
            self.at += 1
            return
        while True:
            self._skip()
            start = self.at
            here = (*path, self._string())
            self.positions.setdefault(here, start)
            self._skip()
            self.at += 1  # the colon
            self._value(here)
            self._skip()
            char = self.text[self.at]
            self.at += 1
            if char == "}":
                return

    def _array(self, path: tuple[str, ...]) -> None:
        self.at += 1
        self._skip()
        if self.text[self.at] == "]":
            self.at += 1
            return
        number = 0
        while True:
            self._skip()
            here = (*path, str(number))
            self.positions[here] = self.at
            self._value(here)
            self._skip()
            char = self.text[self.at]
            self.at += 1
            number += 1
            if char == "]":
                return
