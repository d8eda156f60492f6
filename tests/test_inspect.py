"""The state inspector's Python side: recorded stages, ex.inspect, %sfn inspect, stages_frame."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.analysis import stages_frame
from sfn_notebook.notebook.cmdline import CommandError
from sfn_notebook.notebook.dispatch import execute
from sfn_notebook.notebook.session import NotebookSession, Settings
from sfn_notebook.render.stages import InspectError
from sfn_notebook.store import Store

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[1]
EVIL = "<script>alert('x')</script>&amp;"

CHARGE = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "InputPath": "$.order",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$", "LogType": "Tail"},
            "ResultSelector": {"paid.$": "$.Payload.paid"},
            "ResultPath": "$.payment",
            "OutputPath": "$.payment",
            "Assign": {"charged.$": "$.paid"},
            "Retry": [{"ErrorEquals": ["CardDeclined"], "IntervalSeconds": 5}],
            "End": True,
        }
    },
}


class CardDeclined(Exception):
    pass


def charging() -> Any:
    calls: list[Any] = []

    def charge(event: Any, context: Any) -> Any:
        calls.append(event)
        print(f"charging {event['amount']}, try {len(calls)}")
        if len(calls) == 1:
            raise CardDeclined("insufficient funds")
        return {"paid": event["amount"]}

    return charge


def run(definition: Any, data: Any, **kwargs: Any) -> Any:
    return sfn.run(definition, data, start_time=START, seed=1, record_stages=True, **kwargs)


def test_each_retry_attempt_has_its_own_stages_error_and_function_log() -> None:
    ex = run(CHARGE, {"order": {"amount": 12}, "other": 1}, functions={"charge": charging()})
    assert ex.status == "SUCCEEDED"
    inspection = ex.inspect("Charge")
    first, second = inspection
    assert (first.attempt, first.attempts, first.status) == (0, 2, "FAILED")
    assert [name for name, _ in first.stages] == [
        "input",
        "afterInputPath",
        "afterParameters",
        "error",
    ]
    assert first.value("afterInputPath") == {"amount": 12}
    assert first.value("afterParameters")["Payload"] == {"amount": 12}
    assert (first.error, json.loads(first.cause or "")["errorMessage"]) == (
        "CardDeclined",
        "insufficient funds",
    )
    assert "charging 12, try 1" in (first.log or "")
    # The second attempt starts from the visit's input again and runs the whole pipeline.
    assert [name for name, _ in second.stages] == [
        "input",
        "afterInputPath",
        "afterParameters",
        "result",
        "afterResultSelector",
        "afterResultPath",
        "variables",
        "output",
    ]
    assert second.value("input") == {"order": {"amount": 12}, "other": 1}
    assert second.value("result")["Payload"] == {"paid": 12}
    assert second.value("afterResultSelector") == {"paid": 12}
    assert second.value("afterResultPath")["payment"] == {"paid": 12}
    assert second.value("output") == {"paid": 12} == ex.output
    assert second.variables == {"charged": 12}
    assert "charging 12, try 2" in (second.log or "")
    text = repr(inspection)
    assert text.startswith("State Charge (Task): 1 visit, 2 attempts")
    for label in ("After InputPath", "After ResultSelector", "Variables assigned", "Error: Card"):
        assert label in text
    assert ex.inspect("Charge", attempt=1)[0] == second


def test_map_iterations_and_loops_are_separate_visits() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                "ItemProcessor": {
                    "StartAt": "Square",
                    "States": {
                        "Square": {
                            "Type": "Pass",
                            "Parameters": {"sq.$": "States.MathAdd($.item, $.index)"},
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    ex = run(definition, {"items": [10, 20, 30]})
    squares = ex.inspect("Square")
    assert sorted(v.map_iteration for v in squares) == [0, 1, 2]
    third = ex.inspect("Square", map_iteration=2)
    assert len(third) == 1 and third[0].value("input") == {"item": 30, "index": 2}
    assert third.value("output") == {"sq": 32}
    assert third[0].label.endswith("M[2]")
    assert ex.inspect("Square", visit=-1)[0].key == max(v.key for v in squares)
    the_map = ex.inspect("M")[0]
    assert the_map.value("afterItemsPath") == [10, 20, 30]
    assert the_map.value("afterItemSelector")[1] == {"item": 20, "index": 1}
    assert the_map.value("output") == [{"sq": 10}, {"sq": 21}, {"sq": 32}]


def test_unknown_states_and_visits_are_errors_naming_them() -> None:
    ex = run(CHARGE, {"order": {"amount": 1}}, functions={"charge": lambda e, c: {"paid": 1}})
    with pytest.raises(InspectError, match=r"No state named .Chrage.*Charge"):
        ex.inspect("Chrage")
    with pytest.raises(InspectError, match=r"'Charge' has 1 visit.*visit=3"):
        ex.inspect("Charge", visit=3)
    assert isinstance(InspectError("x"), sfn.SfnNotebookError)


def test_recorded_values_are_copies_taken_when_reported() -> None:
    log = sfn.StageLog()
    value = {"n": [1]}
    log.stage(state="S", stage="input", value=value, event_id=2)
    value["n"].append(2)
    assert log.stages("S")[0].value == {"n": [1]}


def test_a_run_that_recorded_nothing_still_shows_input_and_output_from_its_history() -> None:
    ex = sfn.run(CHARGE, {"order": {"amount": 3}}, functions={"charge": lambda e, c: {"paid": 3}})
    assert ex.stage_log is None  # a plain Python process: nothing recorded by default
    (only,) = ex.inspect("Charge")
    assert not only.recorded and "not recorded" in (only.note or "")
    assert [name for name, _ in only.stages] == ["input", "output"]
    assert only.value("output") == {"paid": 3}


def test_stages_are_recorded_by_default_in_a_jupyter_kernel_only() -> None:
    from jupyter_client.manager import start_new_kernel

    code = (
        "import sfn_notebook as sfn\n"
        "d = {'StartAt': 'P', 'States': {'P': {'Type': 'Pass', 'End': True}}}\n"
        "with sfn.Runtime(clock='virtual') as rt:\n"
        "    rt.create_state_machine(name='m', definition=d)\n"
        "    n = len(rt.start('m').wait().stage_log)\n"
        "print(sfn.__file__, sfn.run(d).stage_log is not None,\n"
        "      sfn.run(d, record_stages=False).stage_log, n)\n"
    )
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        printed: list[str] = []

        def output(message: dict[str, Any]) -> None:
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        reply = client.execute_interactive(code, timeout=60, output_hook=output)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    where, *answers = "".join(printed).split()
    assert where.startswith(str(ROOT)) and answers == ["True", "None", "6"]
    # Here (pytest, no kernel) only when asked.
    assert sfn.run(CHARGE, {"order": {"amount": 1}}).stage_log is None
    with sfn.Runtime(clock="virtual") as rt:
        rt.create_state_machine(
            name="m", definition={"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        )
        assert rt.start("m").wait().stage_log is None


def test_the_record_is_capped_and_the_inspector_says_so() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": "x" * 2000, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "End": True},
        },
    }
    ex = run(definition, {}, limits={"recorded_stages": 5000})
    log = ex.stage_log
    assert log is not None and log.full and log.size <= 5000 and log.dropped > 0
    (b,) = ex.inspect("B")
    assert not b.recorded and "cap" in (b.note or "") and "5,000" in (b.note or "")
    assert b.value("output")["a"] == "x" * 2000  # still read from the history
    assert ex.status == "SUCCEEDED"


def test_a_running_visit_shows_the_stages_it_has_reached() -> None:
    release = threading.Event()

    def slow(event: Any, context: Any) -> Any:
        release.wait(30)
        return event

    with sfn.Runtime(clock="virtual", functions={"slow": slow}, record_stages=True) as rt:
        rt.create_state_machine(
            name="m",
            definition={
                "StartAt": "Slow",
                "States": {
                    "Slow": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
                        "Parameters": {"wrapped.$": "$"},
                        "End": True,
                    }
                },
            },
        )
        ex = rt.start("m", {"a": 1})
        try:
            for _ in range(200):
                pending = ex.stage_visits("Slow")
                if pending and pending[0].text("afterParameters"):
                    break
                threading.Event().wait(0.05)
            (visit,) = ex.stage_visits("Slow")
            assert visit.status == "RUNNING"
            assert visit.value("afterParameters") == {"wrapped": {"a": 1}}
            assert visit.text("output") is None
        finally:
            release.set()
        assert ex.wait(30).inspect("Slow").value("output") == {"wrapped": {"a": 1}}


def test_html_escapes_everything_from_the_workflow() -> None:
    definition = {
        "StartAt": EVIL,
        "States": {EVIL: {"Type": "Fail", "Error": EVIL, "Cause": EVIL}},
    }
    ex = run(definition, {EVIL: EVIL})
    page = ex.inspect(EVIL)._repr_html_()
    assert "<script>" not in page and "&amp;amp;" in page
    assert "&lt;script&gt;" in page and page.count("<details") == page.count("</details>")


def test_stages_frame_has_a_row_per_visit_attempt_and_stage() -> None:
    ex = run(CHARGE, {"order": {"amount": 5}}, functions={"charge": charging()})
    frame = stages_frame(ex)
    assert list(frame.columns) == [
        "execution_arn",
        "state_name",
        "state_type",
        "visit",
        "path",
        "map_iteration",
        "attempt",
        "step",
        "stage",
        "value",
        "status",
        "recorded",
    ]
    assert frame.groupby("attempt").size().to_dict() == {0: 4, 1: 8}
    last = frame[(frame.attempt == 1) & (frame.stage == "afterResultSelector")]
    assert json.loads(last["value"].iloc[0]) == {"paid": 5}
    assert frame["recorded"].all() and str(frame["map_iteration"].dtype) == "Int64"
    plain = sfn.run(CHARGE, {"order": {"amount": 5}}, functions={"charge": charging()})
    assert not stages_frame(plain)["recorded"].any()


def test_the_magic_prints_a_state_of_the_last_execution(capsys: Any) -> None:
    session = NotebookSession(Settings(store=None, clock="virtual", start_time=START, seed=1))
    try:
        session.function("charge")(charging())
        rt = session.runtime
        rt.create_state_machine(name="pay", definition=json.dumps(CHARGE))
        session.last_execution = rt.start("pay", {"order": {"amount": 7}}).wait()
        shown = execute(session, "inspect Charge --attempt 1")
        assert "After ResultSelector" in repr(shown) and shown.value("output") == {"paid": 7}
        assert "visit" in repr(execute(session, "inspect Charge --visit 0"))
        with pytest.raises(CommandError, match="No state named 'Nope'"):
            execute(session, "inspect Nope")
        capsys.readouterr()
        execute(session, "inspect --help")
        assert capsys.readouterr().out.startswith("usage: %sfn inspect")
    finally:
        session.close()


def test_a_recording_runtime_records_nested_executions_too() -> None:
    child = {"StartAt": "C", "States": {"C": {"Type": "Pass", "Result": "from child", "End": True}}}
    with sfn.Runtime(clock="virtual", record_stages=True) as rt:
        arn = rt.create_state_machine(name="child", definition=child)["stateMachineArn"]
        rt.create_state_machine(
            name="parent",
            definition={
                "StartAt": "Call",
                "States": {
                    "Call": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::states:startExecution.sync:2",
                        "Parameters": {"StateMachineArn": arn, "Input": {"n": 1}},
                        "End": True,
                    }
                },
            },
        )
        parent = rt.start("parent").wait(30)
        assert parent.status == "SUCCEEDED", parent.cause
        (call,) = parent.inspect("Call")
        assert call.value("afterParameters")["Input"] == {"n": 1}
        nested = rt.execution(call.value("result")["ExecutionArn"])
        assert nested.inspect("C").value("output") == "from child"
        assert nested.stage_log is not None and nested.stage_log is not parent.stage_log


def test_a_reopened_store_still_has_the_stages(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    functions = {"charge": charging()}
    with sfn.Runtime(path, clock="virtual", functions=functions, record_stages=True) as rt:
        rt.create_state_machine(name="pay", definition=json.dumps(CHARGE))
        arn = rt.start("pay", {"order": {"amount": 9}}).wait().arn
        plain = sfn.Runtime(path.with_name("plain.sqlite"), clock="virtual", functions=functions)
        with plain:
            plain.create_state_machine(name="pay", definition=json.dumps(CHARGE))
            plain_arn = plain.start("pay", {"order": {"amount": 9}}).wait().arn
    with sfn.Runtime(path, clock="virtual") as again:
        reopened = again.execution(arn)
        first, second = reopened.inspect("Charge")
        assert first.recorded and first.error == "CardDeclined"
        assert second.value("afterResultSelector") == {"paid": 9}
        assert stages_frame(reopened)["recorded"].all()
    with Store(path, readonly=True) as store:  # the analysis reads a store without a Runtime
        frame = stages_frame(store)
        assert frame["recorded"].all() and set(frame["stage"]) >= {"afterResultSelector"}
    with sfn.Runtime(path.with_name("plain.sqlite"), clock="virtual") as again:
        assert again.execution(plain_arn).stage_log is None  # recorded nothing, stores nothing
        assert not again.execution(plain_arn).inspect("Charge")[0].recorded


def test_a_redrive_adds_its_visits_to_the_stages_kept(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    broken = {"yes": True}

    def flaky(event: Any, context: Any) -> Any:
        if broken["yes"]:
            raise RuntimeError("down")
        return {"ok": event}

    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "End": True,
            }
        },
    }
    functions = {"flaky": flaky}
    with sfn.Runtime(path, clock="virtual", functions=functions, record_stages=True) as rt:
        rt.create_state_machine(name="m", definition=definition)
        ex = rt.start("m", 5).wait()
        assert ex.status == "FAILED"
    broken["yes"] = False
    with sfn.Runtime(path, clock="virtual", functions=functions, record_stages=True) as rt:
        ex = rt.execution(ex.arn)
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(30).status == "SUCCEEDED"
        failed, redriven = ex.inspect("Call")
        assert failed.recorded and failed.error == "RuntimeError" and failed.text("output") is None
        assert redriven.recorded and redriven.value("output") == {"ok": 5}
    with sfn.Runtime(path, clock="virtual") as rt:
        assert [v.status for v in rt.execution(ex.arn).inspect("Call")] == ["FAILED", "SUCCEEDED"]
