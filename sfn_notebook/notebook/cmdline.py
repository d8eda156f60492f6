"""Reading a magic's line: words, JSON arguments, ``$variables``; no IPython here.

Shell quoting alone would mangle JSON (``{"a": 1}`` loses its quotes), so :func:`split_line`
keeps balanced ``{...}`` and ``[...]`` as they are, and strips only the quotes around other
words, as a shell does. :class:`Parser` is argparse that raises :class:`CommandError` with the
usage instead of exiting the process.

>>> split_line('run orders --input {"id": 7, "items": [1, 2]} --name "first try"')
['run', 'orders', '--input', '{"id": 7, "items": [1, 2]}', '--name', 'first try']
>>> parse_json('{"id": 7}'), parse_json("approved"), parse_json("3")
({'id': 7}, 'approved', 3)
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any, NoReturn

from sfn_notebook.engine.history import PAYLOAD_LIMIT
from sfn_notebook.errors import InputFileError, SfnNotebookError
from sfn_notebook.textfile import read_text


class CommandError(SfnNotebookError):
    """A magic was called wrongly; the message ends with its usage."""

    code = "UsageError"


class HelpRequested(Exception):
    """``--help`` was given: show the help text instead of running the command."""


def split_line(line: str) -> list[str]:
    """Words of a magic's line (see the module docstring for the quoting rules)."""
    words: list[str] = []
    at, size = 0, len(line)
    while at < size:
        if line[at].isspace():
            at += 1
            continue
        word: list[str] = []
        while at < size and not line[at].isspace():
            char = line[at]
            if char in "{[":
                end = _balanced_end(line, at)
                word.append(line[at:end])
                at = end
            elif char in "'\"":
                end = line.find(char, at + 1)
                if end < 0:
                    raise CommandError(f"unclosed {char} quote in: {line}")
                inner = line[at + 1 : end]
                if char == '"':  # JSON-style escapes such as \" inside double quotes
                    while inner.endswith("\\") and end >= 0:
                        end = line.find(char, end + 1)
                        if end < 0:
                            raise CommandError(f"unclosed {char} quote in: {line}")
                        inner = line[at + 1 : end]
                    inner = inner.replace('\\"', '"')
                word.append(inner)
                at = end + 1
            else:
                word.append(char)
                at += 1
        words.append("".join(word))
    return words


def _balanced_end(line: str, start: int) -> int:
    """The index just past the bracket that closes ``line[start]``; JSON strings are skipped."""
    depth, at, in_string = 0, start, False
    while at < len(line):
        char = line[at]
        if in_string:
            if char == "\\":
                at += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return at + 1
        at += 1
    raise CommandError(f"unbalanced {line[start]!r} in: {line[start:]}")


_MISSING = object()


def parse_json(text: str, namespace: Mapping[str, Any] | None = None, what: str = "JSON") -> Any:
    """A JSON argument: JSON text (a word that is not JSON, such as ``approved``, is a string),
    ``$name`` (a Python variable's value) or ``@path`` (a JSON file, read up to AWS's 256 KiB
    limit on payloads).

    >>> parse_json("$order", {"order": {"id": 1}})
    {'id': 1}
    """
    if text.startswith("$") and text[1:].isidentifier():
        value = (namespace or {}).get(text[1:], _MISSING)
        if value is _MISSING:
            raise CommandError(f"{what}: no variable named {text[1:]!r} in the notebook")
        return value
    if text.startswith("@"):
        try:
            text = read_text(text[1:], PAYLOAD_LIMIT, what="a payload on AWS")
        except InputFileError as exc:
            raise CommandError(f"{what}: {exc}") from None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{what}: {text[:40]!r} is not JSON: {exc}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        if text[:1] in "{[":
            raise CommandError(f"{what}: not valid JSON ({exc}): {text}") from None
        # Bare words such as `approved` are what a person means as a string.
        return text


def variable_or_text(text: str, namespace: Mapping[str, Any] | None) -> Any:
    """``$name`` as the variable's value, anything else as it is."""
    if text.startswith("$") and text[1:].isidentifier():
        value = (namespace or {}).get(text[1:], _MISSING)
        if value is _MISSING:
            raise CommandError(f"no variable named {text[1:]!r} in the notebook")
        return value
    return text


class Parser(argparse.ArgumentParser):
    """argparse for magics: errors raise :class:`CommandError`, ``--help`` raises
    :class:`HelpRequested`; nothing prints or exits."""

    def __init__(self, prog: str, description: str = "", **kwargs: Any) -> None:
        super().__init__(
            prog=prog,
            description=description,
            add_help=False,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kwargs,
        )
        self.add_argument("-h", "--help", action=_HelpAction, help="show this help")

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{message}\n{self.format_usage().strip()}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        raise CommandError(message or f"{self.prog} stopped (status {status})")


class _HelpAction(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        kwargs.pop("nargs", None)
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, *_args: Any, **_kwargs: Any) -> None:
        raise HelpRequested
