"""The editor's completion catalog (``GET /sfn-notebook/api/catalog``) says what the engine does.

Every field listed is one the validator accepts in that object (and only in the query language
it names); every Resource listed is one a definition can use and the engine resolves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sfn_notebook as sfn
from sfn_notebook.expr.intrinsics import FUNCTIONS
from sfn_notebook.labext.catalog import catalog, not_local


def _codes(definition: dict[str, object]) -> list[str]:
    return [d.code for d in sfn.validate(json.dumps(definition)) if d.severity == "ERROR"]


def test_catalog_is_plain_json() -> None:
    data = catalog()
    assert json.loads(json.dumps(data)) == data


_SUCCEED = {"Type": "Succeed"}
_MINIMAL = {
    "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True},
    "Pass": {"Type": "Pass", "End": True},
    "Wait": {"Type": "Wait", "Seconds": 1, "End": True},
    "Choice": {
        "Type": "Choice",
        "Choices": [{"Condition": "{% true %}", "Next": "B"}],
        "Default": "B",
    },
    "Map": {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "X", "States": {"X": _SUCCEED}},
        "End": True,
    },
    "Parallel": {
        "Type": "Parallel",
        "Branches": [{"StartAt": "X", "States": {"X": _SUCCEED}}],
        "End": True,
    },
}


@pytest.mark.parametrize("state_type", sorted(_MINIMAL))
def test_fields_of_each_state_type_are_accepted_only_in_their_language(state_type: str) -> None:
    fields = catalog()["objects"][state_type]
    names = {f["name"] for f in fields}
    assert {"Type", "Comment", "InputPath", "Output"} <= names
    languages = {f["name"]: f.get("language") for f in fields}
    assert languages["InputPath"] == "JSONPath"
    assert languages["Output"] == "JSONata"
    assert languages.get("Arguments", "JSONata") == "JSONata"

    def findings(language: str, field: str, value: object) -> list[str]:
        machine = {
            "QueryLanguage": language,
            "StartAt": "A",
            "States": {"A": {**_MINIMAL[state_type], field: value}, "B": _SUCCEED},
        }
        found = sfn.validate(json.dumps(machine))
        return [f"{d.location} {d.message}" for d in found if d.severity == "ERROR"]

    # A field of the other query language is refused, naming it, as the catalog says.
    assert any("InputPath" in found for found in findings("JSONata", "InputPath", "$.a"))
    assert any("Output" in found for found in findings("JSONPath", "Output", "{% 1 %}"))
    assert not any("Output" in found for found in findings("JSONata", "Output", "{% 1 %}"))


def test_enum_values_come_from_the_validator() -> None:
    by_name = {f["name"]: f for f in catalog()["objects"]["Task"]}
    assert by_name["Type"]["values"] == [
        "Task",
        "Wait",
        "Pass",
        "Succeed",
        "Fail",
        "Choice",
        "Parallel",
        "Map",
    ]
    assert by_name["QueryLanguage"]["values"] == ["JSONPath", "JSONata"]
    assert by_name["Resource"]["required"] is True
    retrier = {f["name"]: f for f in catalog()["objects"]["Retrier"]}
    assert retrier["JitterStrategy"]["values"] == ["FULL", "NONE"]


def test_intrinsics_carry_their_arity() -> None:
    listed = {f["name"]: (f["min_args"], f["max_args"]) for f in catalog()["intrinsics"]}
    assert listed == {f.name: (f.min_args, f.max_args) for f in FUNCTIONS.values()}
    assert listed["States.Format"] == (1, None)
    assert listed["States.MathRandom"] == (2, 3)
    assert len(listed) == 18


def test_jsonata_extras_are_awss_and_not_the_removed_eval() -> None:
    names = {f["name"]: f["max_args"] for f in catalog()["jsonata_functions"]}
    assert names == {"partition": 2, "range": 3, "hash": 2, "random": 1, "uuid": 0, "parse": 1}


def test_every_listed_resource_runs_in_a_task() -> None:
    resources = [r["arn"] for r in catalog()["resources"]]
    assert len(resources) == len(set(resources))
    for arn in (
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::dynamodb:putItem",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::http:invoke",
        "arn:aws:states:::bedrock:invokeModel",
        "arn:aws:states:::ecs:runTask.sync",
    ):
        assert arn in resources
    # Actions that cannot run locally are left out; http:invoke cannot wait for a token.
    assert not set(not_local()) & set(resources)
    assert "arn:aws:states:::http:invoke.waitForTaskToken" not in resources
    for arn in resources:
        machine = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn, "End": True}}}
        assert _codes(machine) == [], arn


def test_the_front_end_tests_use_this_catalog() -> None:
    """labextension/test/complete.test.ts reads the catalog from a fixture; it must be current."""
    fixture = Path(__file__).resolve().parents[1] / "labextension/test/fixtures/catalog.json"
    assert json.loads(fixture.read_text()) == json.loads(json.dumps(catalog())), (
        "regenerate: python -c 'import json; from sfn_notebook.labext.catalog import catalog; "
        "print(json.dumps(catalog(), indent=1, sort_keys=True))' > " + str(fixture)
    )
