"""Breakpoints, stepping, edits while paused, time travel and forks, through the public API."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook import analysis

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
NOTE = "sfnNotebookNote"

CHAIN = {
    "StartAt": "Load",
    "States": {
        "Load": {"Type": "Pass", "Assign": {"rate": 2}, "Next": "Price"},
        "Price": {
            "Type": "Pass",
            "Parameters": {"total.$": "States.MathAdd($.amount, $rate)"},
            "Next": "Ship",
        },
        "Ship": {"Type": "Pass", "End": True},
    },
}


def types(ex: sfn.Execution) -> list[str]:
    return [e["type"] for e in ex.history]


def test_pause_before_a_state_then_step_and_resume() -> None:
    ex = sfn.run(CHAIN, {"amount": 10}, breakpoints=["Price"])
    assert ex.status == "RUNNING" and ex.paused
    pause = ex.paused_at
    assert (pause.state, pause.kind, pause.visit, pause.map_iteration) == (
        "Price",
        "state",
        0,
        None,
    )
    assert ex.pending_input == {"amount": 10}
    assert dict(ex.variables) == {"rate": 2}
    # The history so far: Price is not entered yet.
    assert types(ex) == ["ExecutionStarted", "PassStateEntered", "PassStateExited"]
    ex.step()
    assert (ex.paused_at.state, ex.paused_at.kind) == ("Ship", "state")
    assert ex.pending_input == {"total": 12}
    ex.resume()
    assert (ex.status, ex.output, ex.paused_at) == ("SUCCEEDED", {"total": 12}, None)
    assert not any(NOTE in e for e in ex.history)  # nothing edited, nothing noted


def test_edited_input_and_variables_are_used_and_noted_on_the_next_event() -> None:
    ex = sfn.run(CHAIN, {"amount": 10}, breakpoints=["Price"])
    ex.pending_input = {"amount": 100}
    ex.variables["rate"] = 5
    ex.resume()
    assert ex.output == {"total": 105}
    entered = next(e for e in ex.history if e["type"] == "PassStateEntered" and e["id"] > 3)
    assert entered["stateEnteredEventDetails"]["input"] == '{"amount":100}'
    assert entered[NOTE] == {
        "debuggerEdit": {
            "pausedAt": "state",
            "state": "Price",
            "input": {"before": '{"amount":10}', "after": '{"amount":100}'},
            "variables": {"rate": {"before": "2", "after": "5"}},
        }
    }
    # Only our own field: every event type is one AWS has.
    assert {NOTE} | set(entered) == set(entered)
    assert all(e["type"].startswith(("Execution", "Pass")) for e in ex.history)


def test_misuse_is_reported_by_name() -> None:
    with pytest.raises(sfn.SfnNotebookError, match="no state 'Prise'"):
        sfn.run(CHAIN, breakpoints=["Prise"])
    with pytest.raises(sfn.SfnNotebookError, match="'Price' is a Pass state"):
        sfn.run(CHAIN, breakpoints=["Price#retry"])
    done = sfn.run(CHAIN, {"amount": 1})
    with pytest.raises(sfn.SfnNotebookError, match="has ended"):
        done.resume()
    ex = sfn.run(CHAIN, {"amount": 1}, breakpoints=["Price"])
    with pytest.raises(sfn.SfnNotebookError, match="must be a JSON value"):
        ex.pending_input = {"x": object()}
    ex.stop()


def test_stop_while_paused_aborts_without_entering_the_state() -> None:
    ex = sfn.run(CHAIN, {"amount": 1}, breakpoints=["Price"])
    ex.stop(error="Debug", cause="seen enough")
    assert (ex.status, ex.error, ex.cause) == ("ABORTED", "Debug", "seen enough")
    assert types(ex) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionAborted",
    ]


def flaky_flow() -> dict[str, Any]:
    return {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": f"{LAMBDA}charge",
                "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 3}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}],
                "End": True,
            },
            "Refund": {"Type": "Pass", "End": True},
        },
    }


def test_pause_before_a_retry_with_an_edited_input() -> None:
    def charge(event: Any, context: Any) -> Any:
        if event["card"] == "bad":
            raise ValueError("declined")
        return {"charged": event["card"]}

    ex = sfn.run(
        flaky_flow(),
        {"card": "bad"},
        breakpoints=["Charge#retry"],
        functions={"charge": charge},
        start_time=START,
    )
    pause = ex.paused_at
    assert (pause.state, pause.kind, pause.retry_count) == ("Charge", "retry", 1)
    assert ex.pending_input == {"card": "bad"}
    # The backoff has passed (3 s of virtual time), the retry has not started.
    assert types(ex)[-1] == "LambdaFunctionFailed"
    ex.pending_input = {"card": "good"}
    time.sleep(0.5)  # the pause holds the clock: this is not in the timestamps
    ex.resume()
    assert (ex.status, ex.output) == ("SUCCEEDED", {"charged": "good"})
    scheduled = [e for e in ex.history if e["type"] == "LambdaFunctionScheduled"]
    assert '"good"' in scheduled[1]["lambdaFunctionScheduledEventDetails"]["input"]
    assert scheduled[1][NOTE]["debuggerEdit"]["pausedAt"] == "retry"
    # The backoff, plus the (real) time the first call took in its thread.
    gap = scheduled[1]["timestamp"] - scheduled[0]["timestamp"]
    assert timedelta(seconds=3) <= gap < timedelta(seconds=3.4)


def test_pause_on_any_failure_before_retry_and_catch() -> None:
    def charge(event: Any, context: Any) -> Any:
        raise KeyError("no card")

    ex = sfn.run(flaky_flow(), {"card": None}, breakpoints=["*error"], functions={"charge": charge})
    pause = ex.paused_at
    assert (pause.state, pause.kind, pause.error) == ("Charge", "error", "KeyError")
    assert ex.pending_input is None
    with pytest.raises(sfn.SfnNotebookError, match="no pending input"):
        ex.pending_input = {}
    ex.variables["why"] = "no card"
    ex.step()  # the Catch goes to Refund: paused before it
    assert ex.paused_at.state == "Refund"
    assert ex.variables["why"] == "no card"
    ex.resume()
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"Error": "KeyError", "Cause": ex.output["Cause"]}


PARALLEL = {
    "StartAt": "Both",
    "States": {
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Slow",
                    "States": {"Slow": {"Type": "Wait", "Seconds": 100, "End": True}},
                },
                {
                    "StartAt": "Quick",
                    "States": {
                        "Quick": {"Type": "Pass", "Result": "q", "Next": "Check"},
                        "Check": {"Type": "Pass", "End": True},
                    },
                },
            ],
            "End": True,
        }
    },
}


def test_parallel_branch_pauses_alone_and_the_clock_is_held() -> None:
    ex = sfn.run(PARALLEL, breakpoints=["Check"], start_time=START)
    assert [p.state for p in ex.pauses] == ["Check"]
    # The other branch went on: its Wait started, and virtual time did not jump to its end.
    assert "WaitStateEntered" in types(ex) and "WaitStateExited" not in types(ex)
    held = ex.clock.now()
    time.sleep(0.3)
    assert ex.clock.now() == held == START
    ex.resume()
    assert ex.status == "SUCCEEDED" and ex.output == [{}, "q"]
    waited = [e["timestamp"] for e in ex.history if e["type"].startswith("WaitState")]
    assert waited[1] - waited[0] == timedelta(seconds=100)


def test_a_pause_does_not_let_the_execution_time_out() -> None:
    flow = {**CHAIN, "TimeoutSeconds": 5}
    ex = sfn.run(flow, {"amount": 1}, breakpoints=["Ship"], start_time=START)
    time.sleep(0.3)
    assert ex.paused and ex.status == "RUNNING"
    assert ex.resume().status == "SUCCEEDED"
    assert ex.stop_date == START


MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Price",
                "States": {
                    "Price": {
                        "Type": "Pass",
                        "Parameters": {"p.$": "States.MathAdd($, 1)"},
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


def test_map_iterations_pause_one_by_one_and_step_moves_the_first() -> None:
    ex = sfn.run(MAP, {"items": [1, 2, 3]}, breakpoints=["Price"])
    assert [(p.state, p.map_iteration) for p in ex.pauses] == [
        ("Price", 0),
        ("Price", 1),
        ("Price", 2),
    ]
    assert ex.pauses[2].key == "/Each#0[2]/Price#0"
    ex.pauses[1].input = 40
    ex.step()  # iteration 0 runs Price; nothing else to enter in it
    assert [p.map_iteration for p in ex.pauses] == [1, 2]
    ex.resume()
    assert ex.output == [{"p": 2}, {"p": 41}, {"p": 4}]


def test_runtime_start_with_breakpoints_and_the_magic(tmp_path: Any) -> None:
    with sfn.Runtime(clock="virtual") as rt:
        rt.create_state_machine(name="chain", definition=CHAIN)
        ex = rt.start("chain", {"amount": 1}, breakpoints=["Ship"]).wait(10)
        assert ex.paused_at.state == "Ship"
        assert rt.describe_execution(executionArn=ex.arn)["status"] == "RUNNING"
        ex.resume(timeout=10)
        assert ex.status == "SUCCEEDED"
        stopped = rt.start("chain", {"amount": 1}, breakpoints=["Price"]).wait(10)
        rt.stop_execution(executionArn=stopped.arn)
        assert stopped.wait(10).status == "ABORTED"


def test_magic_run_break(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    from sfn_notebook.notebook import session
    from sfn_notebook.notebook.session import NotebookSession

    monkeypatch.chdir(tmp_path)
    fresh = NotebookSession()
    monkeypatch.setattr(session, "_SESSION", fresh)
    start_ipython()
    ip = InteractiveShell.instance()
    sfn.load_ipython_extension(ip)
    try:
        ip.run_line_magic("sfn", "runtime --no-store")
        ip.run_cell_magic("asl", "chain --no-graph", json.dumps(CHAIN))
        ex = ip.run_line_magic("sfn", 'run chain --input {"amount": 3} --break Price')
        assert (ex.status, ex.paused_at.state) == ("RUNNING", "Price")
        assert ex.resume().output == {"total": 5}
    finally:
        fresh.close()


def test_time_travel_over_a_failed_run() -> None:
    flow = {
        "StartAt": "Load",
        "States": {
            "Load": {"Type": "Pass", "Assign": {"limit": 3}, "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThanPath": "$limit", "Next": "No"}],
                "Default": "Yes",
            },
            "No": {"Type": "Fail", "Error": "TooMany"},
            "Yes": {"Type": "Succeed"},
        },
    }
    ex = sfn.run(flow, {"n": 5})
    assert ex.status == "FAILED"
    then = ex.at(4)  # Check entered
    assert (then.state, then.input, then.variables) == ("Check", {"n": 5}, {"limit": 3})
    assert then.statuses == {"Load": "SUCCEEDED", "Check": "RUNNING"}
    last = ex.at(-1)
    assert last.event_type == "ExecutionFailed"
    assert last.statuses["No"] == "FAILED"
    with pytest.raises(sfn.SfnNotebookError, match="no event 99"):
        ex.at(99)


def test_fork_from_a_visit_with_its_variables_and_an_edited_input() -> None:
    flow = {
        "StartAt": "Load",
        "States": {
            "Load": {"Type": "Pass", "Assign": {"rate": 2}, "Next": "Price"},
            "Price": {"Type": "Task", "Resource": f"{LAMBDA}price", "Next": "Ship"},
            "Ship": {
                "Type": "Pass",
                "Parameters": {"total.$": "$.total", "r.$": "$rate"},
                "End": True,
            },
        },
    }

    def price(event: Any, context: Any) -> Any:
        return {"total": event["amount"] * 10}

    ex = sfn.run(flow, {"amount": "7"}, functions={"price": price}, start_time=START)
    assert ex.status == "SUCCEEDED" and ex.output == {"total": "7777777777", "r": 2}
    fork = ex.fork("Price", input={"amount": 7}, name="fixed")
    assert (fork.status, fork.output, fork.name) == ("SUCCEEDED", {"total": 70, "r": 2}, "fixed")
    origin = fork.forked_from
    assert (origin["executionArn"], origin["state"]) == (ex.arn, "Price")
    assert origin["eventId"] == 4 and origin["input"] == '{"amount":7}'
    # The fork begins at Price: no event for Load, the variables it assigned are in scope.
    assert types(fork)[:2] == ["ExecutionStarted", "TaskStateEntered"]
    assert fork.history[0][NOTE]["forkedFrom"]["eventId"] == 4
    assert fork.start_date == ex.history[3]["timestamp"]
    # Forked with a variable changed too, by event id.
    other = ex.fork(4, variables={"rate": 9})
    assert other.output == {"total": "7777777777", "r": 9}
    side = analysis.compare_executions(ex, fork)
    assert side.loc["Load", "visits_b"] == 0
    assert side.loc["Ship", "same_output"] == False  # noqa: E712  (a numpy bool)
    assert sfn.run(CHAIN, {"amount": 1}).forked_from is None


def test_fork_of_a_map_iteration_and_of_a_parallel_branch_on_a_runtime() -> None:
    with sfn.Runtime(clock="virtual") as rt:
        rt.create_state_machine(name="each", definition=MAP)
        ex = rt.start("each", {"items": [1, 2, 3]}).wait(10)
        fork = ex.fork("Price", map_iteration=1, input=50).wait(10)
        assert fork.output == [{"p": 2}, {"p": 51}, {"p": 4}]
        # The iterations that had succeeded before the fork point are kept without events.
        entered = [e for e in fork.history if e["type"] == "PassStateEntered"]
        assert next(e["stateEnteredEventDetails"]["input"] for e in entered) == "50"
        rt.create_state_machine(name="both", definition=PARALLEL)
        both = rt.start("both").wait(10)
        check = next(
            e
            for e in both.history
            if e["type"] == "PassStateEntered" and e["stateEnteredEventDetails"]["name"] == "Check"
        )
        again = rt.fork(both.arn, check["id"], input="edited").wait(10)
        assert again.output == [{}, "edited"]
        assert again.forked_from["state"] == "Check"


def test_fork_with_breakpoints_pauses_the_fork() -> None:
    ex = sfn.run(CHAIN, {"amount": 1})
    fork = ex.fork("Price", breakpoints=["Ship"])
    assert fork.paused_at.state == "Ship"
    assert fork.resume().output == {"total": 3}


def test_resume_without_waiting_from_another_thread() -> None:
    ex = sfn.run(CHAIN, {"amount": 1}, breakpoints=["Price", "Ship"])
    worker = threading.Thread(target=lambda: ex.resume(wait=False))
    worker.start()
    worker.join(10)
    assert ex.wait(10).paused_at.state == "Ship"
    assert ex.resume(timeout=10).status == "SUCCEEDED"


# -- the live view's debugger panel, over a mock comm (the browser side: test_debugger_browser)


def test_view_panel_steps_toggles_and_travels(monkeypatch: pytest.MonkeyPatch) -> None:
    import comm

    from sfn_notebook.notebook.widgets import ExecutionView

    class MockComm(comm.base_comm.BaseComm):
        def publish_msg(self, msg_type: str, data: Any = None, *args: Any, **keys: Any) -> None:
            pass

    monkeypatch.setattr(comm, "create_comm", MockComm)

    def from_browser(widget: Any, content: dict[str, Any]) -> None:
        widget._handle_msg(
            {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
        )

    ex = sfn.run(CHAIN, {"amount": 1}, breakpoints=["Price"])
    ex.definition = sfn.parse(CHAIN)
    view = ExecutionView(ex)
    panel = view.debugger
    assert panel is not None and panel.states == ["Load", "Price", "Ship"]
    assert panel.paused["state"] == "Price" and panel.paused["input"] == '{"amount":1}'
    # The paused state is marked on the graph.
    assert view.graph.nodes["/States/Price"] == {
        "status": "RUNNING",
        "counts": None,
        "subtitle": "paused",
    }
    from_browser(panel, {"type": "debug", "action": "toggle", "state": "Ship"})
    assert panel.breakpoints == ["Price", "Ship"]
    from_browser(panel, {"type": "debug", "action": "resume", "state": None})
    assert ex.wait(10).paused_at.state == "Ship"
    panel.flush()
    assert panel.paused["state"] == "Ship"
    # Time travel: the graph shows the chosen moment, then live again.
    from_browser(panel, {"type": "travel", "event": 3})
    assert panel.moment_info["state"] == "Load"
    assert view.graph.nodes == {
        "/States/Load": {"status": "SUCCEEDED", "counts": None, "subtitle": None}
    }
    assert view.timeline.cursor == 0.0  # every event of this run shares one virtual instant
    from_browser(panel, {"type": "travel", "event": 0})
    assert view.timeline.cursor is None
    assert view.graph.nodes["/States/Price"]["status"] == "SUCCEEDED"
    from_browser(panel, {"type": "debug", "action": "toggle", "state": "Nope"})
    assert "no state 'Nope'" in panel.error
    from_browser(panel, {"type": "debug", "action": "stop", "state": None})
    assert ex.wait_finished(10).status == "ABORTED"
    view.close()


def test_notes_and_forks_are_kept_by_the_store(tmp_path: Any) -> None:
    path = tmp_path / "history.sqlite"
    with sfn.Runtime(path, clock="virtual") as rt:
        rt.create_state_machine(name="chain", definition=CHAIN)
        ex = rt.start("chain", {"amount": 1}, breakpoints=["Price"]).wait(10)
        ex.pending_input = {"amount": 2}
        ex.resume(timeout=10)
        fork = ex.fork("Ship").wait(10)
        arns = ex.arn, fork.arn
    with sfn.Runtime(path, clock="virtual") as again:
        stored, forked = (again.execution(arn) for arn in arns)
        assert stored.output == {"total": 4}
        noted = [e[NOTE] for e in stored.history if NOTE in e]
        assert noted[0]["debuggerEdit"]["input"]["after"] == '{"amount":2}'
        assert forked.forked_from["state"] == "Ship"
        # A stored execution forks through its Runtime.
        third = again.fork(stored.arn, "Price", input={"amount": 5}).wait(10)
        assert third.output == {"total": 7}


def test_a_failure_pauses_once_where_it_arises() -> None:
    flow = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "Nope"}}},
                ],
                "End": True,
            }
        },
    }
    ex = sfn.run(flow, breakpoints=["*error"])
    assert [(p.state, p.kind, p.error) for p in ex.pauses] == [("Bad", "error", "Nope")]
    ex.resume()  # the Parallel fails with the branch's error: no second pause for it
    assert (ex.status, ex.error, ex.pauses) == ("FAILED", "Nope", [])


def test_resuming_with_wait_from_the_loop_is_refused() -> None:
    with sfn.Runtime(clock="virtual") as rt:
        rt.create_state_machine(name="chain", definition=CHAIN)
        paused = rt.start("chain", {"amount": 1}, breakpoints=["Price"]).wait(10)

        @rt.function("poke")
        async def poke(event: Any, context: Any) -> Any:
            paused.resume()  # would wait on this very loop
            return event

        task = {
            "StartAt": "T",
            "States": {"T": {"Type": "Task", "Resource": f"{LAMBDA}poke", "End": True}},
        }
        rt.create_state_machine(name="poker", definition=task)
        poker = rt.start("poker").wait(10)
        assert (poker.status, poker.error) == ("FAILED", "SfnNotebookError")
        assert "wait=False" in poker.cause
        assert paused.paused_at.state == "Price"
        assert paused.resume(timeout=10).status == "SUCCEEDED"
