"""Running one ``%sfn`` line: the commands of :mod:`~sfn_notebook.notebook.commands` and
:mod:`~sfn_notebook.notebook.aws_commands` register themselves with the registry when they load
(local commands first: that is the order of the help), and :func:`execute` dispatches to them.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from sfn_notebook.notebook import (  # noqa: F401 - they register themselves
    aws_commands,
    commands,
    inspect_commands,
)
from sfn_notebook.notebook.cmdline import CommandError, HelpRequested, split_line
from sfn_notebook.notebook.registry import COMMANDS, Context, help_text
from sfn_notebook.notebook.session import NotebookSession


def execute(
    session: NotebookSession,
    line: str,
    namespace: dict[str, Any] | None = None,
    display: Callable[..., Any] = print,
) -> Any:
    """Run one ``%sfn`` line (the text after ``%sfn``) on ``session``; what the magic does,
    without IPython. ``$name`` reads ``namespace``. Misuse raises :class:`CommandError`.

    >>> execute(NotebookSession(), "functions")
    No functions registered (decorate one with @sfn.function)
    """
    words = split_line(line)
    if not words:
        print(help_text())
        return None
    name, rest = words[0], words[1:]
    found = COMMANDS.get(name)
    if found is None:
        close = difflib.get_close_matches(name, COMMANDS, 1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise CommandError(f"unknown command {name!r}; {hint}commands: {', '.join(COMMANDS)}")
    try:
        args = found.parser.parse_args(rest)
    except HelpRequested:
        print(found.help)
        return None
    return found.run(Context(session, namespace if namespace is not None else {}, display), args)
