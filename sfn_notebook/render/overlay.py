# ruff: noqa: RUF002, RUF003 - "×" is the times sign the graphs write
"""Snapshots drawn on a state machine's graph: workflow coverage and injected faults.

Both are static graphs (a :class:`CaptionedGraph`, which displays itself like
:class:`~sfn_notebook.render.svg.Graph`), built from plain data so the render layer needs
neither pandas nor the analysis and testing packages:

* :func:`coverage_graph` takes ``Coverage.graph_data()``: states entered are green and say how
  often, states never entered stay blank and say so; every transition, Choice rule, ``Default``
  and Catch edge carries its count and grows thicker with it, and one never taken is dotted and
  says "never"; a state's Retry clauses are listed under it with their counts.
* :func:`fault_graph` takes the outcomes of ``sfn.testing.fault_outcomes`` (or the rows of
  ``inject_faults``): a Task with a fault that fails the execution is red, one whose faults are
  all caught is orange, and the note under it says which errors fail, are caught or retried; a
  Catch edge that caught faults is drawn bold with their number.

Marks do not rely on colour alone (counts, "never", dotted lines), so they read in every theme;
the graph's page, clusters and blank states follow the notebook's theme as every graph does.

>>> data = {"states": {"A": {"pointer": "/States/A", "count": 2}}, "edges": [], "retries": []}
>>> g = coverage_graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, data)
>>> "entered 2×" in g.dot
True
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.render.attempts import CAUGHT_ERROR, FAILED, NOT_REACHED, SUCCEEDED
from sfn_notebook.render.dot import GRAPH_MIME_TYPE, escape
from sfn_notebook.render.labels import shorten
from sfn_notebook.render.svg import Graph

TIMES = "\u00d7"  # a times sign: "3×"


class CaptionedGraph(Graph):
    """A :class:`~sfn_notebook.render.svg.Graph` with a caption line above it (what the colours
    and lines mean, the totals); ``repr`` is the caption."""

    def __init__(self, definition: Any, *, caption: str, **options: Any) -> None:
        super().__init__(definition, **options)
        self.caption = caption

    def __repr__(self) -> str:
        return self.caption

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **_: Any
    ) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(include, exclude)
        # The JupyterLab extension draws the graph output with its title above: the caption too.
        heading = f"{self.title} — {self.caption}" if self.title else self.caption
        bundle[GRAPH_MIME_TYPE] = {**bundle[GRAPH_MIME_TYPE], "title": heading}
        caption = f'<div class="sfn-summary">{html.escape(self.caption)}</div>'
        bundle["text/html"] = caption + bundle["text/html"]
        bundle["text/plain"] = self.caption
        return bundle


def _weight(count: int) -> str:
    """A pen width growing with the count: 1.2 for once, about 4 for a thousand times."""
    return f"{min(1.2 + math.log10(count) * 0.9, 4.0):.1f}"


class CoverageOverlay:
    """Counts from ``Coverage.graph_data()`` as notes on states and marks on edges."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.states = {info["pointer"]: int(info["count"]) for info in data["states"].values()}
        self.edges = {
            (edge["source"], edge["kind"], edge["index"]): int(edge["count"])
            for edge in data["edges"]
        }
        self.retries: dict[str, list[tuple[int, int]]] = {}
        for retry in data["retries"]:
            self.retries.setdefault(retry["state"], []).append(
                (int(retry["index"]), int(retry["count"]))
            )

    def statuses(self) -> dict[str, str]:
        return {
            pointer: SUCCEEDED if count else NOT_REACHED for pointer, count in self.states.items()
        }

    def note(self, state: m.State) -> str | None:
        count = self.states.get(state.pointer, 0)
        lines = [f"entered {count}{TIMES}" if count else "never entered"]
        retries = self.retries.get(state.name)
        if retries:
            lines.append(
                " · ".join(
                    f"Retry {i}: {n}{TIMES}" if n else f"Retry {i}: never" for i, n in retries
                )
            )
        return "\n".join(lines)

    def edge(self, state: m.State, kind: str, index: int | None, label: str | None) -> str:
        count = self.edges.get((state.name, kind, index))
        if count is None:
            return ""
        mark = f"{count}{TIMES}" if count else "never"
        text = f"{label} · {mark}" if label else mark
        if count:
            return f'label="{escape(text)}", style=solid, penwidth={_weight(count)}'
        return f'label="{escape(text)}", style=dotted'


def coverage_graph(
    definition: m.Definition | Mapping[str, Any] | str,
    data: Mapping[str, Any],
    *,
    title: str = "",
    caption: str = "",
) -> CaptionedGraph:
    """The coverage graph of ``definition`` for ``data`` (``Coverage.graph_data()``)."""
    overlay = CoverageOverlay(data)
    legend = "green: entered · blank: never entered · edges: times taken, dotted: never taken"
    return CaptionedGraph(
        definition,
        statuses=overlay.statuses(),
        title=title,
        overlay=overlay,
        caption=f"{caption} — {legend}" if caption else legend,
    )


# Fault injection ----------------------------------------------------------------------------------


def _field(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


class FaultOverlay:
    """Fault outcomes per Task: its colour, a note of what fails, is caught or retried, and the
    Catch edges that caught faults."""

    def __init__(self, definition: m.Definition, outcomes: Iterable[Any]) -> None:
        self.by_state: dict[str, list[tuple[str, str, int, str | None]]] = {}
        for row in outcomes:
            self.by_state.setdefault(str(_field(row, "state")), []).append(
                (
                    str(_field(row, "error")),
                    str(_field(row, "outcome")),
                    int(_field(row, "retries")),
                    _none(_field(row, "caught_by")),
                )
            )
        self.caught: dict[tuple[str, int], int] = {}
        states = {s.name: s for s in definition.walk()}
        for faults in self.by_state.values():
            for error, outcome, _retries, by in faults:
                catcher = states.get(by) if by is not None else None
                if outcome == "caught" and catcher is not None:
                    index = _catcher_index(catcher, error)
                    if index is not None:
                        key = (catcher.name, index)
                        self.caught[key] = self.caught.get(key, 0) + 1

    def statuses(self) -> dict[str, str]:
        found = {}
        for state, faults in self.by_state.items():
            outcomes = {outcome for _, outcome, _, _ in faults}
            if "failed" in outcomes:
                found[state] = FAILED
            elif "caught" in outcomes:
                found[state] = CAUGHT_ERROR
        return found

    def note(self, state: m.State) -> str | None:
        faults = self.by_state.get(state.name)
        if not faults:
            return None
        failing = [e for e, outcome, _, _ in faults if outcome == "failed"]
        caught = [e for e, outcome, _, _ in faults if outcome == "caught"]
        retried = [e for e, _, retries, _ in faults if retries]
        lines = []
        if failing:
            lines.append(shorten(f"fails: {', '.join(failing)}", 48))
        if caught:
            lines.append(shorten(f"caught: {', '.join(caught)}", 48))
        if retried:
            lines.append(shorten(f"retried: {', '.join(retried)}", 48))
        unreached = len(faults) - len(failing) - len(caught)
        if unreached:
            lines.append(f"{unreached} not reached")
        return "\n".join(lines)

    def edge(self, state: m.State, kind: str, index: int | None, label: str | None) -> str:
        if kind != "catch" or index is None:
            return ""
        count = self.caught.get((state.name, index), 0)
        if not count:
            return ""
        text = f"{label} · caught {count}" if label else f"caught {count}"
        return f'label="{escape(text)}", style=solid, penwidth={_weight(count + 1)}'


def fault_graph(
    definition: m.Definition | Mapping[str, Any] | str,
    outcomes: Iterable[Any],
    *,
    title: str = "",
) -> CaptionedGraph:
    """The fault graph of ``definition`` for ``outcomes`` (``FaultOutcome`` objects, or rows
    with the same fields, e.g. ``inject_faults(...).to_dict("records")``)."""
    if not isinstance(definition, m.Definition):
        from sfn_notebook.asl.parse import parse

        definition = parse(definition)
    rows = list(outcomes)
    overlay = FaultOverlay(definition, rows)
    failing = sum(1 for row in rows if _field(row, "outcome") == "failed")
    caption = (
        f"{len(rows)} faults injected, {failing} fail the execution — red: a fault fails the "
        "execution · orange: every fault caught · bold Catch edges: faults they caught"
    )
    return CaptionedGraph(
        definition,
        statuses=overlay.statuses(),
        title=title,
        overlay=overlay,
        caption=caption,
    )


def _catcher_index(state: m.State, error: str) -> int | None:
    """The Catch clause AWS chooses for ``error``: the first whose ErrorEquals matches it."""
    from sfn_notebook.engine.task import error_matches

    for index, catcher in enumerate(getattr(state, "catch", ())):
        if error_matches(tuple(catcher.error_equals), error):
            return index
    return None


def _none(value: Any) -> str | None:
    """None for missing values (None, or pandas' NaN in a DataFrame row)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)
