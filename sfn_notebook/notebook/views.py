"""What the magics return: small values that display themselves (graph, findings, functions).

Each has a plain-text ``repr`` (consoles, tests, nbval) and, where it helps, a rich display. A
rich display that cannot be drawn (no Graphviz, say) falls back to the text with a note instead
of raising inside IPython's display machinery, which would print a traceback.

>>> from sfn_notebook.errors import Diagnostic
>>> Findings("flow.asl.yaml", [Located(Diagnostic("ERROR", "X", "bad", "/States/A"), 4)])
flow.asl.yaml:4: ERROR X bad (/States/A)
"""

from __future__ import annotations

import html
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.errors import Diagnostic, SfnNotebookError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Located:
    """A diagnostic and the line of the text it is about."""

    diagnostic: Diagnostic
    line: int

    def text(self, where: str, cell: bool = False) -> str:
        """``file:LINE: ...`` (as compilers print) or, for a cell, ``line LINE: ...``."""
        d = self.diagnostic
        pointer = d.location or "/"
        place = f"line {self.line}" if cell else f"{where}:{self.line}"
        reason = f": {d.detail}" if d.detail else ""
        line = f"{place}: {d.severity} {d.code} {d.message}{reason} ({pointer})"
        if d.column is not None and d.snippet is not None:
            line += f"\n    {d.snippet}\n    {' ' * (d.column - 1)}^"
        return line


class Findings(list[Located]):
    """``%sfn validate``'s result: the diagnostics, each with its line; empty when all is well.

    ``where`` names the text: a file, or the state machine of a ``%%asl`` cell (``cell=True``:
    lines are the cell's, the ``%%asl`` line being line 1).
    """

    def __init__(self, where: str, items: list[Located], *, cell: bool = False) -> None:
        super().__init__(items)
        self.where = where
        self.cell = cell

    @property
    def errors(self) -> list[Located]:
        return [f for f in self if f.diagnostic.severity == "ERROR"]

    def __repr__(self) -> str:
        if not self:
            return f"{self.where}: OK, no findings"
        return "\n".join(found.text(self.where, self.cell) for found in self)

    __str__ = __repr__

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(repr(self))


class StateMachineView:
    """A state machine as ``%%asl`` and ``%sfn graph`` show it: a line saying what happened,
    then its graph (a clickable widget when a front-end can draw one)."""

    def __init__(self, definition: m.Definition, name: str, summary: str) -> None:
        self.definition = definition
        self.name = name
        self.summary = summary

    def __repr__(self) -> str:
        return self.summary

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(self.summary)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        try:
            from sfn_notebook.notebook.display import definition_mimebundle

            bundle = definition_mimebundle(self.definition, include, exclude, title=self.name)
        except (ImportError, SfnNotebookError) as exc:
            log.debug("graph not drawn", exc_info=True)
            return {"text/plain": f"{self.summary}\n(graph not drawn: {exc})"}
        bundle["text/plain"] = self.summary
        if "text/html" in bundle:
            caption = f'<div class="sfn-summary">{html.escape(self.summary)}</div>'
            bundle["text/html"] = caption + bundle["text/html"]
        return bundle


class FunctionTable(dict[str, Callable[..., Any]]):
    """``%sfn functions``: the registered Lambda stand-ins by name."""

    def __repr__(self) -> str:
        if not self:
            return "No functions registered (decorate one with @sfn.function)"
        width = max(len(name) for name in self)
        return "\n".join(f"{name:<{width}}  {_describe(fn)}" for name, fn in sorted(self.items()))

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(repr(self))


def _describe(fn: Callable[..., Any]) -> str:
    kind = "async " if inspect.iscoroutinefunction(fn) else ""
    where = getattr(fn, "__qualname__", type(fn).__name__)
    doc = (inspect.getdoc(fn) or "").strip().splitlines()
    return f"{kind}{where}{inspect_signature(fn)}" + (f"  - {doc[0]}" if doc else "")


def inspect_signature(fn: Callable[..., Any]) -> str:
    try:
        return str(inspect.signature(fn))
    except (TypeError, ValueError):
        return "(event, context)"


class Response(dict[str, Any]):
    """A boto3-style response dictionary that prints as indented JSON (dates as text)."""

    def __repr__(self) -> str:
        import json

        return json.dumps(self, indent=2, default=str, ensure_ascii=False)

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        printer.text(repr(self))


def response(value: Mapping[str, Any]) -> Response:
    return Response(value)
