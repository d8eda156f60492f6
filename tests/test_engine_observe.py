"""Stage observers: each I/O stage of each state, reported as the engine ran it."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from typing import Any

import pytest

import sfn_notebook as sfn

START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def machine(*states: tuple[str, dict[str, Any]], language: str | None = None) -> dict[str, Any]:
    names = [name for name, _ in states]
    body: dict[str, Any] = {}
    for index, (name, state) in enumerate(states):
        chained = dict(state)
        if state["Type"] not in ("Choice", "Succeed", "Fail") and "Next" not in state:
            if index + 1 < len(states):
                chained["Next"] = names[index + 1]
            else:
                chained["End"] = True
        body[name] = chained
    definition: dict[str, Any] = {"StartAt": names[0], "States": body}
    if language:
        definition["QueryLanguage"] = language
    return definition


def observed(definition: dict[str, Any], data: Any, **kwargs: Any) -> tuple[Any, sfn.StageLog]:
    log = sfn.StageLog()
    ex = sfn.run(definition, data, observer=log, start_time=START, seed=1, **kwargs)
    return ex, log


def names(log: sfn.StageLog, state: str) -> list[str]:
    return [s.stage for s in log.stages(state)]


def values(log: sfn.StageLog, state: str) -> dict[str, Any]:
    return {s.stage: s.value for s in log.stages(state)}


def test_jsonpath_task_reports_every_stage_in_order() -> None:
    task = {
        "Type": "Task",
        "Resource": FN + "price",
        "InputPath": "$.order",
        "Parameters": {"items.$": "$.items"},
        "ResultSelector": {"total.$": "$.sum"},
        "ResultPath": "$.priced",
        "OutputPath": "$.priced",
        "Assign": {"last.$": "$.total"},
    }
    ex, log = observed(
        machine(("Price", task)),
        {"order": {"items": [2, 3]}},
        functions={"price": lambda event, context: {"sum": sum(event["items"])}},
    )
    assert ex.status == "SUCCEEDED"
    assert names(log, "Price") == [
        "input",
        "afterInputPath",
        "afterParameters",
        "result",
        "afterResultSelector",
        "afterResultPath",
        "variables",
        "output",
    ]
    assert values(log, "Price") == {
        "input": {"order": {"items": [2, 3]}},
        "afterInputPath": {"items": [2, 3]},
        "afterParameters": {"items": [2, 3]},
        "result": {"sum": 5},
        "afterResultSelector": {"total": 5},
        "afterResultPath": {"order": {"items": [2, 3]}, "priced": {"total": 5}},
        "variables": {"last": 5},
        "output": {"total": 5},
    }
    entered = [e["id"] for e in ex.history if e["type"] == "TaskStateEntered"]
    assert {s.event_id for s in log.stages("Price")} == set(entered)


def test_jsonata_task_pass_choice_wait() -> None:
    definition = machine(
        (
            "Double",
            {
                "Type": "Task",
                "Resource": FN + "double",
                "Arguments": "{% $states.input.n %}",
                "Output": "{% {'n': $states.result} %}",
                "Assign": {"seen": "{% $states.result %}"},
            },
        ),
        ("Mark", {"Type": "Pass", "Output": "{% $merge([$states.input, {'m': $seen}]) %}"}),
        ("Nap", {"Type": "Wait", "Seconds": 5, "Output": "{% $states.input.n %}"}),
        (
            "Pick",
            {
                "Type": "Choice",
                "Choices": [
                    {
                        "Condition": "{% $states.input > 3 %}",
                        "Next": "Done",
                        "Assign": {"big": True},
                        "Output": "{% {'big': $states.input} %}",
                    }
                ],
                "Default": "Done",
            },
        ),
        ("Done", {"Type": "Succeed"}),
        language="JSONata",
    )
    ex, log = observed(definition, {"n": 2}, functions={"double": lambda e, c: e * 2})
    assert ex.status == "SUCCEEDED"
    assert names(log, "Double") == ["input", "afterArguments", "result", "variables", "output"]
    assert values(log, "Double")["afterArguments"] == 2
    assert values(log, "Double")["result"] == 4
    assert names(log, "Mark") == ["input", "output"]
    assert names(log, "Nap") == ["input", "output"]
    assert names(log, "Pick") == ["input", "variables", "output"]
    assert values(log, "Pick") == {"input": 4, "variables": {"big": True}, "output": {"big": 4}}
    assert names(log, "Done") == ["input", "output"]
    assert [s.state for s in log.stages()] == (
        ["Double"] * 5 + ["Mark"] * 2 + ["Nap"] * 2 + ["Pick"] * 3 + ["Done"] * 2
    )


def test_jsonpath_pass_choice_wait_succeed_fail() -> None:
    definition = machine(
        ("Given", {"Type": "Pass", "InputPath": "$.a", "Result": {"r": 1}, "ResultPath": "$.res"}),
        ("Shaped", {"Type": "Pass", "Parameters": {"x.$": "$.res.r"}, "OutputPath": "$.x"}),
        ("Nap", {"Type": "Wait", "SecondsPath": "$", "InputPath": "$"}),
        (
            "Pick",
            {
                "Type": "Choice",
                "InputPath": "$",
                "Choices": [
                    {"Variable": "$", "NumericEquals": 1, "Next": "Stop", "Assign": {"one.$": "$"}}
                ],
                "Default": "Fine",
            },
        ),
        ("Fine", {"Type": "Succeed"}),
        ("Stop", {"Type": "Fail", "Error": "Stopped", "Cause": "by Pick"}),
    )
    ex, log = observed(definition, {"a": {"b": 0}})
    assert (ex.status, ex.error) == ("FAILED", "Stopped")
    assert names(log, "Given") == [
        "input",
        "afterInputPath",
        "afterParameters",
        "result",
        "afterResultPath",
        "output",
    ]
    assert values(log, "Given")["afterResultPath"] == {"a": {"b": 0}, "res": {"r": 1}}
    assert values(log, "Shaped")["afterParameters"] == {"x": 1}
    assert values(log, "Shaped")["output"] == 1
    assert names(log, "Nap") == ["input", "afterInputPath", "output"]
    assert names(log, "Pick") == ["input", "afterInputPath", "variables", "output"]
    assert values(log, "Pick")["variables"] == {"one": 1}
    assert names(log, "Stop") == ["input", "error"]
    assert values(log, "Stop")["error"] == {"Error": "Stopped", "Cause": "by Pick"}
    assert log.stages("Fine") == []


def test_retries_and_catch_are_reported_per_attempt() -> None:
    calls: list[int] = []

    def flaky(event: Any, context: Any) -> Any:
        calls.append(1)
        if len(calls) < 3:
            raise ValueError(f"attempt {len(calls)}")
        raise KeyError("gave up")

    task = {
        "Type": "Task",
        "Resource": FN + "flaky",
        "Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 5, "IntervalSeconds": 1}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "After"}],
    }
    definition = machine(("Flaky", task), ("After", {"Type": "Pass"}))
    ex, log = observed(definition, {"k": 1}, functions={"flaky": flaky})
    assert ex.status == "SUCCEEDED"
    stages = [(s.stage, s.retry_count) for s in log.stages("Flaky")]
    assert stages == [
        ("input", 0),
        ("afterInputPath", 0),
        ("afterParameters", 0),
        ("error", 0),
        ("afterInputPath", 1),
        ("afterParameters", 1),
        ("error", 1),
        ("afterInputPath", 2),
        ("afterParameters", 2),
        ("error", 2),
        ("afterResultPath", 2),
        ("output", 2),
    ]
    errors = [s.value["Error"] for s in log.stages("Flaky") if s.stage == "error"]
    assert errors == ["ValueError", "ValueError", "KeyError"]
    caught = values(log, "Flaky")["output"]
    assert caught["k"] == 1 and caught["err"]["Error"] == "KeyError"


def test_map_and_parallel_report_their_stages_and_their_iterations() -> None:
    mapped = {
        "Type": "Map",
        "InputPath": "$.order",
        "ItemsPath": "$.items",
        "ItemSelector": {"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
        "MaxConcurrency": 2,
        "ToleratedFailureCount": 1,
        "ItemProcessor": machine(("Item", {"Type": "Pass", "OutputPath": "$.n"})),
        "ResultSelector": {"all.$": "$"},
        "ResultPath": "$.mapped",
    }
    both = {
        "Type": "Parallel",
        "Parameters": {"m.$": "$.mapped.all"},
        "Branches": [machine((b, {"Type": "Pass", "InputPath": "$.m"})) for b in ("L", "R")],
    }
    ex, log = observed(machine(("Each", mapped), ("Both", both)), {"order": {"items": [5, 6]}})
    assert ex.status == "SUCCEEDED"
    assert names(log, "Each") == [
        "input",
        "afterInputPath",
        "afterItemsPath",
        "maxConcurrency",
        "toleratedFailureCount",
        "afterItemSelector",
        "result",
        "afterResultSelector",
        "afterResultPath",
        "output",
    ]
    each = values(log, "Each")
    assert each["afterItemsPath"] == [5, 6]
    assert each["afterItemSelector"] == [{"n": 5, "i": 0}, {"n": 6, "i": 1}]
    assert (each["maxConcurrency"], each["toleratedFailureCount"]) == (2, 1)
    assert each["result"] == [5, 6]
    items = sorted((s.map_iteration, s.value) for s in log.stages("Item") if s.stage == "output")
    assert items == [(0, 5), (1, 6)]
    assert {s.map_iteration for s in log.stages("Each")} == {None}
    assert names(log, "Both") == [
        "input",
        "afterInputPath",
        "afterParameters",
        "result",
        "afterResultSelector",
        "afterResultPath",
        "output",
    ]
    assert values(log, "Both")["result"] == [[5, 6], [5, 6]]
    assert values(log, "L")["output"] == [5, 6]


def test_jsonata_map_and_parallel() -> None:
    definition = machine(
        (
            "Each",
            {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemProcessor": machine(
                    ("Sq", {"Type": "Pass", "Output": "{% $states.input * $states.input %}"})
                ),
                "Output": "{% $sum($states.result) %}",
            },
        ),
        (
            "Both",
            {
                "Type": "Parallel",
                "Arguments": "{% {'v': $states.input} %}",
                "Branches": [machine(("B", {"Type": "Pass"}))],
            },
        ),
        language="JSONata",
    )
    ex, log = observed(definition, {"xs": [1, 2]})
    assert ex.output == [{"v": 5}]
    assert names(log, "Each") == ["input", "maxConcurrency", "result", "output"]
    assert values(log, "Each")["result"] == [1, 4]
    assert names(log, "Both") == ["input", "afterArguments", "result", "output"]


class Raising:
    def __init__(self) -> None:
        self.calls = 0

    def stage(self, **kwargs: Any) -> None:
        self.calls += 1
        raise RuntimeError("observer bug")


def _history(ex: sfn.Execution) -> list[str]:
    """Every event but its timestamp, without Lambda's random request ids."""
    events = [{k: v for k, v in e.items() if k != "timestamp"} for e in ex.history]
    return [re.sub(r"requestId[^,]*", "", json.dumps(e, default=str)) for e in events]


def test_a_raising_observer_is_detached_and_changes_nothing(caplog: Any) -> None:
    task = {
        "Type": "Task",
        "Resource": FN + "f",
        "Retry": [{"ErrorEquals": ["ValueError"], "MaxAttempts": 1}],
    }
    items = {"Type": "Map", "ItemProcessor": machine(("I", {"Type": "Pass"}))}
    definition = machine(("T", task), ("M", items))
    attempts: list[int] = []

    def f(event: Any, context: Any) -> Any:
        attempts.append(1)
        if len(attempts) % 2:
            raise ValueError("once")
        return [1, 2, 3]

    common = {
        "start_time": START,
        "seed": 3,
        "execution_name": "same",
        "state_machine_name": "same",
        "functions": {"f": f},
    }
    plain = sfn.run(definition, {}, **common)
    observer = Raising()
    with caplog.at_level(logging.ERROR, logger="sfn_notebook.engine.observe"):
        watched = sfn.run(definition, {}, observer=observer, **common)
    assert observer.calls == 1
    assert "observer bug" in caplog.text and "detached" in caplog.text
    assert (
        (watched.status, watched.output) == (plain.status, plain.output) == ("SUCCEEDED", [1, 2, 3])
    )
    assert _history(watched) == _history(plain)


def test_an_observer_taking_only_what_it_needs() -> None:
    seen: list[tuple[str, str]] = []

    class Minimal:
        def stage(self, *, state: str, stage: str, value: Any, **future_kwargs: Any) -> None:
            seen.append((state, stage))

    sfn.run(machine(("P", {"Type": "Pass"})), {}, observer=Minimal())
    assert seen == [
        ("P", "input"),
        ("P", "afterInputPath"),
        ("P", "afterParameters"),
        ("P", "result"),
        ("P", "afterResultPath"),
        ("P", "output"),
    ]


@pytest.mark.parametrize("language", [None, "JSONata"])
def test_failed_state_reports_its_error(language: str | None) -> None:
    bad = (
        {"Type": "Pass", "Output": "{% $states.input.missing.x + 1 %}"}
        if language
        else {"Type": "Pass", "InputPath": "$.missing"}
    )
    ex, log = observed(machine(("Bad", bad), language=language), {})
    assert ex.status == "FAILED"
    assert names(log, "Bad")[-1] == "error"
    assert values(log, "Bad")["error"]["Error"] == ex.error


def test_items_path_to_no_array_fails_with_aws_words() -> None:
    # AWS's words, as TestState recorded them (engine and TestState share the Map's reading).
    mapped = {"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": machine(("I", {"Type": "Pass"}))}
    ex, log = observed(machine(("Each", mapped)), {"xs": {"not": "a list"}})
    assert (ex.status, ex.error, ex.cause) == (
        "FAILED",
        "States.Runtime",
        'Reference path "$.xs" must point to array.',
    )
    assert names(log, "Each") == ["input", "afterInputPath", "error"]
