"""Definition checks as AWS words them, learnt from recordings beyond the public corpus
(LocalStack's AWS-validated snapshots under tests/aws/services/stepfunctions/v2/)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import sfn_notebook as sfn

PREFIX = "Invalid State Machine Definition: "


def _task(resource: str) -> dict[str, Any]:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True}}}


def test_an_invalid_intrinsic_is_reported_as_aws_words_it() -> None:
    # scenarios/test_base_scenarios.snapshot.json, test_illegal_escapes[...INTRINSIC_FUNCTION]:
    # AWS names what it expected and nothing more; our reason stays in the diagnostic's detail.
    call = """States.StringToJson('{"text":"An \\"escaped double quote\\" here"}')"""
    doc = {
        "StartAt": "IntrinsicEscape",
        "States": {
            "IntrinsicEscape": {"Type": "Pass", "Parameters": {"parsed.$": call}, "End": True}
        },
    }
    with pytest.raises(sfn.DefinitionError) as caught:
        sfn.run(doc)
    assert str(caught.value) == (
        PREFIX + "'SCHEMA_VALIDATION_FAILED: The value for the field 'parsed.$' must be a valid "
        "JSONPath or a valid intrinsic function call at /States/IntrinsicEscape/Parameters'"
    )
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.detail is not None and "escape" in diagnostic.detail
    assert "escape" in str(diagnostic)  # what a user reads still says why


def test_a_bad_path_names_the_field_and_keeps_the_reason_as_detail() -> None:
    doc = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a[", "End": True}}}
    (diagnostic,) = sfn.validate(doc)
    assert diagnostic.message == "The value for the field 'InputPath' must be a valid JSONPath"
    assert diagnostic.detail


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        # test_sfn_api_validation.snapshot.json, ..._type_express[ILLEGAL_WFTT] (note the space)
        (
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Express state machine does not support '.waitForTaskToken' service integration ",
        ),
        # test_sfn_api_express.snapshot.json, test_illegal_callbacks[SYNC]
        (
            "arn:aws:states:::states:startExecution.sync:2",
            "Express state machine does not support '.sync' service integration",
        ),
        # test_sfn_api_express.snapshot.json, test_illegal_activity_task
        (
            "arn:aws:states:us-east-1:111111111111:activity:work",
            "Express state machine does not support Activity ARN",
        ),
    ],
)
def test_express_machines_refuse_waiting_tasks(resource: str, message: str) -> None:
    doc = _task(resource)
    assert sfn.validate(doc) == []  # a STANDARD machine may hold them
    (diagnostic,) = sfn.validate(doc, state_machine_type="EXPRESS")
    assert (diagnostic.code, diagnostic.location) == (
        "SCHEMA_VALIDATION_FAILED",
        "/States/T/Resource",
    )
    assert diagnostic.message == message
    expected = f"{PREFIX}'SCHEMA_VALIDATION_FAILED: {message} at /States/T/Resource'"
    with pytest.raises(sfn.DefinitionError) as caught:
        sfn.run(doc, state_machine_type="EXPRESS")
    assert str(caught.value) == expected
    rt = sfn.Runtime(store=None)
    try:
        with pytest.raises(sfn.DefinitionError) as created:
            rt.create_state_machine(name="fast", definition=json.dumps(doc), type="EXPRESS")
        assert str(created.value) == expected
        rt.create_state_machine(name="slow", definition=json.dumps(doc))  # STANDARD: fine
    finally:
        rt.close()


def test_express_rules_reach_into_branches_and_inline_maps_only() -> None:
    inner = _task("arn:aws:states:::lambda:invoke.waitForTaskToken")
    child = {"StartAt": "C", "States": {"C": inner["States"]["T"]}}  # names are machine-wide
    doc = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [inner], "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    **child,
                },
                "End": True,
            },
        },
    }
    found = sfn.validate(doc, state_machine_type="EXPRESS")
    assert [d.location for d in found] == ["/States/P/Branches/0/States/T/Resource"]


def test_validate_state_machine_definition_responds_as_aws() -> None:
    # test_sfn_api_validation.snapshot.json: the response shape, a missing location for text that
    # is no JSON object, and result OK / FAIL.
    rt = sfn.Runtime(store=None)
    try:
        blank = rt.validate_state_machine_definition(definition=" ", type="STANDARD")
        assert blank == {
            "result": "FAIL",
            "diagnostics": [
                {
                    "severity": "ERROR",
                    "code": "SCHEMA_VALIDATION_FAILED",
                    "message": "Definition must be a valid JSON object",
                }
            ],
            "truncated": False,
        }
        empty = rt.validate_state_machine_definition(definition="{}")
        assert empty["diagnostics"] == [
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "These fields are required: [States, StartAt]",
                "location": "/",
            }
        ]
        ok = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        answer = rt.validate_state_machine_definition(definition=json.dumps(ok), type="EXPRESS")
        assert answer == {"result": "OK", "diagnostics": [], "truncated": False}
        waiting = json.dumps(_task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"))
        refused = rt.validate_state_machine_definition(definition=waiting, type="EXPRESS")
        assert refused["result"] == "FAIL"
        assert refused["diagnostics"][0]["location"] == "/States/T/Resource"
    finally:
        rt.close()


def test_validate_state_machine_definition_filters_warnings_by_severity() -> None:
    # A Pass Result that looks like a path is a warning: left out at the default severity.
    doc = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"a": "$.x"}, "End": True}}}
    rt = sfn.Runtime(store=None)
    try:
        quiet = rt.validate_state_machine_definition(definition=json.dumps(doc))
        loud = rt.validate_state_machine_definition(definition=json.dumps(doc), severity="WARNING")
    finally:
        rt.close()
    assert quiet == {"result": "OK", "diagnostics": [], "truncated": False}
    assert loud["result"] == "OK"
    assert [d["severity"] for d in loud["diagnostics"]] == ["WARNING"]
