"""A state machine as Graphviz DOT, drawn the way the Step Functions console draws it.

Task states are rounded boxes, Pass dashed boxes, Wait hexagons, Choice diamonds, Succeed ellipses,
Fail boxes with cut corners; Parallel branches and Map processors are clusters that open with a
header node (the state itself) and close on a small join point. Choice edges carry their rule,
Catch edges are dashed and name their errors, and Start and End markers bound the drawing.

Node ids are the states' JSON pointers (``/States/Fetch``) with unusual characters encoded, the
same ids the JupyterLab extension uses; graphviz writes them into the SVG as each node's ``id``
and ``<title>``, which is how the live widget finds a state to recolour. The output is
deterministic: the same definition and statuses always give the same text.

Every label is escaped twice over: XML entities first (graphviz keeps entities as they are, so a
state named ``<img src=x onerror=alert(1)>`` reaches the SVG as text), then DOT's backslashes.

>>> from sfn_notebook.asl.parse import parse
>>> dot = to_dot(parse({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
>>> [line.strip() for line in dot.splitlines() if "->" in line]
['"start:" -> "/States/A";', '"/States/A" -> "end:";']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sfn_notebook.asl import model as m
from sfn_notebook.render.attempts import (
    CANCELLED,
    CAUGHT_ERROR,
    FAILED,
    NOT_REACHED,
    RUNNING,
    SUCCEEDED,
    StateVisit,
)
from sfn_notebook.render.labels import condition_text, resource_text, rule_text, shorten

#: The MIME type of a graph output, ``{"dot": str, "title": str}``; the JupyterLab extension's
#: mime renderer draws it without a kernel.
GRAPH_MIME_TYPE = "application/vnd.sfn-notebook.graph+json"

#: Status → (fill, border) colours. Always ``#rrggbb``: Debian's dot 2.43 rejects ``#rgb``.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    NOT_REACHED: ("#ffffff", "#879196"),
    RUNNING: ("#d3e5fb", "#0972d3"),
    SUCCEEDED: ("#d8f0d5", "#1d8102"),
    FAILED: ("#fbdcd8", "#d91515"),
    CAUGHT_ERROR: ("#fdebc8", "#c46c00"),
    CANCELLED: ("#e9ebed", "#5f6b7a"),
}
# Other spellings a caller may use (execution and attempt statuses).
STATUS_ALIASES = {
    "IN_PROGRESS": RUNNING,
    "ABORTED": CANCELLED,
    "TIMED_OUT": FAILED,
    "CAUGHT": CAUGHT_ERROR,
    "PENDING": NOT_REACHED,
}


def palette() -> dict[str, list[str]]:
    """Every status spelling → [fill, border]: what the widgets' front-end colours with.

    >>> palette()["ABORTED"] == palette()["CANCELLED"]
    True
    """
    colours = {status: list(pair) for status, pair in STATUS_COLOURS.items()}
    colours.update({alias: list(STATUS_COLOURS[to]) for alias, to in STATUS_ALIASES.items()})
    return colours


EDGE_COLOUR = "#879196"
CATCH_COLOUR = "#c46c00"
MARKER_COLOUR = "#414d5c"

_SHAPES = {
    "Task": 'shape=box, style="rounded,filled"',
    "Pass": 'shape=box, style="rounded,filled,dashed"',
    "Wait": "shape=hexagon, style=filled",
    "Choice": "shape=diamond, style=filled",
    "Succeed": "shape=ellipse, style=filled",
    # A box with cut corners: an octagon sized to a two-line label grew wider than any other state.
    "Fail": 'shape=box, style="filled,diagonals"',
    "Parallel": 'shape=box, style="rounded,filled,bold"',
    "Map": 'shape=box, style="rounded,filled,bold"',
}

RESERVED_WIDTH = (
    34  # characters kept free in a Map header for "Map · 120 ok · 3 failed · 8 running"
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_./~-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def node_id(pointer: str) -> str:
    """The DOT (and SVG) id of the state at ``pointer``: unusual characters become ``_xHH``.

    >>> node_id('/States/Say "hi"')
    '/States/Say_x20_x22hi_x22'
    """
    # surrogatepass: a name with a lone surrogate (valid JSON text, "\\ud800") still gets an id.
    return _UNSAFE.sub(lambda match: "".join(f"_x{b:02x}" for b in _utf8(match.group())), pointer)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def escape(text: str) -> str:
    """Text for a DOT quoted string that graphviz shows literally, in labels and in the SVG.

    >>> escape('<b>"hi" & \\\\N</b>')
    '&lt;b&gt;&quot;hi&quot; &amp; \\\\\\\\N&lt;/b&gt;'
    """
    text = _CONTROL.sub(" ", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("\\", "\\\\")


def _q(text: str) -> str:
    return f'"{escape(text)}"'


def normalise_status(status: str | None) -> str:
    """A status in the palette's vocabulary (unknown → NOT_REACHED).

    >>> normalise_status("IN_PROGRESS"), normalise_status(None)
    ('RUNNING', 'NOT_REACHED')
    """
    if status is None:
        return NOT_REACHED
    status = STATUS_ALIASES.get(status, status)
    return status if status in STATUS_COLOURS else NOT_REACHED


def subtitle(state: m.State, counts: tuple[int, int, int] | None = None) -> str:
    """The small second line under a state's name.

    >>> from sfn_notebook.asl.parse import parse
    >>> d = parse({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}})
    >>> subtitle(d.states["W"])
    'Wait 5s'
    """
    if isinstance(state, m.TaskState):
        return resource_text(state.resource, limit=40)
    if isinstance(state, m.WaitState):
        if state.seconds is not None:
            seconds = state.seconds
            return f"Wait {seconds}s" if isinstance(seconds, int) else condition_text(seconds, 32)
        if state.timestamp is not None:
            return shorten(f"Wait until {state.timestamp}", 40)
        return shorten(f"Wait {state.seconds_path or state.timestamp_path}", 40)
    if isinstance(state, m.FailState) and state.error:
        return shorten(f"Fail: {state.error}", 40)
    if isinstance(state, m.MapState) and counts is not None:
        return map_subtitle(counts)
    return state.type


def map_subtitle(counts: tuple[int, int, int]) -> str:
    """A Map header's second line once iterations run: ``Map · 3 ok · 1 failed · 2 running``.

    >>> map_subtitle((3, 0, 2))
    'Map · 3 ok · 2 running'
    """
    ok, failed, running = counts
    parts = ["Map", f"{ok} ok"]
    if failed:
        parts.append(f"{failed} failed")
    if running:
        parts.append(f"{running} running")
    return " · ".join(parts)


def _tooltip(state: m.State) -> str:
    text = f"{state.name} ({state.type})"
    retry = getattr(state, "retry", ())
    if retry:
        text += " · Retry: " + "; ".join(
            f"{', '.join(r.error_equals)} ×{r.max_attempts}"  # noqa: RUF001 - a times sign
            for r in retry
        )
    return shorten(text, 200)


#: Which status a state shows when its visits differ (Map iterations, loops): the highest.
STATUS_RANK = {RUNNING: 5, FAILED: 4, CAUGHT_ERROR: 3, SUCCEEDED: 2, CANCELLED: 1}


def graph_statuses(visits: Iterable[StateVisit]) -> dict[str, str]:
    """One status per state (by pointer, or by name when there is none) for colouring a graph.

    A state visited many times (Map iterations, loops) shows the most telling of its visits:
    RUNNING over FAILED over CAUGHT_ERROR over SUCCEEDED over CANCELLED.

    >>> graph_statuses([])
    {}
    """
    rank = STATUS_RANK
    found: dict[str, str] = {}
    for visit in visits:
        key = visit.pointer or visit.name
        old = found.get(key)
        if old is None or rank.get(visit.status, 0) > rank.get(old, 0):
            found[key] = visit.status
    return found


def map_counts(visits: Iterable[StateVisit]) -> dict[str, tuple[int, int, int]]:
    """Per Map state (pointer or name): iterations (succeeded, failed, running), all visits summed.

    >>> map_counts([])
    {}
    """
    counts: dict[str, tuple[int, int, int]] = {}
    for visit in visits:
        if visit.type != "Map":
            continue
        ok, bad, running = counts.get(visit.pointer or visit.name, (0, 0, 0))
        for iteration in visit.iterations:
            ok += iteration.status == SUCCEEDED
            bad += iteration.status == FAILED
            running += iteration.status == RUNNING
        counts[visit.pointer or visit.name] = (ok, bad, running)
    return counts


class Overlay(Protocol):
    """What a graph adds on top of the definition (render/overlay.py: coverage, faults): a
    line under a state's name, and DOT attributes for one of its edges (``kind`` next, choice,
    default or catch; ``label`` the edge's own), which win over the defaults."""

    def note(self, state: m.State) -> str | None: ...

    def edge(self, state: m.State, kind: str, index: int | None, label: str | None) -> str: ...


class _Builder:
    """Collects node lines (nested in clusters) and edge lines, then joins them."""

    def __init__(
        self,
        statuses: Mapping[str, str],
        counts: Mapping[str, tuple[int, int, int]],
        reserve: bool = False,
        overlay: Overlay | None = None,
    ) -> None:
        self.statuses = statuses
        self.counts = counts
        self.reserve = reserve
        self.overlay = overlay
        self.nodes: list[str] = []
        self.edges: list[str] = []

    def status(self, state: m.State) -> str:
        found = self.statuses.get(state.pointer)
        if found is None:
            found = self.statuses.get(state.name)
        return normalise_status(found)

    def node(self, indent: str, state: m.State) -> str:
        ident = node_id(state.pointer)
        fill, border = STATUS_COLOURS[self.status(state)]
        counts = self.counts.get(state.pointer) or self.counts.get(state.name)
        label = escape(state.name)
        if not isinstance(state, m.ChoiceState):
            text = subtitle(state, counts)
            if self.reserve and isinstance(state, m.MapState) and counts is None:
                # Room for the counts the live widget writes into this line later: graphviz
                # sizes the box once, the browser only swaps the text.
                text = text.center(RESERVED_WIDTH, "\u00a0")
            label += "\\n" + escape(text)
        note = self.overlay.note(state) if self.overlay is not None else None
        for line in (note or "").splitlines():
            label += "\\n" + escape(line)
        self.nodes.append(
            f'{indent}"{ident}" [id="{ident}", class="sfn-state sfn-{state.type}", '
            f'label="{label}", tooltip={_q(_tooltip(state))}, {_SHAPES[state.type]}, '
            f'fillcolor="{fill}", color="{border}"];'
        )
        return ident

    def edge(self, source: str, target: str, attrs: str = "") -> None:
        self.edges.append(f'  "{source}" -> "{target}"{f" [{attrs}]" if attrs else ""};')

    def extra(
        self, state: m.State, kind: str, index: int | None = None, label: str | None = None
    ) -> str:
        """The overlay's attributes for one of ``state``'s edges, after a comma."""
        overlay = self.overlay
        found = overlay.edge(state, kind, index, label) if overlay is not None else ""
        return f", {found}" if found else ""

    def machine(self, machine: m.StateMachine, indent: str, entry: str, exit_: str) -> None:
        """Draw one (sub-)machine: ``entry`` leads to its start, its ends lead to ``exit_``."""
        ids = {name: node_id(state.pointer) for name, state in machine.states.items()}
        missing: dict[str, str] = {}

        def target(name: str | None) -> str:
            if name in ids:
                return ids[name]  # type: ignore[index]
            # Only reachable for definitions built without validation (the editor's drafts).
            ident = missing.get(str(name))
            if ident is None:
                ident = "missing:" + node_id(f"{machine.pointer}/{name}")
                missing[str(name)] = ident
                red = STATUS_COLOURS[FAILED][1]
                self.nodes.append(
                    f'{indent}"{ident}" [id="{ident}", class="sfn-missing", '
                    f'label={_q(f"{name} (missing)")}, shape=box, style="rounded,dashed", '
                    f'color="{red}", fontcolor="{red}"];'
                )
            return ident

        self.edge(entry, target(machine.start_at))
        for state in machine.states.values():
            exit_id = self.state(state, indent)
            if isinstance(state, m.ChoiceState):
                for index, rule in enumerate(state.choices):
                    text = (
                        condition_text(rule.condition)
                        if rule.condition is not None
                        else rule_text(rule.raw)
                    )
                    extra = self.extra(state, "choice", index, text)
                    self.edge(exit_id, target(rule.next), f"label={_q(text)}{extra}")
                if state.default is not None:
                    extra = self.extra(state, "default", None, "Default")
                    self.edge(exit_id, target(state.default), f'label="Default"{extra}')
            elif state.next is not None:
                self.edge(exit_id, target(state.next), self.extra(state, "next").lstrip(", "))
            if state.end or isinstance(state, m.SucceedState | m.FailState):
                self.edge(exit_id, exit_)
            for index, catcher in enumerate(getattr(state, "catch", ())):
                errors = shorten(", ".join(catcher.error_equals), 40)
                # A Catch on a Map or Parallel leaves from its join point, on the container's
                # border: a longer edge gives its label a rank of its own, clear of the border.
                leaves = ", minlen=2" if exit_id != node_id(state.pointer) else ""
                self.edge(
                    exit_id,
                    target(catcher.next),
                    f'label={_q(errors)}, class="sfn-catch", style=dashed, '
                    f'color="{CATCH_COLOUR}", fontcolor="{CATCH_COLOUR}"{leaves}'
                    f"{self.extra(state, 'catch', index, errors)}",
                )

    def state(self, state: m.State, indent: str) -> str:
        """Draw a state; returns the node its outgoing edges leave from."""
        children = m.children_of(state)
        if not children:
            return self.node(indent, state)
        ident = node_id(state.pointer)
        join = "join:" + node_id(state.pointer)
        self.nodes.append(f'{indent}subgraph "{"cluster:" + node_id(state.pointer)}" {{')
        inner = indent + "  "
        self.nodes.append(
            f'{inner}id="{"cluster:" + node_id(state.pointer)}"; label=""; '
            f'style="rounded,dashed"; color="{EDGE_COLOUR}";'
        )
        self.node(inner, state)
        for child in children:
            cluster = "cluster:" + node_id(child.pointer)
            self.nodes.append(f'{inner}subgraph "{cluster}" {{')
            self.nodes.append(
                f'{inner}  id="{cluster}"; label=""; style="rounded,dotted"; color="{EDGE_COLOUR}";'
            )
            self.machine(child, inner + "  ", ident, join)
            self.nodes.append(f"{inner}}}")
        self.nodes.append(
            f'{inner}"{join}" [id="{join}", class="sfn-join", label="", shape=point, '
            f'width=0.08, color="{EDGE_COLOUR}"];'
        )
        self.nodes.append(f"{indent}}}")
        return join


def to_dot(
    definition: m.Definition | Mapping[str, Any] | str,
    statuses: Mapping[str, str] | None = None,
    *,
    counts: Mapping[str, tuple[int, int, int]] | None = None,
    title: str = "",
    reserve: bool = False,
    overlay: Overlay | None = None,
) -> str:
    """DOT text for a definition, states coloured by ``statuses``.

    ``statuses`` maps a state's pointer or name to RUNNING, SUCCEEDED, FAILED, CAUGHT_ERROR,
    CANCELLED or NOT_REACHED (the default); ``counts`` maps a Map state to its iterations
    (succeeded, failed, running). A dict or JSON/YAML text is parsed (and validated) first.
    ``reserve`` widens Map headers for the counts a live view fills in later; ``overlay`` adds
    notes to states and attributes to edges (see :class:`Overlay`).

    >>> dot = to_dot({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
    ...              {"A": "SUCCEEDED"})
    >>> 'fillcolor="#d8f0d5"' in dot
    True
    """
    if not isinstance(definition, m.Definition):
        from sfn_notebook.asl.parse import parse

        definition = parse(definition)
    builder = _Builder(statuses or {}, counts or {}, reserve, overlay)
    builder.machine(definition, "  ", "start:", "end:")
    lines = [
        f"digraph {_q(title or 'state machine')} {{",
        '  graph [rankdir=TB, nodesep=0.3, ranksep=0.35, pad=0.15, bgcolor="#ffffff", '
        'fontname="Helvetica", fontsize=10, tooltip=" "];',
        '  node [fontname="Helvetica", fontsize=10, fontcolor="#16191f", margin="0.14,0.05", '
        "height=0.3, penwidth=1.2];",
        f'  edge [fontname="Helvetica", fontsize=9, color="{EDGE_COLOUR}", '
        f'fontcolor="{MARKER_COLOUR}", arrowsize=0.6];',
        f'  "start:" [id="start:", class="sfn-marker", label="Start", shape=circle, '
        f'style=filled, fillcolor="{MARKER_COLOUR}", color="{MARKER_COLOUR}", '
        'fontcolor="#ffffff", fontsize=8, width=0.45, fixedsize=true];',
        *builder.nodes,
        f'  "end:" [id="end:", class="sfn-marker", label="End", shape=doublecircle, '
        f'style=filled, fillcolor="{MARKER_COLOUR}", color="{MARKER_COLOUR}", '
        'fontcolor="#ffffff", fontsize=8, width=0.4, fixedsize=true];',
        *builder.edges,
        "}",
    ]
    return "\n".join(lines) + "\n"


def definition_dot(document: m.Definition | Mapping[str, Any] | str, title: str = "") -> str:
    """:func:`to_dot` with no statuses: the name the JupyterLab extension looks for.

    >>> definition_dot({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}).count("->")
    2
    """
    return to_dot(document, title=title)
