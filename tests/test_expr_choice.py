"""Choice rules (sfn_notebook.expr.choice): every operator, AWS's type and path semantics."""

from __future__ import annotations

import json
import pathlib
import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sfn_notebook as sfn
from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr import choice as choice_module
from sfn_notebook.expr import jsonata as jsonata_module
from sfn_notebook.expr.choice import (
    compile_condition,
    compile_rule,
    parse_timestamp,
    wildcard_pattern,
)
from sfn_notebook.expr.scope import Scope

SCOPE = Scope(context={"Execution": {"Name": "run-1"}}, variables={"limit": 10})


def matches(rule: dict[str, Any], data: Any, scope: Scope = SCOPE) -> bool:
    return compile_rule(rule, "/States/C/Choices/0").evaluate(data, scope)


def check(operator: str, operand: Any, value: Any) -> bool:
    return matches({"Variable": "$.v", operator: operand, "Next": "X"}, {"v": value})


def check_path(operator: str, operand: Any, value: Any) -> bool:
    rule = {"Variable": "$.v", operator + "Path": "$.o", "Next": "X"}
    return matches(rule, {"v": value, "o": operand})


# --- comparisons -----------------------------------------------------------------------------

CASES = [
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "abd", False),
    ("StringEquals", " ", "     ", False),
    ("StringLessThan", "b", "a", True),
    ("StringLessThan", "a", "a", False),
    ("StringGreaterThan", "a", "b", True),
    ("StringGreaterThan", "", "", False),
    ("StringLessThanEquals", "a", "a", True),
    ("StringLessThanEquals", "a", "b", False),
    ("StringGreaterThanEquals", "b", "b", True),
    ("StringGreaterThanEquals", "b", "a", False),
    ("NumericEquals", 1, 1.0, True),
    ("NumericEquals", 0.0, 0, True),
    ("NumericEquals", 2.22, 2.22, True),
    ("NumericEquals", 1, 1.1, False),
    ("NumericLessThan", 2, 1.5, True),
    ("NumericLessThan", 2, 2, False),
    ("NumericGreaterThan", 0, 0, False),
    ("NumericGreaterThan", 0, 1e-9, True),
    ("NumericLessThanEquals", 0, 0, True),
    ("NumericLessThanEquals", 0, 1, False),
    ("NumericGreaterThanEquals", 0, 0.0, True),
    ("NumericGreaterThanEquals", 1, 0, False),
    ("BooleanEquals", True, True, True),
    ("BooleanEquals", False, True, False),
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T21:00:55+02:00", True),
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55.000000001Z", False),
    ("TimestampLessThan", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", True),
    ("TimestampLessThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", False),
    ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", True),
    ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", False),
    ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
    ("TimestampLessThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", False),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),
    ("TimestampGreaterThanEquals", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", False),
]


@pytest.mark.parametrize(("operator", "operand", "value", "expected"), CASES)
def test_comparison(operator: str, operand: Any, value: Any, expected: bool) -> None:
    assert check(operator, operand, value) is expected


@pytest.mark.parametrize(("operator", "operand", "value", "expected"), CASES)
def test_path_variant_compares_with_another_value(
    operator: str, operand: Any, value: Any, expected: bool
) -> None:
    assert check_path(operator, operand, value) is expected


# AWS answers "no match" (not an error) when the value has another type than the operator's.
WRONG_TYPES = [None, 0, 0.0, 1, 1.1, "", " ", [], [""], {}, {"A": 0}, False, True]


@pytest.mark.parametrize("value", WRONG_TYPES)
def test_type_mismatch_is_no_match(value: Any) -> None:
    if not isinstance(value, str):
        assert not check("StringEquals", "", value)
        assert not check("TimestampEquals", "2012-10-09T19:00:55Z", value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        assert not check("NumericEquals", 0, value)
        assert not check("NumericLessThan", 5, value)
    if not isinstance(value, bool):
        assert not check("BooleanEquals", False, value)
        assert not check_path("BooleanEquals", False, value)


def test_path_operand_of_wrong_type_is_no_match() -> None:
    assert not check_path("StringEquals", 1, "1")
    assert not check_path("NumericEquals", "1", 1)
    assert not check_path("TimestampEquals", "not a time", "2012-10-09T19:00:55Z")


def test_strings_order_by_utf16_code_units_as_java_does() -> None:
    # U+1F600 is a surrogate pair (0xD83D...) in UTF-16, so it sorts before U+FB01.
    assert check("StringLessThan", "\ufb01", "\U0001f600")
    assert check("StringGreaterThan", "a", "ab")


# --- StringMatches ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-1.csv", False),
        ("*", "", True),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "acb", False),
        ("", "", True),
        ("exact", "exact", True),
        ("exact", "exactly", False),
        ("a\\*b", "a*b", True),  # \* is a literal star
        ("a\\*b", "aXb", False),
        ("a\\\\b", "a\\b", True),  # \\ is a literal backslash
        ("a\\\\*", "a\\anything", True),
        ("a.c", "abc", False),  # no regex meaning leaks through
        ("multi*line", "multi\nline", True),
    ],
)
def test_string_matches(pattern: str, value: str, expected: bool) -> None:
    assert check("StringMatches", pattern, value) is expected
    assert wildcard_pattern(pattern).matches(value) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("", "x", False),
        ("*", "anything at all", True),
        ("**", "", True),
        ("*abc", "xxabc", True),
        ("*abc", "abcx", False),
        ("abc*", "abcx", True),
        ("abc*", "xabc", False),
        ("*b*", "abc", True),
        ("*b*", "ac", False),
        ("a*a", "a", False),  # the first and last segments may not overlap
        ("a*a", "aa", True),
        ("ab*ba", "aba", False),
        ("*aa*aa", "aaa", False),
        ("*aa*aa", "aaaa", True),
        ("\\*", "*", True),  # an escaped star alone is no wildcard
        ("\\*", "x", False),
        ("\\\\*", "\\", True),  # an escaped backslash, then a wildcard
        ("\\\\\\*", "\\*", True),  # an escaped backslash, then an escaped star
        ("\\\\\\*", "\\x", False),
        ("a\\b", "a\\b", True),  # a backslash before another character is itself
        ("end\\", "end\\", True),
    ],
)
def test_string_matches_edges(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_pattern(pattern).matches(value) is expected
    assert check("StringMatches", pattern, value) is expected


def _reference_match(pattern: str, value: str) -> bool:
    """StringMatches by regex translation, which is correct but backtracks: small inputs only."""
    parts, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and pattern[i + 1 : i + 2] in ("*", "\\"):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if pattern[i] == "*" else re.escape(pattern[i]))
        i += 1
    return re.fullmatch("".join(parts), value, re.DOTALL) is not None


@settings(max_examples=400, deadline=None)
@given(
    pattern=st.text(alphabet="ab*\\\n", max_size=8),
    value=st.text(alphabet="ab*\\\n", max_size=10),
)
def test_string_matches_agrees_with_a_regex_reference(pattern: str, value: str) -> None:
    assert wildcard_pattern(pattern).matches(value) is _reference_match(pattern, value)


@pytest.mark.parametrize("length", [200, 100_000])
def test_string_matches_never_backtracks(length: int) -> None:
    # As a regex (.*a.*a.*a.*a.*a.*b) this took 71 s for 200 a's and blocked the Runtime.
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.s", "StringMatches": "*a*a*a*a*a*b", "Next": "Yes"}],
                "Default": "No",
            },
            "Yes": {"Type": "Pass", "Result": "yes", "End": True},
            "No": {"Type": "Pass", "Result": "no", "End": True},
        },
    }
    started = time.perf_counter()
    execution = sfn.run(definition, {"s": "a" * length})
    assert execution.output == "no"
    assert sfn.run(definition, {"s": "a" * length + "b"}).output == "yes"
    # Middle segments that are searched for all along the text and never found.
    assert not wildcard_pattern("*a*" + "a" * 50 + "b*a").matches("a" * length)
    assert time.perf_counter() - started < 1.0


def test_string_matches_needs_a_string() -> None:
    assert not check("StringMatches", "*", 1)


# --- type tests ------------------------------------------------------------------------------

TYPE_CASES = [
    ("IsNull", None, True),
    ("IsNull", 0, False),
    ("IsNumeric", 1.5, True),
    ("IsNumeric", True, False),
    ("IsNumeric", "1", False),
    ("IsString", "", True),
    ("IsString", None, False),
    ("IsBoolean", False, True),
    ("IsBoolean", 0, False),
    ("IsTimestamp", "2016-03-14T01:59:00Z", True),
    ("IsTimestamp", "2023-02-24 12:15:56.832957", False),
    ("IsTimestamp", 0, False),
    ("IsPresent", None, True),
]


@pytest.mark.parametrize(("operator", "value", "expected"), TYPE_CASES)
def test_type_tests(operator: str, value: Any, expected: bool) -> None:
    assert check(operator, True, value) is expected
    assert check(operator, False, value) is not expected


def test_is_present_is_false_on_a_missing_path() -> None:
    assert matches({"Variable": "$.nope", "IsPresent": False}, {})
    assert not matches({"Variable": "$.nope", "IsPresent": True}, {})
    assert not matches({"Variable": "$nope", "IsPresent": True}, {})


# --- missing paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.missing", "NumericEquals": 1},
        {"Variable": "$.missing", "IsNull": True},
        {"Variable": "$.missing", "StringMatches": "*"},
        {"Variable": "$.a.missing", "BooleanEquals": True},
    ],
)
def test_missing_variable_is_a_runtime_error(rule: dict[str, Any]) -> None:
    with pytest.raises(StatesError) as info:
        matches(rule, {"a": {}})
    assert info.value.error == "States.Runtime"
    assert info.value.cause == (
        f"Invalid path '{rule['Variable']}': The choice state's condition path references an "
        "invalid value."
    )


def test_missing_comparison_path_is_a_runtime_error() -> None:
    with pytest.raises(StatesError, match=r"Invalid path '\$\.right'"):
        matches({"Variable": "$.left", "NumericEqualsPath": "$.right"}, {"left": 8})


# --- context, variables, nesting ---------------------------------------------------------------


def test_variable_may_read_the_context_object_and_workflow_variables() -> None:
    assert matches({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, {})
    assert matches({"Variable": "$limit", "NumericGreaterThanEqualsPath": "$.n"}, {"n": 10})
    assert matches({"Variable": "$.n", "NumericLessThanPath": "$limit"}, {"n": 3})


def test_and_or_not_nest() -> None:
    rule = {
        "And": [
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}},
            {
                "Or": [
                    {"Variable": "$.value", "NumericEquals": 0},
                    {
                        "And": [
                            {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                            {"Variable": "$.value", "NumericLessThan": 30},
                        ]
                    },
                ]
            },
        ],
        "Next": "Public",
    }
    assert matches(rule, {"type": "Public", "value": 22})
    assert matches(rule, {"type": "Public", "value": 0})
    assert not matches(rule, {"type": "Public", "value": 30})
    assert not matches(rule, {"type": "Private", "value": 22})


def test_and_or_short_circuit_like_aws() -> None:
    missing = {"Variable": "$.missing", "IsNull": True}
    assert matches({"Or": [{"Variable": "$.a", "IsPresent": True}, missing]}, {"a": 1})
    assert not matches({"And": [{"Variable": "$.a", "IsPresent": False}, missing]}, {"a": 1})


# --- timestamps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.123456789Z", 123_456_789),
        ("1970-01-01T01:00:00+01:00", 0),
        ("1969-12-31T23:00:00-01:00", 0),
        ("1970-01-01t00:00:01z", 1_000_000_000),
        ("1970-01-01T00:01Z", 60_000_000_000),  # seconds are optional (ISO_OFFSET_DATE_TIME)
        ("2016-02-29T00:00:00Z", 1_456_704_000_000_000_000),
    ],
)
def test_timestamps_aws_accepts(text: str, nanos: int) -> None:
    assert parse_timestamp(text) == nanos


@pytest.mark.parametrize(
    "text",
    [
        "2016-12-05T21:29:29",  # no offset
        "2016-12-05 21:29:29Z",  # no T
        "05-12-2016T21:29:29Z",
        "2016-13-05T21:29:29Z",
        "2016-12-05T25:29:29Z",
        "2015-02-29T00:00:00Z",
        "2016-12-05T21:29:29.1234567891Z",
        "2016-12-05T21:29:29+0100",
        "",
    ],
)
def test_timestamps_aws_refuses(text: str) -> None:
    assert parse_timestamp(text) is None
    assert not check("IsTimestamp", True, text)


# --- compile-time errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"Variable": "$.a", "Next": "X"}, "exactly one operator"),
        ({"Variable": "$.a", "IsNull": True, "IsString": True}, "exactly one operator"),
        ({"NumericEquals": 1}, "Variable"),
        ({"Variable": "$.a", "NumericEquals": "1"}, "NumericEquals takes a number"),
        ({"Variable": "$.a", "TimestampEquals": "yesterday"}, "RFC 3339"),
        ({"Variable": "$.a", "BooleanEquals": 1}, "a boolean"),
        ({"Variable": "$.a", "IsNull": "yes"}, "true or false"),
        ({"Variable": "$.a", "StringEqualsPath": 1}, "path string"),
        ({"And": []}, "non-empty array"),
    ],
)
def test_bad_rules_do_not_compile(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        compile_rule(rule, "/States/C/Choices/0")


def test_nested_errors_name_their_pointer() -> None:
    with pytest.raises(ExpressionError, match="/States/C/Choices/2/And/1/Not"):
        compile_rule(
            {"And": [{"Variable": "$.a", "IsNull": True}, {"Not": {"Variable": "$.a"}}]},
            "/States/C/Choices/2",
        )


def test_evaluation_never_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = compile_rule(
        {
            "Or": [
                {"Variable": "$.t", "TimestampLessThanPath": "$.u"},
                {"Variable": "$.s", "StringMatches": "a*"},
            ]
        },
        "/Choices/0",
    )
    condition = compile_condition("{% $states.input.s = 'abc' %}", "Choices[1]/Condition")

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("compiled during evaluation")

    monkeypatch.setattr(choice_module, "compile_path", refuse)
    monkeypatch.setattr(choice_module, "wildcard_pattern", refuse)
    monkeypatch.setattr(jsonata_module.jsonatapy, "compile", refuse)
    data = {"t": "2020-01-01T00:00:00Z", "u": "2019-01-01T00:00:00Z", "s": "abc"}
    assert rule.evaluate(data, SCOPE)
    assert condition.evaluate({"input": data}, {})


# --- JSONata Condition -----------------------------------------------------------------------


def test_condition_literal_and_expression() -> None:
    assert compile_condition(True).evaluate({}, {}) is True
    assert compile_condition(False).evaluate({}, {}) is False
    states = {"input": {"type": "Private", "value": 22}}
    condition = compile_condition(
        "{% $states.input.value >= 20 and $states.input.value < 30 %}", "Choices[2]/Condition"
    )
    assert condition.evaluate(states, {}) is True
    assert (
        compile_condition("{% $not($states.input.type = 'Private') %}").evaluate(states, {})
        is False
    )
    assert compile_condition("{% $x > 1 %}").evaluate({}, {"x": 2}) is True


def test_condition_must_be_boolean() -> None:
    with pytest.raises(StatesError) as info:
        compile_condition("{% $states.input.n %}", "Choices[0]/Condition").evaluate(
            {"input": {"n": 1}}, {}
        )
    assert info.value.error == "States.QueryEvaluationError"
    assert info.value.cause == (
        "The JSONata expression '$states.input.n' specified for the field 'Choices[0]/Condition' "
        "returned an unexpected result type. Expected 'boolean', but was 'number' for value: 1"
    )


def test_condition_returning_nothing_fails() -> None:
    with pytest.raises(StatesError) as info:
        compile_condition("{% $states.input.missing %}", "Choices[1]/Condition").evaluate(
            {"input": {}}, {}
        )
    assert info.value.cause == (
        "The JSONata expression '$states.input.missing' specified for the field "
        "'Choices[1]/Condition' returned nothing (undefined)."
    )


def test_condition_must_be_jsonata_or_boolean() -> None:
    with pytest.raises(ExpressionError):
        compile_condition("$.a == 1")
    with pytest.raises(ExpressionError):
        compile_condition("{% $states.input. %}")


# --- the recorded AWS corpus -----------------------------------------------------------------

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "shared/conformance/localstack_pure.jsonl"


def _choice_cases() -> list[Any]:
    if not CORPUS.exists():
        return []
    cases = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    return [pytest.param(c, id=c["id"]) for c in cases if c["category"] == "choice"]


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared conformance corpus is not present")
@pytest.mark.parametrize("case", _choice_cases())
def test_recorded_choice_cases_take_aws_branch(case: dict[str, Any]) -> None:
    definition, data = case["definition"], case["input"]
    state = definition["States"][definition["StartAt"]]
    taken = state.get("Default")
    for i, raw in enumerate(state["Choices"]):
        if compile_rule(raw, f"/States/{definition['StartAt']}/Choices/{i}").evaluate(
            data, Scope()
        ):
            taken = raw["Next"]
            break
    branch = definition["States"][taken]
    # Every branch in this category is a Pass whose Result is the execution's output, or a
    # pass-through whose output is the input.
    assert branch.get("Result", data) == case["expected"]["output"]
