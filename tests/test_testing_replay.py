"""Record and replay: an execution (local, stored, or imported from moto's server) becomes a
MockConfigFile test case; replaying it against a definition names the first differing visit."""

from __future__ import annotations

import asyncio
import copy
import json
import subprocess
import sys

import pytest

import sfn_notebook as sfn
from sfn_notebook import testing
from sfn_notebook.integrations.mocks import MockConfig

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def _flaky_checker():
    calls = {"n": 0}

    def check(event, context):
        calls["n"] += 1
        if calls["n"] % 3 == 1:  # the first attempt of every third call fails
            raise RuntimeError("busy")
        return {"sku": event["sku"], "ok": True}

    return check


def count(event, context):
    return {"count": len(event)}


FLOW = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "StartAt": "Check",
                "States": {
                    "Check": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": "check", "Payload.$": "$"},
                        "OutputPath": "$.Payload",
                        "Retry": [
                            {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}
                        ],
                        "End": True,
                    }
                },
            },
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Count",
                    "States": {
                        "Count": {"Type": "Task", "Resource": LAMBDA.format("count"), "End": True}
                    },
                },
                {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}},
            ],
            "End": True,
        },
    },
}
ITEMS = {"items": [{"sku": "a"}, {"sku": "b"}, {"sku": "c"}, {"sku": "d"}]}


@pytest.fixture
def recorded():
    functions = {"check": _flaky_checker(), "count": count}
    return sfn.run(FLOW, ITEMS, functions=functions, state_machine_name="orders")


def test_record_holds_retries_map_iterations_and_the_input(recorded):
    mock = testing.record(recorded)
    assert mock["StateMachines"] == {
        "orders": {
            "TestCases": {"Recorded": {"Check": "Recorded.Check", "Count": "Recorded.Count"}}
        }
    }
    check = mock["MockedResponses"]["Recorded.Check"]
    # Invocations 0 and 3 (items a and c, first attempts) threw; the retries returned.
    assert list(check) == ["0", "1", "2", "3", "4", "5"]
    kinds = [next(iter(body)) for body in check.values()]
    assert kinds == ["Throw", "Return", "Return", "Throw", "Return", "Return"]
    assert check["0"]["Throw"]["Error"] == "RuntimeError"
    assert [check[k]["Return"]["Payload"]["sku"] for k in ("1", "2", "4", "5")] == list("abcd")
    assert mock["MockedResponses"]["Recorded.Count"] == {"0": {"Return": {"count": 4}}}
    assert mock.input == ITEMS
    MockConfig.load(json.loads(json.dumps(mock)))  # plain JSON in Step Functions Local's format


def test_equal_successive_responses_share_a_range():
    flow = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {
                        "T": {"Type": "Task", "Resource": LAMBDA.format("one"), "End": True}
                    },
                },
                "End": True,
            }
        },
    }
    ex = sfn.run(flow, [1, 2, 3], functions={"one": lambda e, c: 1}, state_machine_name="m")
    assert testing.record(ex)["MockedResponses"]["Recorded.T"] == {"0-2": {"Return": 1}}


def test_replaying_the_same_definition_reports_no_difference(recorded):
    report = testing.replay(FLOW, recorded)
    assert report.ok, report.explain()
    assert report.first_difference is None
    assert report.compared == 8  # Each, 4 Checks, Both, Count, Echo
    assert report.execution.output == recorded.output
    assert "8 state visits match, SUCCEEDED as recorded" in repr(report)
    assert "match" in report._repr_html_()


def test_a_changed_definition_names_the_first_differing_visit(recorded):
    changed = copy.deepcopy(FLOW)
    changed["States"]["Both"]["Branches"][1]["States"]["Echo"]["Result"] = {"echo": 1}
    report = testing.replay(changed, recorded)
    assert not report.ok
    first = report.first_difference
    assert (first.state, first.key, first.what) == ("Echo", "/Both#0/Echo#0", "output")
    assert first.local == {"echo": 1}
    assert [d.state for d in report.differences] == ["Echo", "Both"]
    assert "first at state 'Echo'" in repr(report)
    assert "Echo" in report._repr_html_()


def test_fewer_retries_fail_inside_the_first_map_iteration(recorded):
    changed = copy.deepcopy(FLOW)
    changed["States"]["Each"]["ItemProcessor"]["States"]["Check"]["Retry"][0]["MaxAttempts"] = 0
    report = testing.replay(changed, recorded)
    first = report.first_difference
    assert (first.state, first.key) == ("Check", "/Each#0[0]/Check#0")
    assert "recorded exited" in first.detail and "RuntimeError" in first.detail
    assert report.execution.status == "FAILED"


def test_a_new_state_shows_as_extra_and_changes_what_follows(recorded):
    changed = copy.deepcopy(FLOW)
    changed["States"]["Each"]["Next"] = "Tag"
    changed["States"]["Tag"] = {"Type": "Pass", "Result": "tagged", "Next": "Both"}
    report = testing.replay(changed, recorded)
    first = report.first_difference
    assert (first.state, first.what, first.detail) == (
        "Each",
        "next",
        "next state: recorded 'Both', local 'Tag'",
    )
    assert report.differences[1].state == "Tag" and report.differences[1].what == "extra"


def test_the_execution_result_is_compared_when_every_visit_matches():
    ok = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "F"}, "F": {"Type": "Fail", "Error": "E1"}},
    }
    other = copy.deepcopy(ok)
    other["States"]["F"]["Error"] = "E2"
    report = testing.replay(other, sfn.run(ok))
    assert report.first_difference.what == "execution"
    assert "E1" in report.first_difference.detail and "E2" in report.first_difference.detail


def test_replay_from_a_store_and_a_plain_history(recorded, tmp_path):
    path = tmp_path / "history.sqlite"
    with sfn.Runtime(store=path) as rt:
        rt.function("check")(_flaky_checker())
        rt.function("count")(count)
        rt.create_state_machine(name="orders", definition=FLOW)
        arn = rt.start("orders", ITEMS).wait().arn
    with sfn.Runtime(store=path) as reopened:
        stored = reopened.execution(arn)
        assert testing.replay(FLOW, stored).ok
        assert testing.replay(None, stored).ok  # the definition it ran
    history = json.loads(json.dumps(recorded.history, default=str))
    assert testing.replay(FLOW, history).ok


def test_concurrent_map_iterations_get_their_own_responses():
    async def slow(event, context):
        await asyncio.sleep(event["wait"])  # virtual time: iterations end out of order
        return {"done": event["id"]}

    async def after(event, context):
        await asyncio.sleep(6 - event["done"])
        return {"id": event["done"] * 10}

    flow = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {
                        "T": {"Type": "Task", "Resource": LAMBDA.format("slow"), "Next": "After"},
                        "After": {"Type": "Task", "Resource": LAMBDA.format("after"), "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    items = [{"id": i, "wait": w} for i, w in enumerate([5, 1, 3, 2])]
    ex = sfn.run(flow, items, functions={"slow": slow, "after": after})
    order = [
        body["Return"]["id"]
        for body in testing.record(ex)["MockedResponses"]["Recorded.After"].values()
    ]
    assert order == [10, 30, 20, 0]  # After was invoked as T finished: by time, not by index
    report = testing.replay(flow, ex)
    assert report.ok, report.explain()
    assert report.execution.output == [{"id": 0}, {"id": 10}, {"id": 20}, {"id": 30}]


def test_not_an_execution_is_named():
    with pytest.raises(testing.RecordingError, match="cannot record int"):
        testing.record(3)


def test_written_replay_test_passes_then_fails_when_the_definition_changes(recorded, tmp_path):
    definition = tmp_path / "orders.asl.json"
    definition.write_text(json.dumps(FLOW))
    saved = testing.write_replay_test(
        tmp_path / "test_orders_replay.py", recorded, definition=definition
    )
    assert testing.load_recording(saved).input == ITEMS
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    passed = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "1 passed" in passed.stdout
    changed = copy.deepcopy(FLOW)
    changed["States"]["Both"]["Branches"][1]["States"]["Echo"]["Result"] = 2
    definition.write_text(json.dumps(changed))
    failed = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "first at state 'Echo' (visit /Both#0/Echo#0)" in failed.stdout


# Imported from moto's server -----------------------------------------------------------------


def price(event, context):
    total = sum(item["qty"] * item["unit"] for item in event["items"])
    return {"total": total, "count": len(event["items"])}


def approve(event, context):
    return {**event, "approved": event["total"] <= 100}


ORDERS = {
    "StartAt": "Price",
    "States": {
        "Price": {"Type": "Task", "Resource": LAMBDA.format("price"), "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "approve", "Payload.$": "$"},
            "ResultSelector": {"result.$": "$.Payload"},
            "OutputPath": "$.result",
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.approved", "BooleanEquals": True, "Next": "Done"}],
            "Default": "Rejected",
        },
        "Rejected": {"Type": "Fail", "Error": "Rejected"},
        "Done": {"Type": "Succeed"},
    },
}


def test_an_imported_moto_execution_replays_without_difference(aws, role, tmp_path):
    pytest.importorskip("moto.server")
    from sfn_notebook.aws import import_executions

    rt = sfn.Runtime()
    rt.function("price")(price)
    rt.function("approve")(approve)
    rt.create_state_machine(name="orders", definition=ORDERS)
    aws.deploy("orders", runtime=rt, role_arn=role, package_functions=True)
    remote = aws.run("orders", {"items": [{"qty": 2, "unit": 10}]}, timeout=60)
    assert remote.status == "SUCCEEDED"
    path = tmp_path / "imported.sqlite"
    import_executions(path, aws=aws, state_machine="orders")
    with sfn.Runtime(store=path) as stored:
        imported = stored.execution(remote.arn)
        report = testing.replay(ORDERS, imported)
        assert report.ok, report.explain()
        assert report.compared == 4
        changed = copy.deepcopy(ORDERS)
        changed["States"]["Decide"]["Choices"][0]["BooleanEquals"] = False
        report = testing.replay(changed, imported)
    # The Choice behaves differently: same output, another next state.
    first = report.first_difference
    assert (first.state, first.what) == ("Decide", "next")
    assert first.detail == "next state: recorded 'Done', local 'Rejected'"
    assert {d.state for d in report.differences[1:]} == {"Done", "Rejected"}
    rt.close()


def test_a_saved_history_replays_against_a_definition_file(recorded, tmp_path):
    definition = tmp_path / "orders.asl.json"
    definition.write_text(json.dumps(FLOW))
    history = json.loads(json.dumps(recorded.history, default=str))
    assert testing.replay(definition, history).ok
    changed = copy.deepcopy(FLOW)
    changed["States"]["Both"]["Branches"].reverse()  # the Parallel outputs in branch order
    definition.write_text(json.dumps(changed))
    first = testing.replay(definition, history).first_difference
    assert first is not None and first.state == "Both"
