"""The Runtime's boto3-dialect API answering as AWS does, from recordings beyond the public corpus
(test_sfn_api.snapshot.json in LocalStack's AWS-validated snapshots)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import sfn_notebook as sfn

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


@pytest.fixture
def rt() -> Iterator[Any]:
    runtime = sfn.Runtime(store=None)
    yield runtime
    runtime.close()


@pytest.fixture
def arn(rt: Any) -> str:
    return str(rt.create_state_machine(name="api", definition=PASS)["stateMachineArn"])


@pytest.mark.parametrize(
    "call",
    [
        lambda rt: rt.describe_state_machine(stateMachineArn="not_a_valid_arn"),
        lambda rt: rt.list_executions(stateMachineArn="not_a_valid_arn"),
        lambda rt: rt.describe_execution(executionArn="not_a_valid_arn"),
        lambda rt: rt.get_execution_history(executionArn="not_a_valid_arn"),
    ],
)
def test_a_string_that_is_no_arn_is_an_invalid_prefix(rt: Any, call: Any) -> None:
    # test_describe_invalid_arn_sm, test_list_execution_invalid_arn,
    # test_describe_execution_invalid_arn, test_get_execution_history_invalid_arn
    with pytest.raises(rt.exceptions.InvalidArn) as caught:
        call(rt)
    assert str(caught.value) == "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"


def test_page_size_and_token_limits_are_aws_validation_errors(rt: Any, arn: str) -> None:
    # test_list_sms_pagination, test_list_executions_pagination
    with pytest.raises(rt.exceptions.ValidationException) as caught:
        rt.list_state_machines(maxResults=1001)
    assert str(caught.value) == (
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000"
    )
    token = "x" * 1025
    with pytest.raises(rt.exceptions.ValidationException) as caught:
        rt.list_state_machines(nextToken=token)
    assert str(caught.value) == (
        f"1 validation error detected: Value '{token}' at 'nextToken' failed to satisfy "
        "constraint: Member must have length less than or equal to 1024"
    )
    # ListExecutions allows longer tokens (3096): one of 1025 characters is just not ours.
    with pytest.raises(rt.exceptions.InvalidToken):
        rt.list_executions(stateMachineArn=arn, nextToken=token)
    token = "x" * 3097
    with pytest.raises(rt.exceptions.ValidationException) as caught:
        rt.list_executions(stateMachineArn=arn, nextToken=token)
    assert str(caught.value).endswith("Member must have length less than or equal to 3096")


def test_an_unknown_status_filter_lists_the_values_in_aws_order(rt: Any, arn: str) -> None:
    # test_state_machine_status_filter
    with pytest.raises(rt.exceptions.ValidationException) as caught:
        rt.list_executions(stateMachineArn=arn, statusFilter="succeeded")
    assert str(caught.value) == (
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy "
        "constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, "
        "PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
    )


def test_an_update_that_changes_nothing_is_refused(rt: Any, arn: str) -> None:
    # test_create_update_state_machine_base_update_none
    with pytest.raises(rt.exceptions.MissingRequiredParameter) as caught:
        rt.update_state_machine(stateMachineArn=arn)
    assert str(caught.value) == (
        "Either the definition, the role ARN, the LoggingConfiguration, or the "
        "TracingConfiguration must be specified"
    )


def test_describe_state_machine_for_execution(rt: Any, arn: str) -> None:
    # test_describe_state_machine_for_execution: the fields AWS returns
    started = rt.start_execution(stateMachineArn=arn, input="{}")
    described = rt.describe_state_machine_for_execution(executionArn=started["executionArn"])
    assert set(described) == {
        "stateMachineArn",
        "name",
        "definition",
        "roleArn",
        "updateDate",
        "loggingConfiguration",
        "tracingConfiguration",
        "encryptionConfiguration",  # in AWS's newer recordings (test_sfn_api_variable_references)
    }
    assert described["stateMachineArn"] == arn
    assert json.loads(described["definition"]) == json.loads(PASS)
    assert described["tracingConfiguration"] == {"enabled": False}
    assert rt.describe_state_machine(stateMachineArn=arn)["tracingConfiguration"] == {
        "enabled": False
    }


def test_start_sync_execution_marks_output_and_bills_the_duration() -> None:
    # express/test_express_sync.snapshot.json, test_base[BASE_RAISE_FAILURE]: a failed run still
    # says outputDetails.included; test_retry: billed by duration, rounded up to 100 ms.
    waits = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 7, "Next": "P"},
            "P": {"Type": "Pass", "End": True},
        },
    }
    fails = {
        "StartAt": "F",
        "States": {"F": {"Type": "Fail", "Error": "SomeFailure", "Cause": "c"}},
    }
    with sfn.Runtime(store=None, clock="virtual") as rt:
        slow = rt.create_state_machine(name="slow", type="EXPRESS", definition=json.dumps(waits))
        billed = rt.start_sync_execution(stateMachineArn=slow["stateMachineArn"], input="{}")
        bad = rt.create_state_machine(name="bad", type="EXPRESS", definition=json.dumps(fails))
        failed = rt.start_sync_execution(stateMachineArn=bad["stateMachineArn"], input="{}")
    assert billed["billingDetails"] == {
        "billedMemoryUsedInMB": 64,
        "billedDurationInMilliseconds": 7000,
    }
    assert failed["status"] == "FAILED" and "output" not in failed
    assert failed["outputDetails"] == {"included": True}
    assert failed["billingDetails"]["billedDurationInMilliseconds"] == 100


LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:flows:*"


def test_logging_configuration_is_kept_and_checked_as_aws_does(rt: Any) -> None:
    # test_sfn_api_logs.snapshot.json: test_logging_configuration, ..._incomplete_...,
    # test_invalid_logging_configuration, test_update_logging_configuration
    destination = [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}]
    config = {"level": "ALL", "includeExecutionData": True, "destinations": destination}
    arn = rt.create_state_machine(name="logged", definition=PASS, loggingConfiguration=config)[
        "stateMachineArn"
    ]
    assert rt.describe_state_machine(stateMachineArn=arn)["loggingConfiguration"] == config
    rt.update_state_machine(stateMachineArn=arn, loggingConfiguration={**config, "level": "FATAL"})
    described = rt.describe_state_machine(stateMachineArn=arn)["loggingConfiguration"]
    assert described["level"] == "FATAL" and described["destinations"] == destination
    empty = rt.create_state_machine(name="quiet", definition=PASS, loggingConfiguration={})
    assert rt.describe_state_machine(stateMachineArn=empty["stateMachineArn"])[
        "loggingConfiguration"
    ] == {"level": "OFF", "includeExecutionData": False}
    for bad in ({"level": "ERROR"}, {**config, "destinations": destination * 2}):
        with pytest.raises(rt.exceptions.InvalidLoggingConfiguration) as caught:
            rt.create_state_machine(name="bad", definition=PASS, loggingConfiguration=bad)
        assert str(caught.value) == (
            "Invalid Logging Configuration: Must specify exactly one Log Destination."
        )
