"""Rules learned from definitions AWS deploys in its public sample repositories.

AWS accepted every definition these tests quote (they are deployed samples); each test pins the
rule behind one that we used to reject or run differently, through the public API.
"""

from __future__ import annotations

from typing import Any

import pytest

import sfn_notebook as sfn

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:echo"


def echo(event: Any, context: Any) -> Any:
    return event


def errors(definition: Any) -> list[sfn.Diagnostic]:
    return [d for d in sfn.validate(definition) if d.severity == "ERROR"]


# Parameters is any JSON value: aws/amazon-states-language-service#83 (the service creates and
# runs state machines whose Parameters is a number, array, boolean, string or null) and
# localstack/localstack#6362 (AWS hands a Lambda `"Parameters": false` as the boolean false).
# Sample: aws-samples/serverless-patterns,
# eventbridge-pipes-sqs-to-lambda-with-stepfunction-enrichment/workflow/enrichment.asl.json
ENRICHMENT = {
    "StartAt": "Format result for target",
    "States": {
        "Format result for target": {
            "Type": "Pass",
            "End": True,
            "Parameters": [{"Item.$": "$.Item"}],
        }
    },
}


def test_parameters_may_be_an_array_and_its_objects_are_templates() -> None:
    assert errors(ENRICHMENT) == []
    ex = sfn.run(ENRICHMENT, {"Item": {"id": 7}})
    assert ex.status == "SUCCEEDED"
    assert ex.output == [{"Item": {"id": 7}}]


@pytest.mark.parametrize("value", [False, 3, "literal text", [1, "two"]])
def test_task_parameters_of_any_json_type_reach_the_function(value: Any) -> None:
    definition = {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": LAMBDA_ARN, "Parameters": value, "End": True}},
    }
    assert errors(definition) == []
    ex = sfn.run(definition, {"ignored": True}, functions={"echo": echo})
    assert ex.status == "SUCCEEDED"
    assert ex.output == value


def test_map_item_selector_may_be_an_array() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemSelector": ["item", {"value.$": "$$.Map.Item.Value"}],
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    assert errors(definition) == []
    assert sfn.run(definition, [1, 2]).output == [["item", {"value": 1}], ["item", {"value": 2}]]


def test_result_selector_must_still_be_an_object() -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "ResultSelector": [1], "End": True}
        },
    }
    found = errors(definition)
    assert [(d.code, d.location) for d in found] == [
        ("SCHEMA_VALIDATION_FAILED", "/States/T/ResultSelector")
    ]


# An unquoted word in a JSONPath filter is a string literal. Three AWS samples by different
# authors compare with one and rely on the match: aws-samples/step-functions-workflows-collection
# parallel-translate/statemachine/statemachine.asl.yaml (`$[?(@.TargetLanguageCode==es)]`) and
# textract-analyze-expense-tf (`$.Labels[?(@.Name==Receipt)]`), aws-samples/aws-stepfunctions-
# examples sam/app-dataquality-using-lambda (`$..QualityResults[?(@.constraint_status==Failure)]`,
# whose README has the failures it selects e-mailed); nibble-4bits/aws-local-stepfunctions#79
# reports the same of AWS.
TRANSLATE = {
    "StartAt": "Parse",
    "States": {
        "Parse": {
            "Type": "Pass",
            "Parameters": {
                "toSpanish.$": "$[?(@.TargetLanguageCode==es)].TranslatedText",
                "failures.$": "$..QualityResults[?(@.constraint_status==Failure)].check",
                "count.$": "$[?(@.n == 2 && @.TargetLanguageCode==fr)].n",
                "flagged.$": "$[?(@.flag==true)].TargetLanguageCode",
            },
            "End": True,
        }
    },
}


def test_unquoted_words_in_filters_are_strings() -> None:
    assert errors(TRANSLATE) == []
    items = [
        {"TargetLanguageCode": "es", "TranslatedText": "hola", "flag": True},
        {
            "TargetLanguageCode": "fr",
            "TranslatedText": "salut",
            "n": 2,
            "QualityResults": [
                {"constraint_status": "Failure", "check": "name"},
                {"constraint_status": "Success", "check": "id"},
            ],
        },
    ]
    ex = sfn.run(TRANSLATE, items)
    assert ex.status == "SUCCEEDED"
    assert ex.output == {
        "toSpanish": ["hola"],
        "failures": ["name"],
        "count": [2],
        "flagged": ["es"],  # true, false and null stay literals
    }
