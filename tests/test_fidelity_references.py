"""DescribeStateMachine's ``variableReferences`` as AWS computes them, from recordings beyond
the public corpus (test_sfn_api_variable_references.snapshot.json in LocalStack's
AWS-validated snapshots)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import sfn_notebook as sfn

NESTED = {  # BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE, as recorded
    "StartAt": "Input",
    "States": {
        "Input": {"Type": "Pass", "Result": [[9, 44, 6]], "Assign": {"bias": 4.3}, "Next": "It"},
        "It": {
            "Type": "Map",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "AssignCurrentVector",
                "States": {
                    "AssignCurrentVector": {
                        "Type": "Pass",
                        "Assign": {
                            "xCurrent.$": "$[0]",
                            "yCurrent.$": "$[1]",
                            "zCurrent.$": "$[2]",
                        },
                        "Next": "Summate",
                    },
                    "Summate": {
                        "Type": "Pass",
                        "Assign": {
                            "Sum.$": "States.MathAdd(States.MathAdd(States.MathAdd($yCurrent, "
                            "$xCurrent), $zCurrent), $bias)"
                        },
                        "End": True,
                    },
                },
            },
            "End": True,
        },
    },
}


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (NESTED, {"Summate": ["bias", "xCurrent", "yCurrent", "zCurrent"]}),
        (  # BASE_EVALUATION_ORDER_PASS_STATE: InputPath/OutputPath read, Assign literal
            {"StartAt": "S", "States": {"S": {"Type": "Pass", "InputPath": "$answer",
             "ResultPath": "$.theAnswer", "OutputPath": "$answer", "Assign": {"answer": "x"},
             "End": True}}},
            {"S": ["answer"]},
        ),
        (  # MAP_STATE_REFERENCE_IN_ITEM_SELECTOR: "$bucket" without ".$" is text
            {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemSelector": {
             "value.$": "$$.Map.Item.Value", "bucketName": "$bucket"}, "ItemProcessor": {
             "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}},
            {},
        ),
        (  # BASE_REFERENCE_IN_CHOICE
            {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$guess",
             "NumericEqualsPath": "$answer", "Next": "D"}], "Default": "D"},
             "D": {"Type": "Succeed"}}},
            {"C": ["answer", "guess"]},
        ),
        (  # CHOICE_STATE_UNSORTED_CHOICE_PARAMETERS_JSONATA: $states and functions are not
            {"StartAt": "C", "States": {"C": {"Type": "Choice", "QueryLanguage": "JSONata",
             "Choices": [{"Condition": "{% $not($states.input.done) %}", "Next": "D"}],
             "Default": "D"}, "D": {"Type": "Succeed"}}},
            {},
        ),
    ],
)  # fmt: skip
def test_variable_references(definition: dict[str, Any], expected: dict[str, Any]) -> None:
    with sfn.Runtime(store=None) as rt:
        arn = rt.create_state_machine(name="refs", definition=json.dumps(definition))[
            "stateMachineArn"
        ]
        described = rt.describe_state_machine(stateMachineArn=arn)
    assert described.get("variableReferences", {}) == expected
    assert ("variableReferences" in described) == bool(expected)  # absent when there are none
    assert described["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}


def test_jsonata_reads_variables_but_not_its_own_bindings() -> None:
    text = "{% ($total := $sum($items); $map($items, function($v) { $v * $rate })) %}"
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": text, "End": True}},
    }
    with sfn.Runtime(store=None) as rt:
        arn = rt.create_state_machine(name="j", definition=json.dumps(definition))[
            "stateMachineArn"
        ]
        described = rt.describe_state_machine(stateMachineArn=arn)
    assert described["variableReferences"] == {"P": ["items", "rate"]}
