"""``sfn-notebook executions`` and ``sfn-notebook history``: reading a store from the shell.

Thin wrappers over the store with the Python API's names (``--state-machine`` is
``state_machine=``, ``--status`` is ``status=``). The store is opened read-only, so these run
while a notebook's Runtime is writing to it.

    sfn-notebook executions --store sfn-history.sqlite --state-machine orders --status FAILED
    sfn-notebook history orders-2024-05-01 --format csv > history.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import datetime
from typing import Any

from sfn_notebook.errors import SfnNotebookError

DEFAULT_STORE = "sfn-history.sqlite"
STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


def add_commands(commands: Any) -> None:
    """Register the two commands on the CLI's subparsers."""
    store_help = f"the store file (default: $SFN_NOTEBOOK_STORE or {DEFAULT_STORE})"
    executions = commands.add_parser(
        "executions", help="list the executions in a store, newest first"
    )
    executions.add_argument("--store", help=store_help)
    executions.add_argument("--state-machine", metavar="NAME", help="a state machine name or ARN")
    executions.add_argument("--status", choices=STATUSES)
    executions.add_argument("--format", choices=("table", "csv", "json"), default="table")
    executions.set_defaults(func=cmd_executions)
    history = commands.add_parser("history", help="print an execution's history events")
    history.add_argument("execution", metavar="EXECUTION", help="an execution ARN or name")
    history.add_argument("--store", help=store_help)
    history.add_argument("--format", choices=("table", "csv", "json"), default="table")
    history.set_defaults(func=cmd_history)


def _open(path: str | None) -> Any:
    from sfn_notebook.store.sqlite import Store

    return Store(path or os.environ.get("SFN_NOTEBOOK_STORE") or DEFAULT_STORE, readonly=True)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="milliseconds")


def cmd_executions(args: argparse.Namespace) -> int:
    """One line per execution: like ``aws stepfunctions list-executions`` across machines."""
    with _open(args.store) as store:
        machine = args.state_machine
        if machine is not None and not machine.startswith("arn:"):
            arns = [m["arn"] for m in store.state_machines() if m["name"] == machine]
            stored = {r.state_machine_arn for r in store.executions()}
            arns += [a for a in stored if a.rsplit(":", 1)[-1] == machine and a not in arns]
            if not arns:
                raise SfnNotebookError(f"{store.path}: no state machine named {machine!r}")
            machine = arns[0]
        rows = list(reversed(store.executions(state_machine_arn=machine, status=args.status)))
    items = [
        {
            "executionArn": r.arn,
            "stateMachineArn": r.state_machine_arn,
            "name": r.name,
            "status": r.status,
            "startDate": _when(r.start),
            "stopDate": _when(r.stop),
            "redriveCount": r.redrive_count,
            "events": r.event_count,
            "error": r.error or "",
        }
        for r in rows
    ]
    if args.format == "json":
        print(json.dumps({"executions": items}, indent=2))
    elif args.format == "csv":
        _csv(items)
    else:
        _table(
            [
                {
                    "name": i["name"],
                    "state machine": i["stateMachineArn"].rsplit(":", 1)[-1],
                    "status": i["status"],
                    "started": i["startDate"],
                    "seconds": _seconds(r.start, r.stop),
                    "events": i["events"],
                    "error": i["error"],
                }
                for i, r in zip(items, rows, strict=True)
            ]
        )
    return 0


def _seconds(start: datetime | None, stop: datetime | None) -> str:
    if start is None or stop is None:
        return ""
    return f"{(stop - start).total_seconds():.3f}"


def cmd_history(args: argparse.Namespace) -> int:
    """The execution's events: ``json`` is GetExecutionHistory's response shape."""
    from sfn_notebook.engine.placement import EventTree

    with _open(args.store) as store:
        found = store.execution(args.execution)
        if found is None:
            named = [r for r in store.executions() if r.name == args.execution]
            if len(named) > 1:
                raise SfnNotebookError(
                    f"{store.path}: {len(named)} executions are named {args.execution!r}; "
                    "pass the execution ARN"
                )
            found = named[0] if named else None
        if found is None:
            raise SfnNotebookError(f"{store.path}: no execution {args.execution!r}")
        events = store.events(found.id)
    if args.format == "json":
        print(json.dumps({"events": events}, indent=2, default=_json_default))
        return 0
    tree = EventTree()
    rows = []
    for event in events:
        visit = tree.add(event)
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
        rows.append(
            {
                "id": event["id"],
                "previous": event["previousEventId"],
                "timestamp": _when(event["timestamp"]),
                "type": event["type"],
                "state": details.get("name") or (visit.name if visit else ""),
                "error": details.get("error") or "",
                "cause": details.get("cause") or "",
            }
        )
    if args.format == "csv":
        _csv(rows)
    else:
        for row in rows:
            row["cause"] = _clip(str(row["cause"]), 60)
        _table(rows)
    return 0


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _csv(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("(none)")
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns).rstrip())
