"""The validator: every diagnostic code, asserted by code and location (not wording).

The last test replays the conformance corpus recorded on AWS: definitions AWS rejected must get
an ERROR with AWS's code and location, every other definition must get none.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from sfn_notebook.asl import schema
from sfn_notebook.asl.validate import format_definition_error, validate_document
from sfn_notebook.errors import Diagnostic

SCHEMA = "SCHEMA_VALIDATION_FAILED"
TARGET = "MISSING_TRANSITION_TARGET"
LAMBDA = "arn:aws:states:::lambda:invoke"
CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance"

# A minimal valid state of each type, per query language. Choice states go to "Done".
PROCESSOR = {"StartAt": "M", "States": {"M": {"Type": "Pass", "End": True}}}
VALID: dict[str, dict[str, Any]] = {
    "Pass": {"Type": "Pass", "End": True},
    "Task": {"Type": "Task", "Resource": LAMBDA, "End": True},
    "Choice": {
        "Type": "Choice",
        "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Done"}],
        "Default": "Done",
    },
    "Wait": {"Type": "Wait", "Seconds": 1, "End": True},
    "Succeed": {"Type": "Succeed"},
    "Fail": {"Type": "Fail", "Error": "E", "Cause": "C"},
    "Parallel": {"Type": "Parallel", "Branches": [PROCESSOR], "End": True},
    "Map": {"Type": "Map", "ItemProcessor": PROCESSOR, "End": True},
}
VALID_JSONATA = {
    **VALID,
    "Choice": {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $states.input.x %}", "Next": "Done"}],
        "Default": "Done",
    },
}


def single(state: dict[str, Any], language: str = "JSONPath") -> dict[str, Any]:
    """A machine starting at state "S" (plus "Done" for a Choice) in ``language``."""
    states = {"S": state}
    if state.get("Type") == "Choice":
        states["Done"] = {"Type": "Succeed"}
    return {"QueryLanguage": language, "StartAt": "S", "States": states}


def with_fields(kind: str, language: str = "JSONPath", **fields: Any) -> dict[str, Any]:
    base = copy.deepcopy((VALID_JSONATA if language == "JSONata" else VALID)[kind])
    for name, value in fields.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    return single(base, language)


def found(doc: Any, severity: str = "ERROR") -> set[tuple[str, str]]:
    return {(d.code, d.location) for d in validate_document(doc) if d.severity == severity}


def only(doc: Any) -> Diagnostic:
    errors = [d for d in validate_document(doc) if d.severity == "ERROR"]
    assert len(errors) == 1, errors
    return errors[0]


# -- valid definitions ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
@pytest.mark.parametrize("kind", schema.STATE_TYPES)
def test_minimal_state_of_each_type_is_valid(kind: str, language: str) -> None:
    assert found(with_fields(kind, language)) == set()


# fmt: off
RICH: dict[str, Any] = {
    "Comment": "all of it", "Version": "1.0", "TimeoutSeconds": 60, "StartAt": "Load",
    "States": {
        "Load": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:load",
            "Parameters": {"id.$": "$.id", "n.$": "States.MathAdd($.n, 1)", "k": "v"},
            "ResultSelector": {"body.$": "$.Payload"}, "ResultPath": "$.loaded",
            "TimeoutSeconds": 30, "HeartbeatSeconds": 10,
            "Retry": [
                {"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 0},
                {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1.5,
                 "MaxDelaySeconds": 5, "JitterStrategy": "FULL"},
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.e"}],
            "Assign": {"count.$": "$.n"}, "Next": "Route",
        },
        "Route": {
            "Type": "Choice", "Default": "Later",
            "Choices": [{"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
                                 {"Not": {"Variable": "$.b", "StringEqualsPath": "$.c"}}],
                         "Next": "Fan"}],
        },
        "Later": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00+01:00", "Next": "Fan"},
        "Fan": {"Type": "Parallel", "Branches": [PROCESSOR], "Next": "Each"},
        "Each": {
            "Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"item.$": "$$.Map.Item.Value"},
            "MaxConcurrency": 2, "ToleratedFailurePercentage": 10, "Next": "Done",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "Two", "States": {"Two": {"Type": "Succeed"}},
            },
        },
        "Done": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $count %}", "End": True},
        "Failed": {"Type": "Fail", "ErrorPath": "$.e.Error",
                   "CausePath": "States.Format('{}', $.e.Cause)"},
    },
}
# fmt: on


def test_a_rich_definition_is_valid() -> None:
    assert found(RICH) == set()


def test_fail_state_may_have_neither_error_nor_cause() -> None:
    assert found(single({"Type": "Fail"})) == set()


def test_jsonpath_state_in_jsonata_machine_is_refused_but_not_the_reverse() -> None:
    jsonpath_state = single({"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}, "JSONata")
    jsonata_state = single({"Type": "Pass", "QueryLanguage": "JSONata", "Output": 1, "End": True})
    assert found(jsonpath_state) == {(SCHEMA, "/States/S")}
    assert found(jsonata_state) == set()


# -- SCHEMA_VALIDATION_FAILED ----------------------------------------------------------------------

S = "/States/S"
CONFIG = f"{S}/ItemProcessor/ProcessorConfig"


def map_config(**config: str) -> dict[str, Any]:
    return with_fields("Map", ItemProcessor={**PROCESSOR, "ProcessorConfig": config})


# fmt: off
SCHEMA_CASES: list[tuple[str, Any, str]] = [
    ("not an object", [1, 2], ""),  # AWS gives no location (test_sfn_api_validation)
    ("missing States", {"StartAt": "A"}, "/"),
    ("unknown top-level field", {**single(VALID["Pass"]), "Extra": 1}, "/"),
    ("Version", {**single(VALID["Pass"]), "Version": "2.0"}, "/Version"),
    ("machine TimeoutSeconds", {**single(VALID["Pass"]), "TimeoutSeconds": 0}, "/TimeoutSeconds"),
    ("QueryLanguage value", {**single(VALID["Pass"]), "QueryLanguage": "XPath"}, "/QueryLanguage"),
    ("state QueryLanguage", with_fields("Pass", QueryLanguage="XPath"), f"{S}/QueryLanguage"),
    ("unknown Type", with_fields("Pass", Type="Pas"), f"{S}/Type"),
    ("missing Type", single({"End": True}), S),
    ("state not an object", {"StartAt": "S", "States": {"S": 1}}, S),
    ("Task without Resource", with_fields("Task", Resource=None), S),
    ("Resource not an ARN", with_fields("Task", Resource="my-function"), f"{S}/Resource"),
    ("Choice without Choices", with_fields("Choice", Choices=None), S),
    ("empty Choices", with_fields("Choice", Choices=[]), f"{S}/Choices"),
    ("Parallel without Branches", with_fields("Parallel", Branches=None), S),
    ("empty Branches", with_fields("Parallel", Branches=[]), f"{S}/Branches"),
    ("Map without processor", with_fields("Map", ItemProcessor=None), S),
    ("Iterator and ItemProcessor", with_fields("Map", Iterator=PROCESSOR), S),
    ("neither Next nor End", with_fields("Pass", End=None), S),
    ("End false", with_fields("Pass", End=False), S),
    ("Next and End", with_fields("Pass", Next="S"), S),
    ("End not boolean", with_fields("Pass", End="true"), f"{S}/End"),
    ("Succeed with Next", with_fields("Succeed", Next="S"), S),
    ("Fail with Next", with_fields("Fail", Next="S"), S),
    ("Choice with End", with_fields("Choice", End=True), S),
    ("Comment type", with_fields("Pass", Comment=5), f"{S}/Comment"),
    ("TimeoutSeconds string", with_fields("Task", TimeoutSeconds="10"), f"{S}/TimeoutSeconds"),
    ("TimeoutSeconds zero", with_fields("Task", TimeoutSeconds=0), f"{S}/TimeoutSeconds"),
    ("HeartbeatSeconds float", with_fields("Task", HeartbeatSeconds=1.5), f"{S}/HeartbeatSeconds"),
    ("heartbeat not below timeout",
     with_fields("Task", TimeoutSeconds=10, HeartbeatSeconds=10), f"{S}/HeartbeatSeconds"),
    ("TimeoutSeconds and Path", with_fields("Task", TimeoutSeconds=1, TimeoutSecondsPath="$.t"), S),
    ("HeartbeatSeconds and Path",
     with_fields("Task", HeartbeatSeconds=1, HeartbeatSecondsPath="$.h"), S),
    ("Wait without duration", with_fields("Wait", Seconds=None), S),
    ("Wait Seconds and Timestamp", with_fields("Wait", Timestamp="2016-03-14T01:59:00Z"), S),
    ("Wait SecondsPath and Seconds", with_fields("Wait", SecondsPath="$.s"), S),
    ("Wait negative Seconds", with_fields("Wait", Seconds=-1), f"{S}/Seconds"),
    ("Timestamp not RFC3339",
     with_fields("Wait", Seconds=None, Timestamp="2016-03-14 01:59:00Z"), f"{S}/Timestamp"),
    ("Timestamp lowercase t",
     with_fields("Wait", Seconds=None, Timestamp="2016-03-14t01:59:00Z"), f"{S}/Timestamp"),
    ("Timestamp bad day",
     with_fields("Wait", Seconds=None, Timestamp="2016-02-30T01:59:00Z"), f"{S}/Timestamp"),
    ("Error and ErrorPath", with_fields("Fail", ErrorPath="$.e"), S),
    ("Cause and CausePath", with_fields("Fail", CausePath="$.c"), S),
    ("Parameters and ItemSelector",
     with_fields("Map", Parameters={"a": 1}, ItemSelector={"a": 1}), S),
    ("MaxConcurrency and Path", with_fields("Map", MaxConcurrency=1, MaxConcurrencyPath="$.m"), S),
    ("MaxConcurrency negative", with_fields("Map", MaxConcurrency=-1), f"{S}/MaxConcurrency"),
    ("ToleratedFailureCount and Path",
     with_fields("Map", ToleratedFailureCount=1, ToleratedFailureCountPath="$.c"), S),
    ("ToleratedFailurePercentage and Path",
     with_fields("Map", ToleratedFailurePercentage=1, ToleratedFailurePercentagePath="$.p"), S),
    ("ToleratedFailurePercentage over 100",
     with_fields("Map", ToleratedFailurePercentage=101), f"{S}/ToleratedFailurePercentage"),
    ("ProcessorConfig Mode", map_config(Mode="FAST"), f"{CONFIG}/Mode"),
    ("ProcessorConfig ExecutionType",
     map_config(Mode="DISTRIBUTED", ExecutionType="QUICK"), f"{CONFIG}/ExecutionType"),
    ("DISTRIBUTED without ExecutionType", map_config(Mode="DISTRIBUTED"), CONFIG),
    ("unknown field in a branch",
     with_fields("Parallel", Branches=[{**PROCESSOR, "QueryLanguage": "JSONata"}]),
     f"{S}/Branches/0"),
    ("Credentials without RoleArn", with_fields("Task", Credentials={}), f"{S}/Credentials"),
    ("Assign not an object", with_fields("Pass", Assign=[1]), f"{S}/Assign"),
]
# fmt: on


@pytest.mark.parametrize(
    ("doc", "location"), [c[1:] for c in SCHEMA_CASES], ids=[c[0] for c in SCHEMA_CASES]
)
def test_schema_validation_failed(doc: Any, location: str) -> None:
    assert (SCHEMA, location) in found(doc)


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
@pytest.mark.parametrize("kind", schema.STATE_TYPES)
def test_unknown_field_in_each_state_type(kind: str, language: str) -> None:
    assert found(with_fields(kind, language, Bogus=1)) == {(SCHEMA, S)}


JSONPATH_ONLY = [
    ("Pass", "InputPath", "$"),
    ("Pass", "OutputPath", "$"),
    ("Pass", "Parameters", {}),
    ("Pass", "ResultPath", "$"),
    ("Pass", "Result", 1),
    ("Task", "ResultSelector", {}),
    ("Map", "ItemsPath", "$"),
    ("Wait", "SecondsPath", "$.s"),
    ("Fail", "ErrorPath", "$.e"),
    ("Task", "TimeoutSecondsPath", "$.t"),
    ("Map", "MaxConcurrencyPath", "$.m"),
]
JSONATA_ONLY = [("Pass", "Output", 1), ("Task", "Arguments", {}), ("Map", "Items", [1])]


@pytest.mark.parametrize(("kind", "name", "value"), JSONPATH_ONLY)
def test_jsonpath_only_fields_are_refused_in_jsonata_states(
    kind: str, name: str, value: Any
) -> None:
    doc = with_fields(kind, "JSONata", **{name: value})
    if name == "SecondsPath":
        doc["States"]["S"].pop("Seconds")
    assert (SCHEMA, S) in found(doc)


@pytest.mark.parametrize(("kind", "name", "value"), JSONATA_ONLY)
def test_jsonata_only_fields_are_refused_in_jsonpath_states(
    kind: str, name: str, value: Any
) -> None:
    assert (SCHEMA, S) in found(with_fields(kind, **{name: value}))


def test_condition_is_refused_in_a_jsonpath_choice_rule() -> None:
    rule = {"Condition": "{% true %}", "Next": "Done"}
    assert (SCHEMA, f"{S}/Choices/0") in found(with_fields("Choice", Choices=[rule]))


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
def test_assign_is_valid_in_both_languages(language: str) -> None:
    assert found(with_fields("Pass", language, Assign={"x": 1})) == set()


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
def test_jsonata_expressions_replace_literals_only_in_jsonata(language: str) -> None:
    doc = with_fields("Wait", language, Seconds="{% 1 %}")
    expected = set() if language == "JSONata" else {(SCHEMA, f"{S}/Seconds")}
    assert found(doc) == expected


def test_wait_timestamp_message_is_aws_s() -> None:
    doc = with_fields("Wait", Seconds=None, Timestamp="{% '2016-03-14T01:59:00Z' %}")
    assert only(doc).message == "String does not match RFC3339 timestamp"


# -- Retry / Catch -----------------------------------------------------------------------------

R = f"{S}/Retry/0"
RETRY_CASES = [
    ({"ErrorEquals": ["E"], "MaxAttempts": -1}, f"{R}/MaxAttempts"),
    ({"ErrorEquals": ["E"], "IntervalSeconds": 0}, f"{R}/IntervalSeconds"),
    ({"ErrorEquals": ["E"], "BackoffRate": 0.5}, f"{R}/BackoffRate"),
    ({"ErrorEquals": ["E"], "MaxDelaySeconds": 0}, f"{R}/MaxDelaySeconds"),
    ({"ErrorEquals": ["E"], "JitterStrategy": "HALF"}, f"{R}/JitterStrategy"),
    ({"ErrorEquals": []}, f"{R}/ErrorEquals"),
    ({"MaxAttempts": 1}, R),
    ({"ErrorEquals": ["E"], "Next": "S"}, R),
    ({"ErrorEquals": ["States.ALL", "E"]}, f"{R}/ErrorEquals"),
]


@pytest.mark.parametrize(("retrier", "location"), RETRY_CASES)
def test_retrier_values(retrier: dict[str, Any], location: str) -> None:
    assert found(with_fields("Task", Retry=[retrier])) == {(SCHEMA, location)}


def test_states_all_must_be_the_last_retrier_and_catcher() -> None:
    everything = {"ErrorEquals": ["States.ALL"]}
    doc = with_fields(
        "Task",
        Retry=[everything, {"ErrorEquals": ["E"]}],
        Catch=[{**everything, "Next": "S"}, {"ErrorEquals": ["E"], "Next": "S"}],
    )
    assert found(doc) == {(SCHEMA, f"{R}/ErrorEquals"), (SCHEMA, f"{S}/Catch/0/ErrorEquals")}


def test_catcher_needs_next_and_a_reference_result_path() -> None:
    doc = with_fields(
        "Task",
        Catch=[{"ErrorEquals": ["E"]}, {"ErrorEquals": ["E"], "Next": "S", "ResultPath": "$.a[*]"}],
    )
    assert found(doc) == {(SCHEMA, f"{S}/Catch/0"), (SCHEMA, f"{S}/Catch/1/ResultPath")}


# -- Choice rules ------------------------------------------------------------------------------

C = f"{S}/Choices/0"
NEXT = {"Next": "Done"}
# fmt: off
CHOICE_CASES = [
    ("no operator", {"Variable": "$.x", **NEXT}, C),
    ("two operators", {"Variable": "$.x", "IsNull": True, "IsPresent": True, **NEXT}, C),
    ("no Variable", {"StringEquals": "a", **NEXT}, C),
    ("no Next", {"Variable": "$.x", "IsNull": True}, C),
    ("operand type", {"Variable": "$.x", "NumericEquals": "1", **NEXT}, f"{C}/NumericEquals"),
    ("Next in And", {"And": [{"Variable": "$.x", "IsNull": True, **NEXT}], **NEXT}, f"{C}/And/0"),
    ("Next in Not", {"Not": {"Variable": "$.x", "IsNull": True, **NEXT}, **NEXT}, f"{C}/Not"),
    ("operator in Not missing", {"Not": {"Variable": "$.x"}, **NEXT}, f"{C}/Not"),
    ("bad Variable", {"Variable": "x", "IsNull": True, **NEXT}, f"{C}/Variable"),
    ("bad ...Path operand",
     {"Variable": "$.x", "StringEqualsPath": "$.[", **NEXT}, f"{C}/StringEqualsPath"),
]
# fmt: on


@pytest.mark.parametrize(
    ("rule", "location"), [c[1:] for c in CHOICE_CASES], ids=[c[0] for c in CHOICE_CASES]
)
def test_choice_rules(rule: dict[str, Any], location: str) -> None:
    assert (SCHEMA, location) in found(with_fields("Choice", Choices=[rule]))


# -- expressions -------------------------------------------------------------------------------


def test_malformed_jsonpath() -> None:
    diagnostic = only(with_fields("Pass", InputPath="$.a["))
    assert (diagnostic.code, diagnostic.location) == (SCHEMA, f"{S}/InputPath")
    assert diagnostic.column == 4 and diagnostic.snippet == "$.a["


@pytest.mark.parametrize("path", ["$$.Execution.Input", "$.a[*]", "$..a", "$x"])
def test_result_path_must_be_a_reference_path(path: str) -> None:
    assert found(with_fields("Pass", ResultPath=path)) == {(SCHEMA, f"{S}/ResultPath")}


@pytest.mark.parametrize(
    "call",
    ["States.Format('{}', $.a", "States.ArrayLength($.a, $.b)", "States.NoSuchThing($.a)"],
)
def test_malformed_intrinsic_reports_its_column(call: str) -> None:
    diagnostic = only(with_fields("Pass", Parameters={"x": {"y.$": call}}))
    assert (diagnostic.code, diagnostic.location) == (SCHEMA, f"{S}/Parameters/x")
    assert diagnostic.snippet == call
    assert diagnostic.column is not None and 1 <= diagnostic.column <= len(call) + 1


def test_unterminated_intrinsic_points_past_its_end() -> None:
    call = "States.Format('{}', $.a"
    assert only(with_fields("Pass", Parameters={"x.$": call})).column == len(call) + 1


def test_dollar_key_needs_a_path_or_intrinsic() -> None:
    assert found(with_fields("Pass", Parameters={"a.$": "hello", "b.$": 3})) == {
        (SCHEMA, f"{S}/Parameters")
    }


def test_jsonata_syntax_error_reports_its_column() -> None:
    text = "{% $states.input.a[1,2) %}"
    diagnostic = only(with_fields("Pass", "JSONata", Output={"v": [text]}))
    assert diagnostic.code == "INVALID_JSONATA_EXPRESSION"
    assert diagnostic.location == f"{S}/Output/v/0"
    assert diagnostic.snippet == text and diagnostic.column is not None


def test_aws_recorded_illegal_escape_in_an_intrinsic() -> None:
    # Recorded on AWS (LocalStack's escape_sequences_illegal_intrinsic_function snapshot).
    call = """States.StringToJson('{"text":"An \\"escaped double quote\\" here"}')"""
    doc = {"StartAt": "IntrinsicEscape", "States": {"IntrinsicEscape": {
        "Type": "Pass", "Parameters": {"parsed.$": call}, "End": True}}}  # fmt: skip
    diagnostic = only(doc)
    assert (diagnostic.code, diagnostic.location) == (SCHEMA, "/States/IntrinsicEscape/Parameters")
    assert diagnostic.message.startswith(
        "The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic "
        "function call"
    )


def test_jsonata_choice_rules_and_catchers() -> None:
    rule = {"Variable": "$.x", "IsNull": True, "Next": "Done"}
    assert found(with_fields("Choice", "JSONata", Choices=[rule])) == {(SCHEMA, f"{S}/Choices/0")}
    bad = {"Condition": "{% $states.input.x = %}", "Next": "Done"}
    assert found(with_fields("Choice", "JSONata", Choices=[bad])) == {
        ("INVALID_JSONATA_EXPRESSION", f"{S}/Choices/0/Condition")
    }
    catcher = {"ErrorEquals": ["States.ALL"], "Next": "S", "Output": {"e": "{% $x + %}"}}
    assert found(with_fields("Task", "JSONata", Catch=[catcher])) == {
        ("INVALID_JSONATA_EXPRESSION", f"{S}/Catch/0/Output/e")
    }


def test_jsonata_is_not_compiled_in_jsonpath_states() -> None:
    assert found(with_fields("Pass", Result="{% 1 + %}")) == set()


# -- the transition graph ------------------------------------------------------------------------


def test_missing_transition_targets() -> None:
    doc = {
        "StartAt": "Nowhere",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "D"}],
                "Default": "E",
            },
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "End": True,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
            },
        },
    }
    assert found(doc) == {
        (TARGET, "/StartAt"),
        (TARGET, "/States/A/Next"),
        (TARGET, "/States/C/Choices/0/Next"),
        (TARGET, "/States/C/Default"),
        (TARGET, "/States/T/Catch/0/Next"),
    }


def test_unreachable_states_and_branch_scopes() -> None:
    branch = {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Next": "A"}}}
    doc = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Parallel", "Branches": [branch], "End": True},
            "Lost": {"Type": "Succeed"},
        },
    }
    assert found(doc) == {
        (TARGET, "/States/A/Branches/0/States/B1/Next"),  # a branch cannot leave its scope
        ("MISSING_END_STATE", "/States/A/Branches/0"),
        (TARGET, "/States/Lost"),
    }


def test_missing_end_state() -> None:
    doc = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}},
    }
    assert found(doc) == {("MISSING_END_STATE", "")}


def test_duplicate_state_names_anywhere_in_the_nesting() -> None:
    inner = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    doc = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Parallel", "Branches": [inner], "Next": "M"},
            "M": {"Type": "Map", "ItemProcessor": inner, "End": True},
        },
    }
    assert found(doc) == {
        ("DUPLICATE_STATE_NAME", "/States/A/Branches/0/States/A"),
        ("DUPLICATE_STATE_NAME", "/States/M/ItemProcessor/States/A"),
    }


def test_state_name_longer_than_80_characters() -> None:
    name = "n" * 81
    doc = {"StartAt": name, "States": {name: {"Type": "Succeed"}}}
    assert found(doc) == {("INVALID_STATE_NAME", f"/States/{name}")}
    assert found({"StartAt": name[1:], "States": {name[1:]: {"Type": "Succeed"}}}) == set()


def test_too_deeply_nested(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "MAX_NESTING_DEPTH", 2)
    machine: dict[str, Any] = {"StartAt": "L3", "States": {"L3": {"Type": "Succeed"}}}
    for level in (2, 1, 0):
        state = {"Type": "Parallel", "Branches": [machine], "End": True}
        machine = {"StartAt": f"L{level}", "States": {f"L{level}": state}}
    location = "/States/L0/Branches/0/States/L1/Branches/0/States/L2/Branches/0"
    assert found(machine) == {("TOO_DEEPLY_NESTED", location)}


def test_json_pointers_are_escaped() -> None:
    doc = {
        "StartAt": "a/b~c",
        "States": {"a/b~c": {"Type": "Pass", "Next": "?"}, "x~": VALID["Pass"]},
    }
    assert found(doc) == {(TARGET, "/States/a~1b~0c/Next"), (TARGET, "/States/x~0")}


def test_every_finding_is_collected() -> None:
    doc = {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Next": "Z", "Bogus": 1, "TimeoutSeconds": -5}},
        "Extra": True,
    }
    assert found(doc) >= {
        (SCHEMA, "/"),
        (SCHEMA, "/States/A"),
        (SCHEMA, "/States/A/TimeoutSeconds"),
        (TARGET, "/States/A/Next"),
        ("MISSING_END_STATE", ""),
    }


# -- warnings -----------------------------------------------------------------------------------


def test_no_dollar_warning() -> None:
    doc = with_fields("Pass", Parameters={"a": {"b": "$.x", "c": "States.UUID()", "d": "$5"}})
    assert found(doc, "WARNING") == {
        ("NO_DOLLAR", f"{S}/Parameters/a/b"),
        ("NO_DOLLAR", f"{S}/Parameters/a/c"),
    }
    assert found(doc) == set()


def test_no_path_warning() -> None:
    doc = with_fields("Fail", Error="$.error")
    assert found(doc, "WARNING") == {("NO_PATH", f"{S}/Error")}
    assert found(doc) == set()


def test_pass_result_is_static_warning() -> None:
    doc = with_fields("Pass", Result={"a": {"b.$": "$.x"}})
    assert found(doc, "WARNING") == {("PASS_RESULT_IS_STATIC", f"{S}/Result")}
    assert found(doc) == set()


# -- the CreateStateMachine message --------------------------------------------------------------


def test_format_definition_error_joins_errors_and_leaves_warnings_out() -> None:
    diagnostics = [
        Diagnostic("ERROR", TARGET, "Missing 'Next' target: pass3", "/States/pass1/Next"),
        Diagnostic("WARNING", "NO_PATH", "looks like a path", "/States/F/Error"),
        Diagnostic("ERROR", TARGET, 'State "pass2" is not reachable.', "/States/pass2"),
    ]
    assert format_definition_error(diagnostics) == (
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: "
        'pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not '
        "reachable. at /States/pass2'"
    )


def test_format_definition_error_for_a_definition_without_states() -> None:
    assert format_definition_error(validate_document({"StartAt": "A"})) == (
        "Invalid State Machine Definition: "
        "'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
    )


# -- the conformance corpus recorded on AWS ------------------------------------------------------


def _recorded(cause: str) -> set[tuple[str, str]]:
    """(code, location) of each finding in an AWS InvalidDefinition message."""
    body = cause.split("Invalid State Machine Definition: '", 1)[1].removesuffix("'")
    return {
        (finding.split(": ", 1)[0], finding.rsplit(" at ", 1)[1])
        for finding in re.split(r", (?=[A-Z_]+: )", body)
    }


def _corpus() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CONFORMANCE.glob("*.jsonl")):
        cases += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return cases


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason=f"no conformance corpus at {CONFORMANCE}")
def test_conformance_corpus() -> None:
    problems = []
    for case in _corpus():
        definition = case["definition"]
        if isinstance(definition, str):
            try:
                definition = json.loads(definition)
            except ValueError:
                continue  # not JSON: the loader's INVALID_JSON_DESCRIPTION, not ours
        errors = {
            (d.code, d.location or "null")
            for d in validate_document(definition)
            if d.severity == "ERROR"
        }
        expected = case["expected"]
        if expected["status"] == "CREATE_STATE_MACHINE_FAILED":
            if not _recorded(expected["cause"]) <= errors:
                problems.append(f"{case['id']}: want {_recorded(expected['cause'])}, got {errors}")
        elif errors:
            problems.append(f"{case['id']}: accepted by AWS, but we report {sorted(errors)}")
    assert not problems, "\n".join(problems)
