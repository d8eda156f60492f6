"""An execution as one JSON file (``ex.export_json``) and as a coloured graph (``ex.graph()``).

:func:`execution_document` is what the Step Functions console's *Export* gives in spirit — the
execution's details and its event history in one JSON file: the fields of ``DescribeExecution``
(``executionArn``, ``status``, ``startDate``, ``input``, ``output``, ``error``…) with the
``events`` of ``GetExecutionHistory`` beside them, dates as ISO 8601 text (as the AWS CLI v2
prints them). The console's own file layout is not documented; this one reads back with
``json.load`` and feeds every history reader here (``sfn.testing`` helpers, ``ExecutionReport``)
through its ``events``.

:func:`execution_graph` is the graph the execution's display shows; ``Graph.save`` writes it as
SVG, PNG or DOT (:mod:`sfn_notebook.render.svg`).

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {"n": 1})
>>> doc = execution_document(ex)
>>> doc["status"], doc["input"], [e["type"] for e in doc["events"]][-1]
('SUCCEEDED', '{"n":1}', 'ExecutionSucceeded')
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sfn_notebook.render.html import ExecutionReport
from sfn_notebook.render.svg import ExportError, Graph

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
