"""The widgets' state inspector over a mock comm: what a click on a graph node, a timeline row or
an event row gets back (the browser side is tests/test_inspect_browser.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from widget_comm import customs, from_browser, mock_comm  # noqa: F401 - fixture

import sfn_notebook as sfn
from sfn_notebook.notebook import protocol
from sfn_notebook.notebook.inspector import PICKER_LIMIT
from sfn_notebook.notebook.widgets import EventTable, ExecutionGraph, RetryTimeline

START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def ask(widget: Any, **request: Any) -> dict[str, Any]:
    """Send an InspectRequest as the browser does; the widget's reply."""
    content = {"type": "inspect", "request": 7, **request}
    from_browser(widget, content)
    reply = customs(widget)[-1]
    assert reply["type"] == "inspection" and reply["request"] == 7
    assert set(reply) == set(protocol.InspectionReply.__annotations__)
    return reply


MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Charge",
                "States": {
                    "Charge": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                        "Retry": [{"ErrorEquals": ["Declined"], "IntervalSeconds": 1}],
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


class Declined(Exception):
    pass


def charge(event: Any, context: Any) -> Any:
    charge.tries = getattr(charge, "tries", {})  # type: ignore[attr-defined]
    n = charge.tries[event] = charge.tries.get(event, 0) + 1  # type: ignore[attr-defined]
    if event == 2 and n == 1:
        raise Declined("<b>declined</b>")
    return {"charged": event}


def map_run(**kwargs: Any) -> Any:
    charge.tries = {}  # type: ignore[attr-defined]
    return sfn.run(MAP, [1, 2, 3], functions={"charge": charge}, start_time=START, **kwargs)


def test_a_graph_click_lists_every_visit_and_shows_the_latest() -> None:
    ex = map_run(record_stages=True)
    graph = ExecutionGraph(ex)
    reply = ask(graph, node="/States/Each/ItemProcessor/States/Charge")
    assert (reply["state"], reply["state_type"], reply["total"]) == ("Charge", "Task", 4)
    assert '"Resource"' in reply["definition"]
    labels = [v["label"] for v in reply["visits"]]
    assert any("Each[1]" in label and "attempt 1 of 2" in label for label in labels)
    assert reply["selected"] == len(reply["visits"]) - 1
    current = reply["current"]
    assert set(current) == set(protocol.InspectedVisit.__annotations__)
    assert current["recorded"] and current["stages"][0][:2] == ["input", "Input"]
    assert current["stages"][-1][0] == "output"
    # The picker: the failed first attempt in iteration 1, with its error.
    failed = next(v for v in reply["visits"] if v["status"] == "FAILED")
    reply = ask(graph, state="Charge", key=failed["key"], attempt=failed["attempt"])
    current = reply["current"]
    assert (current["key"], current["attempt"], current["error"]) == (
        failed["key"],
        0,
        "Declined",
    )
    assert "<b>declined</b>" in current["cause"]  # sent as text: the browser escapes it
    assert [s[0] for s in current["stages"]] == ["input", "afterInputPath", "afterParameters"]


def test_timeline_rows_and_event_rows_open_their_visit() -> None:
    ex = map_run(record_stages=True)
    timeline = RetryTimeline(ex)
    rows = {row["key"]: row for row in timeline.rows}
    charge_row = [r for r in rows.values() if r["label"].startswith("Charge")][1]
    reply = ask(timeline, row=charge_row["key"])
    assert reply["state"] == "Charge" and reply["current"]["key"] == int(charge_row["key"][1:])
    iteration = next(k for k, r in rows.items() if r["kind"] == "iteration" and r["label"] == "#2")
    reply = ask(timeline, row=iteration)
    assert reply["state"] == "Charge" and reply["current"]["label"].endswith("Each[2]")

    table = EventTable(ex)
    events = ex.history
    succeeded = next(e for e in events if e["type"] == "LambdaFunctionSucceeded")
    reply = ask(table, event=succeeded["id"])
    assert reply["state"] == "Charge" and reply["current"]["key"] < succeeded["id"]
    assert ask(table, event=1)["state"] == ""  # ExecutionStarted belongs to no state


def test_without_recorded_stages_the_history_still_answers() -> None:
    ex = map_run()  # not recorded (no kernel here)
    reply = ask(ExecutionGraph(ex), state="Each")
    current = reply["current"]
    assert not current["recorded"] and "not recorded" in current["note"]
    assert [s[0] for s in current["stages"]] == ["input", "output"]


def test_the_picker_lists_a_bounded_number_of_visits() -> None:
    items = list(range(PICKER_LIMIT + 100))
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, items, record_stages=True, start_time=START)
    graph = ExecutionGraph(ex)
    reply = ask(graph, state="P")
    assert reply["total"] == len(items) and len(reply["visits"]) == PICKER_LIMIT + 1
    assert reply["current"]["stages"][-1][2] == str(items[-1])
    first = reply["visits"][0]
    assert ask(graph, state="P", key=first["key"])["selected"] == 0
