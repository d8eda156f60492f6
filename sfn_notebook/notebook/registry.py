"""The ``%sfn`` command registry, the ``%%asl`` parser, the help, and what they share.

A command is an argparse parser (built from ``arg(...)`` specs) and a function of a
:class:`Context` and the parsed arguments; :func:`command` registers one, and its docstring
becomes the help's description. The commands themselves are in
:mod:`sfn_notebook.notebook.commands`. No IPython here.

>>> machine_arn(type("R", (), {"region": "eu-west-1", "account": "111122223333"})(), "orders")
'arn:aws:states:eu-west-1:111122223333:stateMachine:orders'
"""

from __future__ import annotations

import argparse
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sfn_notebook.asl.parse import parse, validate
from sfn_notebook.notebook.cmdline import CommandError, Parser
from sfn_notebook.notebook.locate import SourceIndex, diagnostic_line
from sfn_notebook.notebook.session import NotebookSession
from sfn_notebook.notebook.views import Findings, Located
from sfn_notebook.runtime.identity import state_machine_arn
from sfn_notebook.runtime.runtime import Runtime

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
TYPES = ("STANDARD", "EXPRESS")
QUERY_LANGUAGES = ("JSONPath", "JSONata")
INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")

# ------------------------------------------------------------------------------------------------
# The command registry: one entry per %sfn subcommand


@dataclass
class Context:
    """What a command works with: the session and the notebook's namespace."""

    session: NotebookSession
    namespace: dict[str, Any]
    display: Callable[..., Any]

    @property
    def runtime(self) -> Runtime:
        return self.session.runtime


@dataclass
class Command:
    name: str
    summary: str
    parser: Parser
    run: Callable[[Context, argparse.Namespace], Any]
    completes: tuple[str, ...] = ()  # what each positional completes to: machine, execution ...

    @property
    def help(self) -> str:
        return self.parser.format_help().strip()


COMMANDS: dict[str, Command] = {}


def arg(*names: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    return names, options


def command(
    name: str, summary: str, *arguments: tuple[tuple[str, ...], dict[str, Any]], completes: str = ""
) -> Callable[[Callable[[Context, argparse.Namespace], Any]], Callable[..., Any]]:
    """Register a ``%sfn`` subcommand; its docstring is the help's description."""

    def register(fn: Callable[[Context, argparse.Namespace], Any]) -> Callable[..., Any]:
        parser = Parser(f"%sfn {name}", f"{summary}\n\n{_dedent(fn.__doc__)}".strip())
        for names, options in arguments:
            parser.add_argument(*names, **options)
        COMMANDS[name] = Command(name, summary, parser, fn, tuple(completes.split()))
        return fn

    return register


def _dedent(doc: str | None) -> str:
    return inspect.cleandoc(doc or "")


ASL_PARSER = Parser(
    "%%asl",
    "Define a state machine from the cell (JSON or YAML): validate it, create it or publish a "
    "new version of it, and show its graph.\n\nDiagnostics name the cell line they are about "
    "(the %%asl line is line 1).",
)
ASL_PARSER.add_argument("name", metavar="NAME", help="the state machine's name")
ASL_PARSER.add_argument("--type", choices=TYPES, default="STANDARD", help="default: STANDARD")
ASL_PARSER.add_argument(
    "--query-language",
    choices=QUERY_LANGUAGES,
    help="the definition's QueryLanguage, when the cell does not set it",
)
ASL_PARSER.add_argument("--role-arn", help="the execution role (default: a local one)")
ASL_PARSER.add_argument("--no-graph", action="store_true", help="do not show the graph")


# ------------------------------------------------------------------------------------------------
# Shared by commands and %%asl


def machine_arn(runtime: Runtime, name: str) -> str:
    return state_machine_arn(name, runtime.region, runtime.account)


@functools.lru_cache(maxsize=64)
def parsed_definition(text: str) -> Any:
    return parse(text)


def findings_for(
    text: str, where: str, offset: int = 0, document: Any = None, *, cell: bool = False
) -> Findings:
    """Validate ``text`` (or the ``document`` loaded from it) and locate each finding's line;
    ``offset`` is added to lines (1 for a cell, whose first line is ``%%asl``)."""
    index = SourceIndex(text)
    diagnostics = validate(text if document is None else document)
    located = [Located(d, diagnostic_line(index, d) + offset) for d in diagnostics]
    return Findings(where, located, cell=cell)


def say_notes(current: NotebookSession) -> None:
    while current.notes:
        print(current.notes.pop(0))


# ------------------------------------------------------------------------------------------------
# Help


def help_text(topic: str | None = None) -> str:
    """The overview of every magic, or one command's full help.

    >>> help_text("functions").splitlines()[0]
    'usage: %sfn functions [-h]'
    """
    if topic in ("asl", "%%asl"):
        return ASL_PARSER.format_help().strip()
    if topic is not None:
        found = COMMANDS.get(topic)
        if found is None:
            known = ", ".join(COMMANDS)
            raise CommandError(f"no command {topic!r}; commands: {known}")
        return found.help
    lines = ["sfn-notebook magics (%sfn help COMMAND, or COMMAND --help, for details):", ""]
    lines.append(f"  {'%%asl NAME':<22} {ASL_PARSER.description.splitlines()[0]}")  # type: ignore[union-attr]
    for name, cmd in COMMANDS.items():
        lines.append(f"  {'%sfn ' + name:<22} {cmd.summary}")
    return "\n".join(lines)
