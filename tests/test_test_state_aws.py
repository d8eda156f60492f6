"""TestState against responses recorded on AWS.

Definitions, inputs and expected responses are copied from LocalStack's AWS-validated TestState
snapshots (tests/aws/services/stepfunctions/v2/test_state/*.snapshot.json, Apache-2.0); each case
names the LocalStack test it comes from. Values that are JSON text in the response are compared
parsed; the context object's ARNs and timestamps are not compared.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.integrations.teststate import TestStateValidationError

ROLE = "arn:aws:iam::111111111111:role/sfn-role"
VALUES = {"Values": ["first", "second", "third"]}
MOCK_ERROR = {"errorOutput": {"error": "MockException", "cause": "Mock the error cause."}}


def _lambda_task(**extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "QueryLanguage": "JSONata",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "foo", "Payload": "bar"},
        **extra,
    }


def _jsonata_map(**extra: Any) -> dict[str, Any]:
    """templates/test_state/statemachines/base_map_state*.json5"""
    return {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "Items": "{% $states.input.Values %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "TestState",
            "States": {"TestState": _lambda_task(End=True)},
        },
        "End": True,
        **extra,
    }


MAP_STATE_MACHINE = {  # base_map_state_machine.json5
    "StartAt": "State0",
    "States": {
        "State0": {
            "Type": "Map",
            "ItemsPath": "$.Values",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "HandleItem",
                "States": {"HandleItem": {"Type": "Pass", "End": True}},
            },
            "ToleratedFailureCount": 2,
            "End": True,
        }
    },
}
THRESHOLD = "States.ExceedToleratedFailureThreshold"
THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


def run(**params: Any) -> dict[str, Any]:
    response = sfn.test_state(roleArn=params.pop("roleArn", ROLE), **params)
    return _parsed(response)


def _parsed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _parsed(item) for key, item in value.items()}
    if isinstance(value, str) and value[:1] in '[{"':
        return json.loads(value)
    return value


def _without_context(response: dict[str, Any]) -> dict[str, Any]:
    output = response.get("output")
    if isinstance(output, dict):
        output.pop("context", None)
    return response


# test_state_configuration.py::test_map_state_failure_count[TRACE-BASE_MAP_STATE_RETRY]
def test_map_iteration_failures_over_tolerance_are_retried() -> None:
    definition = _jsonata_map(
        Retry=[
            {"ErrorEquals": ["MockException"], "MaxAttempts": 3},
            {"ErrorEquals": [THRESHOLD], "MaxAttempts": 2},
        ],
        ToleratedFailureCount=1,
    )
    common = {"definition": json.dumps(definition), "input": json.dumps(VALUES)}
    below = run(
        **common,
        inspectionLevel="TRACE",
        stateConfiguration={"mapIterationFailureCount": 0},
        mock={"result": "[1, 1, 1]"},
    )
    assert below == {
        "inspectionData": {"input": VALUES, "maxConcurrency": 0, "toleratedFailureCount": 1},
        "output": [1, 1, 1],
        "status": "SUCCEEDED",
    }
    exceeds = run(
        **common,
        inspectionLevel="TRACE",
        stateConfiguration={"mapIterationFailureCount": 2},
        mock={"result": "[0, 0, 1]"},
    )
    assert exceeds == {
        "cause": THRESHOLD_CAUSE,
        "error": THRESHOLD,
        "inspectionData": {
            "errorDetails": {"retryBackoffIntervalSeconds": 1, "retryIndex": 1},
            "input": VALUES,
            "maxConcurrency": 0,
            "toleratedFailureCount": 1,
        },
        "status": "RETRIABLE",
    }


# test_state_configuration.py::test_map_state_failure_count[DEBUG-BASE_MAP_STATE_CATCH]
def test_map_iteration_failures_over_tolerance_are_caught() -> None:
    definition = _jsonata_map(
        ToleratedFailureCount=1,
        Catch=[
            {
                "ErrorEquals": ["MockException"],
                "Output": "{% $states %}",
                "Next": "HandleMockError",
            },
            {"ErrorEquals": [THRESHOLD], "Output": "{% $states %}", "Next": "HandleThreshold"},
        ],
    )
    response = run(
        definition=json.dumps(definition),
        input=json.dumps(VALUES),
        inspectionLevel="DEBUG",
        stateConfiguration={"mapIterationFailureCount": 2},
        mock={"result": "[0, 0, 1]"},
    )
    assert _without_context(response) == {
        "cause": THRESHOLD_CAUSE,
        "error": THRESHOLD,
        "inspectionData": {
            "errorDetails": {"catchIndex": 1},
            "input": VALUES,
            "maxConcurrency": 0,
            "toleratedFailureCount": 1,
        },
        "nextState": "HandleThreshold",
        "output": {
            "input": VALUES,
            "errorOutput": {"Error": THRESHOLD, "Cause": THRESHOLD_CAUSE},
        },
        "status": "CAUGHT_ERROR",
    }


# test_state_configuration.py::test_map_state_failure_count[DEBUG-BASE_MAP_STATE]
def test_map_without_tolerance_does_not_judge_iteration_failures() -> None:
    response = run(
        definition=json.dumps(_jsonata_map(Output="{% $states %}")),
        input=json.dumps(VALUES),
        inspectionLevel="DEBUG",
        stateConfiguration={"mapIterationFailureCount": 2},
        mock={"result": "[0, 0, 1]"},
    )
    assert _without_context(response) == {
        "inspectionData": {"input": VALUES, "maxConcurrency": 0},
        "output": {"input": VALUES, "result": [0, 0, 1]},
        "status": "SUCCEEDED",
    }


# test_state_configuration.py::test_state_configuration_retrier_retry_count[TRACE]
def test_retrier_retry_count_backoff_and_exhaustion() -> None:
    retrier = {"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5}
    definition = _lambda_task(Retry=[{**retrier, "BackoffRate": 2.0}], End=True)
    mock = {"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}}
    stages = {"afterArguments": {"FunctionName": "foo", "Payload": "bar"}, "input": VALUES}
    common = {"definition": json.dumps(definition), "input": json.dumps(VALUES), "mock": mock}
    below = run(**common, inspectionLevel="TRACE", stateConfiguration={"retrierRetryCount": 4})
    assert below == {
        "cause": "Mock the cause of the error.",
        "error": "MockException",
        "inspectionData": {
            **stages,
            "errorDetails": {"retryBackoffIntervalSeconds": 16, "retryIndex": 0},
        },
        "status": "RETRIABLE",
    }
    exceeds = run(**common, inspectionLevel="TRACE", stateConfiguration={"retrierRetryCount": 5})
    assert exceeds == {
        "cause": "Mock the cause of the error.",
        "error": "MockException",
        "inspectionData": {**stages, "errorDetails": {"retryIndex": 0}},
        "status": "FAILED",
    }


# test_state_configuration.py::test_state_machine_with_state_error[TRACE]
def test_jsonpath_map_mocked_error_keeps_its_cause() -> None:
    response = run(
        stateName="State0",
        definition=json.dumps(MAP_STATE_MACHINE),
        input=json.dumps(VALUES),
        inspectionLevel="TRACE",
        stateConfiguration={"mapIterationFailureCount": 2, "errorCausedByState": "HandleItem"},
        mock=MOCK_ERROR,
    )
    assert response == {
        "cause": "Mock the error cause.",
        "error": "MockException",
        "inspectionData": {
            "afterInputPath": VALUES,
            "afterItemsPath": VALUES["Values"],
            "input": VALUES,
            "maxConcurrency": 0,
            "toleratedFailureCount": 2,
        },
        "status": "FAILED",
    }


STAGES = ("afterInputPath", "afterParameters", "afterResultPath", "afterResultSelector", "input")


# test_test_state_machine_scenarios.py::test_base_state_name[TRACE-BASE_MAP_STATE_MACHINE]
def test_state_inside_an_item_processor() -> None:
    hello = {"Value": "HelloWorld"}
    response = run(
        stateName="HandleItem",
        definition=json.dumps(MAP_STATE_MACHINE),
        input=json.dumps(hello),
        inspectionLevel="TRACE",
    )
    assert response == {
        "inspectionData": dict.fromkeys(STAGES, hello),
        "output": hello,
        "status": "SUCCEEDED",
    }


# test_test_state_machine_scenarios.py::test_base_state_name_validation_failures[dne]
def test_unknown_state_name() -> None:
    with pytest.raises(TestStateValidationError, match=r"^State not found in definition$"):
        run(stateName="dne", definition=json.dumps(MAP_STATE_MACHINE), input="{}")


# test_state_context_object.py::test_state_map_context_object[ALL] and [EXECUTION_INPUT]
@pytest.mark.parametrize(
    ("items_path", "cause"),
    [
        ("$$", 'Reference path "$" must point to array.'),
        ("$$.Execution.Input", 'Reference path "$.Execution.Input" must point to array.'),
    ],
)
def test_map_items_path_into_a_context_object_that_is_no_array(items_path: str, cause: str) -> None:
    definition = {
        "Type": "Map",
        "ItemsPath": items_path,
        "MaxConcurrency": 1,
        "ItemProcessor": {
            "StartAt": "HandleItem",
            "States": {"HandleItem": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    items = ["fire", "electricity", "grass"]
    response = run(
        definition=json.dumps(definition),
        input=json.dumps(items),
        inspectionLevel="TRACE",
        context=json.dumps(CONTEXT),
        mock={"result": json.dumps(["CHARIZARD", "PIKACHU", "BULBASAUR"])},
        roleArn=None,
    )
    assert response == {
        "cause": cause,
        "error": "States.Runtime",
        "inspectionData": {"afterInputPath": items, "input": items},
        "status": "FAILED",
    }


CONTEXT = {  # test_state_context_object.py: _CONTEXT_OBJECT_FULL
    "Execution": {
        "Id": "arn:aws:states:::execution:MyStateMachine:execution-name-12345",
        "Input": {"input-value": 0, "values": ["charizard", "pikachu", "bulbasaur"]},
        "Name": "execution-name-12345",
        "RoleArn": "arn:aws:iam:::role/StepFunctionsRole",
        "StartTime": "2025-01-15T10:30:00.000Z",
    },
    "State": {"EnteredTime": "2025-01-15T10:30:01.500Z", "Name": "MyTaskState", "RetryCount": 0},
    "StateMachine": {
        "Id": "arn:aws:states:::stateMachine:MyStateMachine",
        "Name": "MyStateMachine",
    },
}
CONTEXT_TASK = {  # context_object_result_selector.json5, with "$$" for the placeholder
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName.$": "$.FunctionName", "Payload": {"Input.$": "$"}},
    "ResultSelector": {"ContextObjectValue.$": "$$", "LambdaOutput.$": "$"},
    "End": True,
}


# test_state_context_object.py::test_state_context_object_edge_cases[EMPTY] and [EMPTY_OBJECTS]
@pytest.mark.parametrize("context", [{}, {"Execution": {}, "State": {}, "StateMachine": {}}])
def test_given_context_object_is_the_whole_context(context: dict[str, Any]) -> None:
    response = run(
        definition=json.dumps(CONTEXT_TASK),
        input=json.dumps({"FunctionName": "lambda_function_name", "Payload": {"input-value": 0}}),
        inspectionLevel="TRACE",
        context=json.dumps(context),
        mock={"result": json.dumps({"pokemon": "pikachu"})},
        roleArn=None,
    )
    assert response["status"] == "SUCCEEDED"
    assert response["output"] == {
        "ContextObjectValue": context,
        "LambdaOutput": {"pokemon": "pikachu"},
    }


# test_state_context_object.py::test_state_context_object_validation_failures and
# ::test_state_context_object_invalid_states[TOKEN_TASK_NOT_SYNC]
@pytest.mark.parametrize(
    ("context", "problem"),
    [
        ({"Execution": {"Id": 1}}, "Execution.Id must be a string"),
        ({"Map": {}}, "'Map' field is not supported when mocking a Context object"),
        ({"Execution": {"pokemon": "squirtle"}}, "Field 'pokemon' is not allowed"),
        ({"Pokedex": {}}, "Field 'Pokedex' is not allowed"),
        (
            {**CONTEXT, "Task": {"Token": "abcd123"}},
            "Context object contains 'Task' when state is not a Task state with a '.sync' or "
            "'.waitForTaskToken' service integration pattern",
        ),
    ],
)
def test_invalid_context_objects(context: dict[str, Any], problem: str) -> None:
    with pytest.raises(TestStateValidationError) as raised:
        run(
            definition=json.dumps(CONTEXT_TASK),
            input="{}",
            context=json.dumps(context),
            mock={"result": "{}"},
            roleArn=None,
        )
    assert str(raised.value) == f"Invalid Context object provided: {problem}"


# test_test_state_scenarios.py::test_state_with_variables[base_expressions]
def test_context_names_the_state_under_test_state_name() -> None:
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Next": "State0"},
            "State0": {
                "QueryLanguage": "JSONata",
                "Type": "Pass",
                "Output": {
                    "name": "{% $states.context.State.Name %}",
                    "v": "{% $var_constant_1 %}",
                },
                "End": True,
            },
        },
    }
    response = run(
        definition=json.dumps(definition),
        stateName="State0",
        input="{}",
        variables=json.dumps({"var_constant_1": 10}),
        roleArn=None,
    )
    assert response["output"] == {"name": "StateName", "v": 10}


# test_state_mock_validation.py::test_map_iteration_failure_count_without_mock and
# ::test_map_iteration_failure_count_exceeds_mock_result_items
def test_map_iteration_failure_count_validation() -> None:
    definition = json.dumps(_jsonata_map())
    with pytest.raises(
        TestStateValidationError,
        match=r"^TestState does not support MapIterationFailureCount when a mock is not "
        r"specified\.$",
    ):
        run(definition=definition, stateConfiguration={"mapIterationFailureCount": 0})
    with pytest.raises(
        TestStateValidationError,
        match=r"^Map iteration failure count must be less than or equal to the number of Map "
        r"iterations$",
    ):
        run(
            definition=definition,
            input=json.dumps({"Values": [1, 1, 1]}),
            stateConfiguration={"mapIterationFailureCount": 4},
            mock={"result": "[1, 1, 1]"},
        )


# test_field_validation_mode.py::test_strict_mode_aws_sdk_lambda_get_function_task
def test_mock_result_number_below_the_api_minimum() -> None:
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:lambda:getFunction",
        "Parameters": {"FunctionName.$": "$.FunctionName"},
        "End": True,
    }
    with pytest.raises(
        TestStateValidationError,
        match=r"^Mock result schema validation error: Field 'MemorySize' is less than the "
        r"minimum value$",
    ):
        run(
            definition=json.dumps(definition),
            input=json.dumps({"FunctionName": "function_name"}),
            mock={"result": json.dumps({"Configuration": {"MemorySize": 127}})},
            roleArn=None,
        )
