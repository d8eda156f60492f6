"""What the JupyterLab extension gets back for a definition: diagnostics, DOT and the state list.

The browser never interprets ASL itself: it sends the editor's text here and draws what comes back,
so the diagnostics are ``sfn.validate``'s (read as the AWS toolkits read SAM/CDK files: ``${Name}``
placeholders pass with an INFO note, :mod:`sfn_notebook.asl.substitutions`) and the graph is the
notebook's. The reply must
still be useful while the user is half-way through typing, so the DOT and the state list are built
from the raw document even when it does not validate (a ``Next`` to a missing state is then drawn
as a red dangling target instead of making the whole graph disappear).

>>> reply = graph_reply("StartAt: A\\nStates:\\n  A: {Type: Pass, Next: B}")
>>> [d["code"] for d in reply["diagnostics"]]
['MISSING_TRANSITION_TARGET', 'MISSING_END_STATE']
>>> [(s["name"], s["pointer"]) for s in reply["states"]]
[('A', '/States/A')]
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any, TypedDict

from sfn_notebook.asl.parse import build_definition, escape_pointer, load_document
from sfn_notebook.errors import Diagnostic
from sfn_notebook.notebook.locate import syntax_position
from sfn_notebook.render.dot import GRAPH_MIME_TYPE, definition_dot, node_id, to_dot

log = logging.getLogger(__name__)

__all__ = ["GRAPH_MIME_TYPE", "graph_reply", "node_id", "validate_reply"]

INTERNAL_ERROR = "SFN_NOTEBOOK_INTERNAL_ERROR"


class DiagnosticJSON(TypedDict):
    """A :class:`~sfn_notebook.errors.Diagnostic` on the wire (``IDiagnostic`` in api.ts)."""

    severity: str
    code: str
    message: str
    location: str
    column: int | None
    snippet: str | None
    #: For text that does not parse: the 1-based line the parser names; ``column`` is then the
    #: 1-based column in that line (None when the parser names none).
    line: int | None


class StateJSON(TypedDict):
    """One state of the definition, nested ones included (``IStateInfo`` in api.ts).

    ``node`` is the id of the state's node in ``dot`` (:func:`sfn_notebook.render.node_id`), which
    graphviz writes into the SVG as the node's ``<title>``; that is how a click on the drawing
    finds its way back to the text.
    """

    name: str
    pointer: str
    type: str
    node: str


class ValidateReply(TypedDict):
    """The body of ``POST /sfn-notebook/api/validate``."""

    diagnostics: list[DiagnosticJSON]
    states: list[StateJSON]


class GraphReply(ValidateReply):
    """The body of ``POST /sfn-notebook/api/graph``; ``dot`` is empty for a non-document."""

    dot: str
    title: str


def validate_reply(text: str) -> ValidateReply:
    """Diagnostics and states for ``text`` (JSON or YAML).

    >>> validate_reply('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')["diagnostics"]
    []
    """
    document, diagnostics = load_document(text)
    if not diagnostics:
        diagnostics = _validate(document)
    return {
        "diagnostics": [diagnostic_json(d) for d in diagnostics],
        "states": [] if document is None else list(iter_states(document)),
    }


def graph_reply(text: str, title: str = "") -> GraphReply:
    """:func:`validate_reply` plus the DOT text of the graph.

    >>> graph_reply("{")["dot"]
    ''
    """
    reply = validate_reply(text)
    document, problems = load_document(text)
    dot = "" if problems or not isinstance(document, dict) else document_dot(document, title)
    return {**reply, "dot": dot, "title": title}


def diagnostic_json(diagnostic: Diagnostic) -> DiagnosticJSON:
    """A diagnostic as plain JSON; a syntax error carries the line and column its parser names.

    >>> from sfn_notebook.errors import Diagnostic
    >>> d = Diagnostic("ERROR", "INVALID_JSON_DESCRIPTION", "YAML: at line 5, column 4", "/")
    >>> diagnostic_json(d)["line"], diagnostic_json(d)["column"]
    (5, 4)
    """
    position = syntax_position(diagnostic.code, diagnostic.message)
    return {
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "message": diagnostic.message + (f": {diagnostic.detail}" if diagnostic.detail else ""),
        "location": diagnostic.location,
        "column": position[1] if position else diagnostic.column,
        "snippet": diagnostic.snippet,
        "line": position[0] if position else None,
    }


def _validate(document: Any) -> list[Diagnostic]:
    from sfn_notebook.asl.substitutions import accept_substitutions
    from sfn_notebook.asl.validate import validate_document

    try:
        # The editor shows SAM/CDK definitions as the AWS toolkits do: `${Name}` placeholders
        # are accepted with an INFO note (sfn.validate keeps AWS's verdict on the raw text).
        return accept_substitutions(document, validate_document(document))
    except Exception as exc:
        # The editor sends every half-typed variant of a document; a validator bug on one of them
        # must show up as a finding in the panel, not as a dead graph and a 500 in the log.
        log.exception("validate_document failed")
        return [Diagnostic("ERROR", INTERNAL_ERROR, f"validator failed: {exc!r}", "/")]


# ------------------------------------------------------------------------------------------------
# States, read from the raw document so they exist for invalid definitions too


def iter_states(document: Any, base: str = "") -> Iterator[StateJSON]:
    """Every state of a (possibly invalid) document, depth first, nested machines included.

    >>> doc = {"States": {"P": {"Type": "Parallel", "Branches": [{"States": {"X": {}}}]}}}
    >>> [s["pointer"] for s in iter_states(doc)]
    ['/States/P', '/States/P/Branches/0/States/X']
    """
    states = document.get("States") if isinstance(document, Mapping) else None
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        pointer = f"{base}/States/{escape_pointer(str(name))}"
        kind = state.get("Type") if isinstance(state, Mapping) else None
        yield {
            "name": str(name),
            "pointer": pointer,
            "type": kind if isinstance(kind, str) else "",
            "node": node_id(pointer),
        }
        for child_pointer, child in _children(state, pointer):
            yield from iter_states(child, child_pointer)


def _children(state: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """The nested state machines of a Parallel or Map state, with their pointers."""
    if not isinstance(state, Mapping):
        return
    branches = state.get("Branches")
    if isinstance(branches, list):
        for i, branch in enumerate(branches):
            yield f"{pointer}/Branches/{i}", branch
    for key in ("ItemProcessor", "Iterator"):
        if isinstance(state.get(key), Mapping):
            yield f"{pointer}/{key}", state[key]


# ------------------------------------------------------------------------------------------------
# DOT


def document_dot(document: Mapping[str, Any], title: str = "") -> str:
    """DOT text for a raw document, drawn by :mod:`sfn_notebook.render` like the notebook's graph.

    A definition that does not validate (a draft) is drawn from its unvalidated model, so a
    ``Next`` to a missing state shows as a dangling red target in the same drawing; only a
    document too broken to build a model from (a state without a ``Type`` ...) falls back to
    :func:`fallback_dot`.

    >>> dot = document_dot({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    >>> '"/States/A" -> "missing:/B";' in dot
    True
    """
    try:
        return definition_dot(dict(document), title)
    except Exception:
        pass  # invalid: try the unvalidated model below
    try:
        return to_dot(build_definition(document), title=title)
    except Exception:
        log.debug("cannot build a model from this draft; drawing it plainly", exc_info=True)
        return fallback_dot(document, title)


def _quote(text: str) -> str:
    """A DOT quoted string whose label shows ``text`` literally (no ``\\N``-style escapes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


_STYLE = {
    "Choice": 'shape=diamond, style=filled, fillcolor="#fff4d6"',
    "Succeed": 'style="rounded,filled", fillcolor="#dff3e3"',
    "Fail": 'style="rounded,filled", fillcolor="#fbe0e0"',
    "Parallel": 'style="rounded,filled", fillcolor="#e6ecfa", peripheries=2',
    "Map": 'style="rounded,filled", fillcolor="#e6ecfa", peripheries=2',
}


def fallback_dot(document: Mapping[str, Any], title: str = "") -> str:
    """A plain DOT drawing of any raw document: states, transitions, catchers, missing targets.

    The last resort of :func:`document_dot` for drafts the model cannot be built from.

    >>> dot = fallback_dot({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    >>> [line.strip() for line in dot.splitlines() if "->" in line]
    ['"start:" -> "/States/A";', '"/States/A" -> "missing:/B";']
    """
    lines = [
        f"digraph {_quote(title)} {{",
        '  graph [rankdir=TB, fontname="sans-serif", fontsize=11];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="sans-serif",'
        " fontsize=11];",
        '  edge [fontname="sans-serif", fontsize=9];',
    ]
    _machine_dot(document, "", lines, "  ", top=True)
    lines.append("}")
    return "\n".join(lines)


def _machine_dot(
    machine: Any, base: str, lines: list[str], indent: str, *, top: bool
) -> str | None:
    """Append one (sub-)machine's nodes and edges; return the node id of its start state."""
    states = machine.get("States") if isinstance(machine, Mapping) else None
    if not isinstance(states, Mapping):
        return None
    ids = {name: node_id(f"{base}/States/{escape_pointer(str(name))}") for name in states}
    missing: set[str] = set()

    def target(name: Any) -> str:
        if isinstance(name, str) and name in ids:
            return _quote(ids[name])
        missing_id = f"missing:{base}/{name}"
        if missing_id not in missing:
            missing.add(missing_id)
            lines.append(
                f"{indent}{_quote(missing_id)} [label={_quote(f'{name} (missing)')}, "
                'style="dashed,rounded", color="#c62828", fontcolor="#c62828"];'
            )
        return _quote(missing_id)

    start = machine.get("StartAt")
    start_id = target(start) if start is not None else None
    if top:
        lines.append(
            f'{indent}"start:" [label="Start", shape=circle, style=filled, fillcolor="#333333",'
            ' fontcolor="#ffffff", fontsize=8];'
        )
    terminal: list[str] = []
    for name, state in states.items():
        node = _quote(ids[name])
        raw = state if isinstance(state, Mapping) else {}
        kind = str(raw["Type"]) if isinstance(raw.get("Type"), str) else ""
        style = _STYLE.get(kind, "")
        lines.append(
            f"{indent}{node} [label={_quote(str(name))}, tooltip={_quote(kind)}"
            + (f", {style}" if style else "")
            + "];"
        )
        if top and start_id is not None and name == start:
            lines.append(f'{indent}"start:" -> {node};')
        for edge_target, attrs in _transitions(raw):
            lines.append(f"{indent}{node} -> {target(edge_target)}{attrs};")
        if raw.get("End") is True or kind in ("Succeed", "Fail"):
            terminal.append(node)
        pointer = f"{base}/States/{escape_pointer(str(name))}"
        for i, (child_pointer, child) in enumerate(_children(raw, pointer)):
            cluster = _quote(f"cluster:{child_pointer}")
            lines.append(f'{indent}subgraph {cluster} {{ label="" style=dashed color="#9e9e9e";')
            child_start = _machine_dot(child, child_pointer, lines, indent + "  ", top=False)
            lines.append(f"{indent}}}")
            if child_start is not None:
                label = f"branch {i}" if "/Branches/" in child_pointer else "each item"
                lines.append(
                    f"{indent}{node} -> {child_start} [style=dotted, label={_quote(label)}];"
                )
    if top:
        lines.append(
            f'{indent}"end:" [label="End", shape=doublecircle, style=filled, fillcolor="#333333",'
            ' fontcolor="#ffffff", fontsize=8];'
        )
        lines.extend(f'{indent}{node} -> "end:";' for node in terminal)
    return start_id


def _transitions(state: Mapping[str, Any]) -> Iterator[tuple[Any, str]]:
    """(target name, DOT edge attributes) for every transition a state declares."""
    if "Next" in state:
        yield state["Next"], ""
    choices = state.get("Choices")
    if isinstance(choices, list):
        for i, rule in enumerate(choices):
            if isinstance(rule, Mapping) and "Next" in rule:
                yield rule["Next"], f" [label={_quote(f'rule {i}')}]"
    if "Default" in state:
        yield state["Default"], ' [label="default", style=dashed]'
    catch = state.get("Catch")
    if isinstance(catch, list):
        for catcher in catch:
            if isinstance(catcher, Mapping) and "Next" in catcher:
                errors = catcher.get("ErrorEquals")
                label = ", ".join(map(str, errors)) if isinstance(errors, list) else "catch"
                yield catcher["Next"], f' [label={_quote(label)}, style=dashed, color="#c62828"]'
