"""The map-run panel of an execution view: a Distributed Map's progress, failures and children,
live over a mock comm (as tests/test_widgets.py drives the other widgets)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from widget_comm import customs, from_browser, mock_comm, wait_for  # noqa: F401 - fixture

import sfn_notebook as sfn
from sfn_notebook.notebook.mapruns import MapRunPanel
from sfn_notebook.notebook.widgets import ExecutionView
from sfn_notebook.runtime.runtime import Runtime

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:work"


def runs_sent(widget: Any) -> list[list[dict[str, Any]]]:
    """Every ``runs`` the browser was sent, in order."""
    found = []
    for _, kind, data in widget.comm.sent:
        runs = (data.get("state") or {}).get("runs") if kind == "comm_msg" else None
        if runs is not None:
            found.append(runs)
    return found


def definition(**extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "Orders",
        "States": {
            "Orders": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": FUNCTION, "End": True}},
                },
                "End": True,
                **extra,
            }
        },
    }


def test_the_panel_follows_children_that_add_no_parent_events() -> None:
    release = threading.Event()

    def work(event: Any, context: Any) -> Any:
        if event % 4 == 3:
            raise ValueError(f"item {event} is broken")
        if event >= 4:
            assert release.wait(30)
        return event

    spec = definition(MaxConcurrency=4, ToleratedFailurePercentage=100)
    with Runtime(clock="real", functions={"work": work}) as rt:
        arn = rt.create_state_machine(name="orders", definition=spec)["stateMachineArn"]
        ex = rt.start(arn, list(range(12)))
        view = ExecutionView(ex, interval=0.05)
        panel = view.map_runs
        assert panel is not None
        # Items 0-3 end (3 fails), 7 fails at once, 4, 5, 6 and 8 wait: the parent's history
        # is silent meanwhile.
        wait_for(lambda: bool(panel.runs) and panel.runs[0]["items"]["succeeded"] == 3)
        wait_for(
            lambda: panel.runs[0]["items"]["running"] == 4 and panel.runs[0]["items"]["failed"] == 2
        )
        live = panel.runs[0]
        assert live["status"] == "RUNNING"
        assert live["items"]["total"] == 12 and live["items"]["pending"] == 3
        assert [(f["index"], f["error"]) for f in live["failures"]] == [
            (7, "ValueError"),
            (3, "ValueError"),
        ]
        events_then = len(ex.history)
        release.set()
        ex.wait(30)
        wait_for(lambda: panel.runs[0]["status"] == "SUCCEEDED")
        final = panel.runs[0]
        assert len(ex.history) - events_then < 10  # the children's progress came from the run
        time.sleep(0.3)  # no more looking once the run ended
        sent = runs_sent(panel)
        assert sent[-1] == panel.runs
        assert len(sent) <= 200
    assert final["items"] == {
        "pending": 0,
        "running": 0,
        "succeeded": 9,
        "failed": 3,
        "timedOut": 0,
        "aborted": 0,
        "total": 12,
    }
    assert [f["index"] for f in final["failures"]] == [11, 7, 3]  # the latest first
    assert final["failures"][0]["cause"] == "item 11 is broken"  # a Lambda cause's message
    # The progress the browser saw only ever grew.
    done = [r[0]["items"]["succeeded"] + r[0]["items"]["failed"] for r in runs_sent(panel) if r]
    assert done == sorted(done) and done[-1] == 12


def test_a_click_on_a_failure_opens_the_child_execution() -> None:
    def work(event: Any, context: Any) -> Any:
        if event == 2:
            raise ValueError("two is refused")
        return {"ok": event}

    spec = definition(ToleratedFailureCount=1)
    ex = sfn.run(spec, [0, 1, 2], functions={"work": work})
    view = ExecutionView(ex)
    panel = view.map_runs
    assert panel is not None
    (run,) = panel.runs
    # The graph does not count a Distributed Map's children as iterations ("Map · 0 ok").
    assert view.graph.nodes["/States/Orders"]["subtitle"] is None
    opened: list[Any] = []
    panel.opener = lambda parts: opened.append(ExecutionView(**parts))
    from_browser(panel, {"type": "child", "map_run": run["arn"], "index": 2, "name": None})
    reply = customs(panel)[-1]
    assert reply["type"] == "child" and reply["index"] == 2
    assert (reply["status"], reply["error"]) == ("FAILED", "ValueError")
    assert "two is refused" in reply["cause"]
    assert reply["name"] == run["failures"][0]["name"]
    assert reply["name"].startswith(run["arn"].replace(":mapRun:", ":execution:"))
    assert reply["opened"] is True and reply["open"] is None
    (child,) = opened
    assert child.header.header["status"] == "FAILED"
    assert child.graph.nodes["/States/Work"]["status"] == "FAILED"
    types = [e["type"] for e in child.feed.events]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionFailed"
    assert child.feed.events[0]["executionStartedEventDetails"]["input"] == "2"
    # A child that succeeded: its details and output, and where to find it.
    from_browser(panel, {"type": "child", "map_run": run["arn"], "index": 0, "name": None})
    ok = customs(panel)[-1]
    assert ok["status"] == "SUCCEEDED" and '"ok": 0' in ok["output"]
    assert ok["open"] == 'sfn.analysis.map_items_frame(ex).query("index == 0")'
    assert ok["opened"] is False
    assert len(opened) == 1
    from_browser(panel, {"type": "child", "map_run": run["arn"], "index": 9, "name": None})
    assert customs(panel)[-1]["problem"] == "no such child"


def test_views_without_a_distributed_map_have_no_panel() -> None:
    inline = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    view = ExecutionView(sfn.run(inline, [1]))
    assert view.map_runs is None
    assert [type(c).__name__ for c in view.children] == [
        "ExecutionHeader",
        "ExecutionGraph",
        "RetryTimeline",
        "EventTable",
    ]


def test_a_reopened_store_shows_its_map_runs(tmp_path: Path) -> None:
    def work(event: Any, context: Any) -> Any:
        if event == 1:
            raise ValueError("one")
        return event

    path = tmp_path / "h.sqlite"
    with Runtime(store=path, clock="virtual", functions={"work": work}) as rt:
        arn = rt.create_state_machine(
            name="orders", definition=definition(ToleratedFailureCount=1)
        )["stateMachineArn"]
        ex = rt.start(arn, [0, 1, 2]).wait(30)
        before = MapRunPanel(ex).runs
    with Runtime(store=path, clock="virtual") as again:
        panel = ExecutionView(again.execution(ex.arn)).map_runs
        assert panel is not None
        assert panel.runs == before
        assert panel.runs[0]["items"]["failed"] == 1


def test_a_map_run_on_aws_is_described_by_its_api(server: Any, role: str) -> None:
    """An execution on moto's Step Functions: DescribeMapRun gives the counts; a click on a
    child names ``%sfn attach`` (moto cannot list a map run's children, so none is listed)."""
    aws = server.connect()
    spec = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ToleratedFailureCount": 2,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "Big"}],
                            "Default": "Ok",
                        },
                        "Ok": {"Type": "Pass", "End": True},
                        "Big": {"Type": "Fail", "Error": "Big", "Cause": "too big"},
                    },
                },
                "End": True,
            }
        },
    }
    aws.deploy("maprun-panel", spec, role_arn=role)
    ex = aws.run("maprun-panel", [1, 2, 3, 4])
    panel = MapRunPanel(ex)
    wait_for(lambda: bool(panel.summaries()) and panel.summaries()[0]["status"] != "RUNNING")
    (run,) = panel.summaries()
    assert run["remote"] is True and run["label"] == "M"
    assert run["status"] == "SUCCEEDED"
    assert (run["items"]["succeeded"], run["items"]["failed"], run["items"]["total"]) == (2, 2, 4)
    child = f"{run['arn'].replace(':mapRun:', ':execution:')}:nope"
    reply = panel.child(run["arn"], -1, {"name": child})
    assert "Execution Does Not Exist" in str(reply["problem"])
    # Any execution on AWS answers the same way (moto cannot name a child: its parent here).
    found = panel.child(run["arn"], -1, {"name": ex.arn})
    assert (found["status"], found["open"]) == ("SUCCEEDED", f"%sfn attach {ex.arn}")
