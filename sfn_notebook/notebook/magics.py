"""IPython magics: ``%%asl`` defines a state machine, ``%sfn`` runs and inspects executions.

``%load_ext sfn_notebook`` registers them. They are thin mirrors of the Python API on the
notebook's default Runtime (:mod:`sfn_notebook.notebook.session`) and use its names:

    %%asl orders                        rt.create_state_machine(name="orders", definition=...)
    %sfn run orders --input {"id": 7}   rt.start("orders", {"id": 7}).wait()
    %sfn history orders-1               analysis.events_frame(execution)

Misuse raises IPython's ``UsageError`` with the usage, which IPython shows as one line and no
traceback; so does every error of this library (``SfnNotebookError``). ``%sfn help`` lists the
commands; every command also takes ``--help``.

>>> from IPython.testing.globalipapp import start_ipython   # doctest: +SKIP
>>> ip = start_ipython(); ip.run_line_magic("load_ext", "sfn_notebook")   # doctest: +SKIP
>>> ip.run_line_magic("sfn", "functions")                    # doctest: +SKIP
No functions registered (decorate one with @sfn.function)
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from IPython.core.error import TryNext, UsageError
from IPython.core.magic import (
    Magics,
    cell_magic,
    line_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
)

from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.notebook.asl_cell import define
from sfn_notebook.notebook.cmdline import HelpRequested, Parser
from sfn_notebook.notebook.dispatch import execute
from sfn_notebook.notebook.registry import (
    ASL_PARSER,
    COMMANDS,
    Context,
    machine_arn,
    parsed_definition,
)
from sfn_notebook.notebook.session import NotebookSession, session

log = logging.getLogger(__name__)

DEBUG_ENV = "SFN_NOTEBOOK_DEBUG"  # set to re-raise unexpected errors with their traceback

# ------------------------------------------------------------------------------------------------
# IPython glue


def _guarded(run: Callable[[], Any]) -> Any:
    """Run a magic; every error of ours becomes a UsageError, which IPython shows without a
    traceback. Set SFN_NOTEBOOK_DEBUG=1 to see the traceback of an unexpected error."""
    try:
        return run()
    except UsageError:
        raise
    except SfnNotebookError as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        log.debug("sfn-notebook magic failed", exc_info=True)
        raise UsageError(
            f"sfn-notebook failed unexpectedly: {type(exc).__name__}: {exc}\n"
            f"(a bug; set {DEBUG_ENV}=1 and run the cell again for the traceback)"
        ) from None


@magics_class
class SfnMagics(Magics):
    """``%sfn`` and ``%%asl`` on a :class:`NotebookSession`."""

    def __init__(self, shell: Any, notebook: NotebookSession | None = None) -> None:
        super().__init__(shell)
        self.notebook = notebook or session()

    @property
    def _namespace(self) -> dict[str, Any]:
        """The notebook's variables (``$name`` reads them)."""
        shell = self.shell
        return {} if shell is None else shell.user_ns  # type: ignore[no-any-return]

    def _context(self, local_ns: dict[str, Any] | None = None) -> Context:
        from IPython.display import display

        namespace = self._namespace
        if local_ns is not None and local_ns is not namespace:
            namespace = {**namespace, **local_ns}  # locals hide globals, as in Python
        return Context(self.notebook, namespace, display)

    @line_magic("sfn")  # type: ignore[arg-type]  # IPython types the marker as taking Never
    @no_var_expand  # $var is ours to read (a dict must not become its Python repr)
    @needs_local_scope  # $var may be a local variable of the function the magic is used in
    def sfn(self, line: str, local_ns: dict[str, Any] | None = None) -> Any:
        """Run, inspect and answer Step Functions executions: %sfn help lists the commands."""
        return _guarded(lambda: self._dispatch(line, local_ns))

    def _dispatch(self, line: str, local_ns: dict[str, Any] | None = None) -> Any:
        from IPython.display import display

        return execute(self.notebook, line, self._context(local_ns).namespace, display)

    @cell_magic("asl")  # type: ignore[arg-type]  # (as above)
    @no_var_expand
    def asl(self, line: str, cell: str) -> Any:
        """Define a state machine from the cell (JSON or YAML): %%asl NAME [--type EXPRESS]."""

        def run() -> Any:
            try:
                return define(self._context(), line, cell)
            except HelpRequested:
                print(ASL_PARSER.format_help().strip())
                return None

        return _guarded(run)

    # Completion -------------------------------------------------------------------------------

    def complete_sfn(self, _shell: Any, event: Any) -> list[str]:
        # IPython calls hooks as methods of the shell: (shell, event).
        return _completing(lambda: complete(self.notebook, event.text_until_cursor))

    def complete_asl(self, _shell: Any, event: Any) -> list[str]:
        return _completing(lambda: complete(self.notebook, event.text_until_cursor))


def _completing(find: Callable[[], list[str]]) -> list[str]:
    try:
        found = find()
    except Exception as exc:  # a completer must never disturb typing
        log.debug("completion failed", exc_info=True)
        raise TryNext from exc
    if not found:
        raise TryNext  # let IPython's own completers (files, names) try
    return found


def complete(notebook: NotebookSession, before_cursor: str) -> list[str]:
    """Completions for a ``%sfn`` or ``%%asl`` line, given the text before the cursor.

    >>> complete(NotebookSession(), "%sfn run --cl")
    ['--clock']
    >>> complete(NotebookSession(), "%sfn run x --clock ")
    ['virtual', 'real']
    """
    words = before_cursor.split()
    if not words:
        return []
    if before_cursor[-1:].isspace():
        words.append("")
    kinds: tuple[str, ...]
    if words[0] == "%%asl":
        parser, kinds, rest = ASL_PARSER, ("machine",), words[1:]
    else:
        if len(words) <= 2:
            return [name for name in COMMANDS if name.startswith(words[-1])]
        found = COMMANDS.get(words[1])
        if found is None:
            return []
        parser, kinds, rest = found.parser, found.completes, words[2:]
    current = rest[-1]
    previous = rest[-2] if len(rest) > 1 else ""
    choices = _option_choices(parser, previous)
    if choices is not None:
        return [c for c in choices if c.startswith(current)]
    if current.startswith("-"):
        options = (o for a in parser._actions for o in a.option_strings)
        return [o for o in options if o.startswith("--") and o.startswith(current)]
    positional = _positionals(parser, rest[:-1])
    if len(positional) >= len(kinds):
        return []
    candidates = _candidates(notebook, kinds[len(positional)], positional)
    return [c for c in candidates if c.startswith(current)]


def _candidates(notebook: NotebookSession, kind: str, positional: list[str]) -> list[str]:
    if kind == "machine":
        return notebook.machine_names()
    if kind == "machine-or-file":
        files = [*glob.glob("*.json"), *glob.glob("*.yaml"), *glob.glob("*.yml")]
        return notebook.machine_names() + sorted(files)
    if kind == "execution":
        return _unique(ex.name for _, ex in notebook.all_executions())
    if kind == "duration":
        return ["30s", "10m", "1h", "1d"]
    if kind == "state" and positional:
        runtime = notebook.runtime
        try:
            described = runtime.describe_state_machine(
                stateMachineArn=machine_arn(runtime, positional[0])
            )
        except SfnNotebookError:
            return []
        return [s.name for s in parsed_definition(described["definition"]).walk()]
    return []


def _positionals(parser: Parser, words: list[str]) -> list[str]:
    """The positional arguments among ``words`` (option values are not)."""
    takes_value = {o for a in parser._actions if a.nargs != 0 for o in a.option_strings}
    found, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in takes_value
        else:
            found.append(word)
    return found


def _option_choices(parser: Parser, option: str) -> list[str] | None:
    for action in parser._actions:
        if option in action.option_strings and action.choices:
            return [str(c) for c in action.choices]
    return None


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext sfn_notebook``: register ``%sfn``, ``%%asl`` and their completers."""
    magics = SfnMagics(ipython)
    ipython.register_magics(magics)
    for key in ("%sfn", "sfn"):
        ipython.set_hook("complete_command", magics.complete_sfn, str_key=key)
    ipython.set_hook("complete_command", magics.complete_asl, str_key="%%asl")


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext sfn_notebook``: the magics go; the Runtime and its executions stay."""
    registry = ipython.magics_manager.magics
    registry["line"].pop("sfn", None)
    registry["cell"].pop("asl", None)
