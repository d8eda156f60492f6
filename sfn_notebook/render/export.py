"""Files from executions and graphs: the execution as JSON, the graph as SVG, PNG or DOT.

:func:`execution_document` is what the Step Functions console's *Export* gives in spirit — the
execution's details and its event history in one JSON file: the fields of ``DescribeExecution``
(``executionArn``, ``status``, ``startDate``, ``input``, ``output``, ``error``…) with the
``events`` of ``GetExecutionHistory`` beside them, dates as ISO 8601 text (as the AWS CLI v2
prints them). The console's own file layout is not documented; this one reads back with
``json.load`` and feeds every history reader here (``sfn.testing`` helpers, ``ExecutionReport``)
through its ``events``.

:func:`save_graph` writes a :class:`~sfn_notebook.render.svg.Graph`: SVG through the shared
sanitizer, PNG drawn by the same Graphviz binary that draws the SVG (the system ``dot`` or the
``graphviz-pure`` wheel, both offline), DOT as text.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {"n": 1})
>>> doc = execution_document(ex)
>>> doc["status"], doc["input"], [e["type"] for e in doc["events"]][-1]
('SUCCEEDED', '{"n":1}', 'ExecutionSucceeded')
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    from sfn_notebook.render.svg import Graph

#: The event that ends an execution → the status DescribeExecution reports.
_TERMINAL = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}
#: DescribeExecution's fields in the order AWS returns them (the export keeps it).
_ORDER = (
    "executionArn",
    "stateMachineArn",
    "name",
    "status",
    "startDate",
    "stopDate",
    "input",
    "inputDetails",
    "output",
    "outputDetails",
    "error",
    "cause",
)
#: Pixels per inch of a PNG: twice the 72 of Graphviz's points, sharp on high-density screens.
PNG_DPI = 144


class ExportError(SfnNotebookError):
    """A graph or execution could not be written in the format asked for."""

    code = "ExportError"


def _from_events(events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """DescribeExecution's fields as far as the history tells them."""
    found: dict[str, Any] = {}
    for event in events:
        kind = event.get("type")
        if kind == "ExecutionStarted":
            details = event.get("executionStartedEventDetails") or {}
            found["startDate"] = event.get("timestamp")
            if "stateMachineArn" in details:
                found["stateMachineArn"] = details["stateMachineArn"]
            if "input" in details:
                found["input"] = details["input"]
                found["inputDetails"] = {"included": True}
            found["status"] = "RUNNING"
        elif kind in _TERMINAL:
            found["status"] = _TERMINAL[str(kind)]
            found["stopDate"] = event.get("timestamp")
            key = str(kind)[0].lower() + str(kind)[1:] + "EventDetails"
            details = event.get(key) or {}
            if kind == "ExecutionSucceeded" and "output" in details:
                found["output"] = details["output"]
                found["outputDetails"] = {"included": True}
            for field in ("error", "cause"):
                if details.get(field) is not None:
                    found[field] = details[field]
    return found


def execution_document(source: Any) -> dict[str, Any]:
    """The execution ``source`` (a local, stored or AWS execution, or a list of history events)
    as one JSON-ready document: DescribeExecution's fields, then ``events``.

    An AWS execution contributes its real DescribeExecution (redrive fields included); a local
    one its identity (ARN, name) and outcome; a bare event list what its events say.
    """
    if isinstance(source, Sequence) and not isinstance(source, str | bytes):
        events = [dict(e) for e in source]
        description: dict[str, Any] = {}
    else:
        events = [dict(e) for e in getattr(source, "history", ())]
        describe = getattr(source, "describe", None)
        description = dict(describe()) if callable(describe) else {}
        for field, attribute in (
            ("executionArn", "arn"),
            ("stateMachineArn", "state_machine_arn"),
            ("name", "name"),
        ):
            value = getattr(source, attribute, None)
            if value and field not in description:
                description[field] = value
    merged = {**_from_events(events), **description}
    merged.pop("ResponseMetadata", None)
    ordered = {key: merged[key] for key in _ORDER if key in merged}
    ordered.update({k: v for k, v in merged.items() if k not in ordered})
    ordered["events"] = events
    # One round through JSON: dates become text, tuples lists; what is returned is what is saved.
    document: dict[str, Any] = json.loads(json.dumps(ordered, default=_json_default))
    return document


def execution_json(source: Any, indent: int | None = 2) -> str:
    """:func:`execution_document` as JSON text (UTF-8, non-ASCII kept as is)."""
    return json.dumps(execution_document(source), indent=indent, ensure_ascii=False) + "\n"


def write_execution_json(source: Any, path: str | os.PathLike[str] | None = None) -> str:
    """:func:`execution_json`, also written to ``path`` when one is given."""
    text = execution_json(source)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def execution_graph(source: Any) -> Graph:
    """The graph of ``source``'s definition, coloured by its history (Map counts included).

    Raises :class:`ExportError` when the definition is unknown (an AWS execution whose
    definition does not parse).
    """
    from sfn_notebook.render.html import ExecutionReport

    name = str(getattr(source, "name", "") or "")
    report = ExecutionReport(source.history, getattr(source, "definition", None), name=name)
    graph = report.graph()
    if graph is None:
        raise ExportError(f"No graph for execution {name or '?'}: its definition is unknown")
    return graph


def export_filename(source: Any) -> str:
    """A file name for an execution's export: its name, made safe for any file system.

    >>> export_filename(type("E", (), {"name": "run/1: ok"})())
    'run_1_ ok.json'
    """
    name = str(getattr(source, "name", "") or "execution")
    safe = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip()
    return f"{safe[:120] or 'execution'}.json"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def svg_document(svg: str) -> str:
    """A standalone SVG file's text: an XML declaration and the (already sanitized) SVG."""
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + svg.rstrip() + "\n"


def to_png(dot: str, dpi: int = PNG_DPI) -> bytes:
    """PNG bytes for DOT text, drawn by the Graphviz binary that draws the SVG (offline).

    >>> to_png('digraph { a -> b }')[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from sfn_notebook.render.svg import RenderError, find_dot

    binary = find_dot()
    try:
        done = subprocess.run(
            [binary, "-Tpng", f"-Gdpi={int(dpi)}"],
            input=dot.encode("utf-8", "replace"),
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"Graphviz ({binary}) could not run: {exc}") from None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        message = done.stderr.decode("utf-8", "replace").strip() or "no PNG written"
        raise RenderError(f"Graphviz ({binary}) failed to draw a PNG: {message}")
    return done.stdout


def save_graph(graph: Graph, path: str | os.PathLike[str], *, dpi: int = PNG_DPI) -> Path:
    """Write ``graph`` to ``path``; the suffix picks the format: ``.svg``, ``.png`` or ``.dot``.

    Returns the path written. The SVG is the sanitized one the notebook shows, on a white page.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".svg":
        target.write_text(svg_document(graph.svg()), encoding="utf-8")
    elif suffix == ".png":
        target.write_bytes(to_png(graph.dot, dpi))
    elif suffix in (".dot", ".gv"):
        target.write_text(graph.dot, encoding="utf-8")
    else:
        raise ExportError(
            f"Cannot save a graph as {suffix or 'a file without a suffix'!r} ({target.name}): "
            "use .svg, .png or .dot"
        )
    return target
