"""TestState as AWS answers it, from recordings beyond those tests/test_test_state_aws.py mined
(test_state/test_test_state_scenarios.snapshot.json in LocalStack's AWS-validated snapshots)."""

from __future__ import annotations

import json

import pytest

import sfn_notebook as sfn

ROLE = "arn:aws:iam::111111111111:role/sfn-role"
FAIL = {
    "Type": "Fail",
    "Error": "SomeFailure",
    "Cause": "This state machines raises a 'SomeFailure' failure.",
}


@pytest.mark.parametrize("level", ["DEBUG", "TRACE"])
def test_a_fail_state_shows_its_input_after_input_path(level: str) -> None:
    # test_base_inspection_level_debug[BASE_FAIL_STATE] / ..._trace[BASE_FAIL_STATE]: a Fail
    # state has no InputPath field, yet AWS lists the stage, holding the input unchanged.
    with sfn.Runtime(store=None) as rt:
        response = rt.test_state(
            definition=json.dumps(FAIL),
            roleArn=ROLE,
            input=json.dumps({"Value": "HelloWorld"}),
            inspectionLevel=level,
        )
    assert response["status"] == "FAILED"
    assert (response["error"], response["cause"]) == (FAIL["Error"], FAIL["Cause"])
    assert response["inspectionData"] == {
        "input": '{"Value":"HelloWorld"}',
        "afterInputPath": '{"Value":"HelloWorld"}',
    }


def test_at_info_level_a_fail_state_shows_no_inspection_data() -> None:
    # test_base_inspection_level_info[BASE_FAIL_STATE]
    with sfn.Runtime(store=None) as rt:
        response = rt.test_state(definition=json.dumps(FAIL), roleArn=ROLE, input="{}")
    assert "inspectionData" not in response
    assert response["status"] == "FAILED"
