"""JSONPath as AWS reads it with Jayway: filter semantics, a dot before a bracket, blanks around
a path, in every field that takes a path, validated and run through the public API."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sfn_notebook as sfn
from sfn_notebook.errors import ExpressionError
from sfn_notebook.expr.paths import compile_path
from sfn_notebook.expr.scope import Scope

ITEMS: list[dict[str, Any]] = [
    {"id": 1, "n": 1, "s": "apple", "tags": ["red", "fruit"], "flag": True},
    {"id": 2, "n": 2.5, "s": "Banana", "tags": [], "flag": False, "opt": None},
    {"id": 3, "n": "3", "s": "cherry", "tags": ["red"]},
    {"id": 4, "s": "", "tags": ["x", "y", "z"]},
]
DOC: dict[str, Any] = {"items": ITEMS, "min": 2, "pick": [2, 4], "cfg": {"on": True}}


def ids(condition: str) -> Any:
    return compile_path(f"$.items[?({condition})].id").evaluate(DOC, Scope())


# Expected values follow Jayway's FilterCompiler and EvaluatorFactory, which AWS runs.
@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("@.n == 1", [1]),
        ("@.n == 3", [3]),  # a number equals a string with the same text
        ("@.n == '3'", [3]),
        ("@.n === 3", []),  # ...unless the comparison is type-safe
        ("@.n !== 3", [1, 2, 3, 4]),
        ("@.n != 1", [2, 3, 4]),  # a missing property is unequal to everything
        ("@.n > 1", [2]),  # "3" is a string: no order against a number
        ("@.n >= 1", [1, 2]),
        ("@.n < 2.5", [1]),
        ("@.n <= 2.5", [1, 2]),
        ("@.s > 'b'", [3]),  # strings order by code unit: 'B' < 'b'
        ("@.n > $.min", [2]),  # '$' in a filter is the document
        ("@.id in $.pick", [2, 4]),
        ("@.s =~ /.*an.*/", [2]),
        ("@.s =~ /an/", []),  # the regex must match the whole string
        ("@.s =~ /b.*/i", [2]),
        ("@.s =~ /A.*/", []),
        ("@.tags =~ /x/", [4]),  # on an array: any element
        ("@.n in [1, 2.5]", [1, 2]),
        ("@.n in ['3']", [3]),
        ("@.s nin ['apple', '']", [2, 3]),
        ("@.n nin [1]", [2, 3, 4]),
        ("@.tags size 2", [1]),
        ("@.s size 6", [2, 3]),
        ("@.tags empty true", [2]),
        ("@.s empty true", [4]),
        ("@.tags empty false", [1, 3, 4]),
        ("@.tags subsetof ['red', 'fruit', 'x']", [1, 2, 3]),
        ("@.tags anyof ['red', 'z']", [1, 3, 4]),
        ("@.tags noneof ['red']", [2, 4]),
        ("@.tags contains 'red'", [1, 3]),
        ("@.s contains 'err'", [3]),
        ("@.flag == true", [1]),
        ("@.flag", [1, 2]),  # existence, whatever the value
        ("!@.flag", [3, 4]),
        ("@.opt", [2]),  # present with a null value
        ("@.opt == null", [2]),
        ("@.n > 1 && @.s =~ /B.*/", [2]),
        ("@.n == 1 || @.s == 'cherry'", [1, 3]),
        ("@.id == 1 || @.id == 2 && @.id == 3", [1]),  # && binds tighter than ||
        ("(@.id == 1 || @.id == 2) && @.flag == false", [2]),
        ("!(@.id > 2)", [1, 2]),
        ("@.tags.length() > 1", [1, 4]),
        ("@.missing.deep == 1", []),
        (" @.id==1 ", [1]),
        ("@.id IN [4]", [4]),  # word operators are case-insensitive
        ("@.tags all ['red']", []),  # Jayway throws evaluating 'all' from text: no match
    ],
)
def test_filters_select_what_jayway_selects(condition: str, expected: list[int]) -> None:
    assert ids(condition) == expected


def test_filters_on_scalars_strings_and_objects() -> None:
    data = {"names": ["ann", "bob", "al"], "words": ["h\u00e9llo\U0001f600", "abcdef"]}
    assert compile_path("$.names[?(@ =~ /a.*/)]").evaluate(data, Scope()) == ["ann", "al"]
    assert compile_path("$.names[?(@ in ['bob'])]").evaluate(data, Scope()) == ["bob"]
    # size counts UTF-16 units, as Java's String.length(): the emoji counts twice.
    assert compile_path("$.words[?(@ size 7)]").evaluate(data, Scope()) == [data["words"][0]]
    # A filter on an object tests the object itself.
    assert compile_path("$.cfg[?(@.on == true)]").evaluate(DOC, Scope()) == [{"on": True}]


def test_list_strings_that_read_as_paths_match_nothing() -> None:
    # Jayway turns each string of a literal list into a value node; one that compiles as a
    # path ('$') becomes a path node, which equals nothing.
    data = {"prices": [{"cur": "$"}, {"cur": "EUR"}]}
    path = compile_path("$.prices[?(@.cur in ['$', 'EUR'])].cur")
    assert path.evaluate(data, Scope()) == ["EUR"]


def test_odd_literals_compile_or_fail_cleanly() -> None:
    data = {"a": [{"s": "\u00e9", "t": [1]}]}
    assert compile_path("$.a[?(@.s == '\\u00e9')]").evaluate(data, Scope()) == data["a"]
    assert compile_path("$.a[?(@.t size 1e999999999)]").evaluate(data, Scope()) == []
    with pytest.raises(ExpressionError):
        compile_path("$.a[?(@.s == '\\uZZ')]")


def test_a_filter_that_selects_nothing_is_an_empty_list() -> None:
    assert ids("@.id > 10") == []
    assert compile_path("$.items[?(@.id > 10)].s").evaluate(DOC, Scope()) == []


# --- the forms AWS accepts, in every field that takes a path ----------------------------------

FORMS = [
    "$.[0]",
    "$.a.[0]",
    "$.[*]",
    "$.a.[*]",
    "$.[?(@.x > 0)]",
    "$.a.[?(@.x > 0)]",
    "$.['a','b']",
    "$.abc.['def ghi']",  # AWS's own example of bracket notation
    " $.a ",
    "\t$.a",
    "$.a[ 0 ]",
    "$.a[ ?( @.x ) ]",
    "$.a[?(@.x in [1, 2])]",
    "$.a[?(@.x nin ['p'])]",
    "$.a[?(@.x size 2)]",
    "$.a[?(@.x > 1 && @.y < 2 || !@.z)]",
    "$.a[?(@.x subsetof ['p', 'q'])]",
    "$.a[?(@.x anyof ['p'])]",
    "$.a[?(@.x noneof ['p'])]",
    "$.a[?(@.x empty false)]",
    "$.a[?(@.x =~ /a.*b/i)]",
    "$..[?(@.x == 'a')]",
]

FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("InputPath", {"Type": "Pass", "InputPath": "?", "End": True}, "/InputPath"),
    ("OutputPath", {"Type": "Pass", "OutputPath": "?", "End": True}, "/OutputPath"),
    ("Parameters", {"Type": "Pass", "Parameters": {"v.$": "?"}, "End": True}, "/Parameters"),
    (
        "intrinsic",
        {"Type": "Pass", "Parameters": {"v.$": "States.Array(?)"}, "End": True},
        "/Parameters",
    ),
    (
        "Variable",
        {
            "Type": "Choice",
            "Choices": [{"Variable": "?", "IsPresent": True, "Next": "Done"}],
            "Default": "Done",
        },
        "/Choices/0/Variable",
    ),
    (
        "comparison path",
        {
            "Type": "Choice",
            "Choices": [{"Variable": "$.v", "StringEqualsPath": "?", "Next": "Done"}],
            "Default": "Done",
        },
        "/Choices/0/StringEqualsPath",
    ),
    ("SecondsPath", {"Type": "Wait", "SecondsPath": "?", "End": True}, "/SecondsPath"),
    ("TimestampPath", {"Type": "Wait", "TimestampPath": "?", "End": True}, "/TimestampPath"),
    (
        "TimeoutSecondsPath",
        {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
         "Parameters": {"FunctionName": "f"}, "TimeoutSecondsPath": "?"},
        "/TimeoutSecondsPath",
    ),
    (
        "HeartbeatSecondsPath",
        {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
         "Parameters": {"FunctionName": "f"}, "HeartbeatSecondsPath": "?"},
        "/HeartbeatSecondsPath",
    ),
    (
        "ItemsPath",
        {"Type": "Map", "ItemsPath": "?", "End": True,
         "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
        "/ItemsPath",
    ),
    (
        "MaxConcurrencyPath",
        {"Type": "Map", "MaxConcurrencyPath": "?", "End": True,
         "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
        "/MaxConcurrencyPath",
    ),
    (
        "ItemSelector",
        {"Type": "Map", "ItemSelector": {"v.$": "?"}, "End": True,
         "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}},
        "/ItemSelector",
    ),
]  # fmt: skip


def _definition(state: dict[str, Any], path: str) -> dict[str, Any]:
    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value.replace("?", path) if value in ("?", "States.Array(?)") else value

    first = fill(copy.deepcopy(state))
    if first.pop("End", None):
        first["Next"] = "Done"
    return {"StartAt": "S", "States": {"S": first, "Done": {"Type": "Succeed"}}}


# AWS's guide calls ItemsPath, Choice Variable and the other *Path fields "reference paths" and
# has at times said those take no lexical operators (in, subsetof ...) or regex filters; we
# accept whatever Jayway compiles there, as before, since no AWS recording says otherwise.
@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize(("field", "state", "where"), FIELDS, ids=[f[0] for f in FIELDS])
def test_jayway_forms_validate_in_every_path_field(
    field: str, state: dict[str, Any], where: str, path: str
) -> None:
    assert sfn.validate(_definition(state, path)) == []


@pytest.mark.parametrize("path", ["$.a[?(@.x ==)]", "$.a[?(@.x in)]", "$.a.", "$. a"])
@pytest.mark.parametrize(("field", "state", "where"), FIELDS, ids=[f[0] for f in FIELDS])
def test_broken_paths_are_rejected_in_every_path_field(
    field: str, state: dict[str, Any], where: str, path: str
) -> None:
    diagnostics = sfn.validate(_definition(state, path))
    assert [(d.code, d.location) for d in diagnostics] == [
        ("SCHEMA_VALIDATION_FAILED", "/States/S" + where)
    ]


@pytest.mark.parametrize("path", ["$.[0]", "$.a.[0]", "$.a.['b']", " $.a ", "$.a[ 1 ]"])
def test_reference_forms_validate_as_result_path(path: str) -> None:
    state = {"Type": "Pass", "ResultPath": path, "End": True}
    assert sfn.validate({"StartAt": "S", "States": {"S": state}}) == []


@pytest.mark.parametrize(
    "path",
    [
        "$.a.",
        "$..",
        "$ .a",
        "$.a b",
        "$.[",
        "$.a[?(@.x ==)]",
        "$.a[?(@.x in)]",
        "$.a[?(@.x foo 1)]",
        "$.a[?(@.x == 'a)]",
        "$.a[?(@.x)",
        "$.a[?@.x]",
        "$.a[?(@.x =~ /(/)]",
        "$.a[?(@.x > 1) && (@.y)]",
        "$.a[?(@.x == 1 &&)]",
        "$.a[?(@@)]",
        "$.a[?($$.x)]",
    ],
)
def test_what_jayway_rejects_is_still_rejected(path: str) -> None:
    state = {"Type": "Pass", "InputPath": path, "End": True}
    diagnostics = sfn.validate({"StartAt": "S", "States": {"S": state}})
    assert [(d.code, d.location) for d in diagnostics] == [
        ("SCHEMA_VALIDATION_FAILED", "/States/S/InputPath")
    ]


def test_result_path_still_takes_reference_paths_only() -> None:
    for path in ("$.a[?(@.x)]", "$.a.[*]"):
        state = {"Type": "Pass", "ResultPath": path, "End": True}
        diagnostics = sfn.validate({"StartAt": "S", "States": {"S": state}})
        assert [(d.code, d.location) for d in diagnostics] == [
            ("SCHEMA_VALIDATION_FAILED", "/States/S/ResultPath")
        ]


# --- run through sfn.run ------------------------------------------------------------------------


def test_pass_parameters_and_intrinsics_select_what_jayway_selects() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "InputPath": " $.data ",
                "Parameters": {
                    "first.$": "$.[0]",
                    "second.$": " $.[1].x ",
                    "xs.$": "$.[*].x",
                    "both.$": "$.[0].['x','tags']",
                    "count.$": "States.ArrayLength($.[*])",
                    "text.$": "States.Format('{} and {}', $.[0].x, $.[2].x)",
                    "tagged.$": "States.ArrayLength($.[?(@.tags anyof ['p', 'q'])])",
                    "picked.$": "$.[?(@.x in [1, 3] && @.tags size 1)].x",
                    "none.$": "$[?(@.x > 100)]",
                    "noneCount.$": "States.ArrayLength($.[?(@.x > 100)])",
                },
                "ResultPath": "$.out",
                "OutputPath": "$.out",
                "End": True,
            }
        },
    }
    data = [{"x": 1, "tags": ["p"]}, {"x": 2}, {"x": 3, "tags": ["q", "r"]}]
    execution = sfn.run(definition, {"data": data})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {
        "first": data[0],
        "second": 2,
        "xs": [1, 2, 3],
        "both": {"x": 1, "tags": ["p"]},
        "count": 3,
        "text": "1 and 3",
        "tagged": 2,
        "picked": [1],
        "none": [],
        "noneCount": 0,
    }


def test_choice_map_and_wait_take_the_jayway_forms() -> None:
    definition = {
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.cfg.['mode']", "StringEqualsPath": " $.modes.[1] "},
                            {"Variable": "$.jobs[?(@.on == true)]", "IsPresent": True},
                        ],
                        "Next": "Pause",
                    }
                ],
                "Default": "Off",
            },
            "Pause": {"Type": "Wait", "SecondsPath": "$.cfg.[ 'delay' ]", "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.jobs.[?(@.on == true && @.name nin ['skip'])]",
                "MaxConcurrencyPath": "$.cfg.['limit']",
                "ItemSelector": {"name.$": "$$.Map.Item.Value.['name']"},
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {
                        "Work": {
                            "Type": "Pass",
                            "Parameters": {"done.$": "States.Format('{}!', $.[ 'name' ])"},
                            "OutputPath": "$.done",
                            "End": True,
                        }
                    },
                },
                "End": True,
            },
            "Off": {"Type": "Fail", "Error": "Off"},
        },
    }
    assert sfn.validate(definition) == []
    data = {
        "cfg": {"mode": "on", "delay": 30, "limit": 2},
        "modes": ["off", "on"],
        "jobs": [
            {"name": "a", "on": True},
            {"name": "b", "on": False},
            {"name": "skip", "on": True},
            {"name": "c", "on": True},
        ],
    }
    execution = sfn.run(definition, data)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == ["a!", "c!"]
    waited = [e for e in execution.history if e["type"] == "WaitStateExited"]
    assert len(waited) == 1
    off = sfn.run(definition, {**data, "cfg": {**data["cfg"], "mode": "off"}})
    assert off.error == "Off"


def test_bracket_notation_after_a_dot_as_in_aws_documentation() -> None:
    state = {"Type": "Pass", "Parameters": {"v.$": "$.abc.['def ghi']"}, "End": True}
    execution = sfn.run({"StartAt": "P", "States": {"P": state}}, {"abc": {"def ghi": 5}})
    assert execution.output == {"v": 5}


def test_dot_bracket_on_an_object_fails_as_jayway_does() -> None:
    state = {"Type": "Pass", "InputPath": "$.[0]", "End": True}
    definition = {"StartAt": "P", "States": {"P": state}}
    execution = sfn.run(definition, {"a": 1})
    assert execution.error == "States.Runtime"
    assert "Filter: [0] can only be applied to arrays" in (execution.cause or "")
    assert sfn.run(definition, [7, 8]).output == 7


def test_filters_compile_once_and_evaluate_fast() -> None:
    path = compile_path("$.items[?(@.n > 1 && @.tags anyof ['red'] || @.s =~ /b.*/i)].id")
    data = {"items": [dict(item, id=i) for i, item in enumerate(ITEMS * 2500)]}
    started = time.perf_counter()
    found = path.evaluate(data, Scope())
    assert time.perf_counter() - started < 2.0
    assert len(found) == 2500


FILTER_PIECES = st.sampled_from(
    ["@", "$", ".x", ".t", "[0]", "[*]", "['x']", " ", "==", "!=", "<", ">=", "=~", "!", "&&",
     "||", "(", ")", " in ", " nin ", " size ", " empty ", " anyof ", " subsetof ", "1", "-2.5",
     "1e3", "'a'", '"b"', "'$'", "true", "null", "[1, 'a']", "{}", "/a.*/i", "/(/", ".length()",
     "'\\u00', ", "?"]
)  # fmt: skip
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("xt"), inner),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(FILTER_PIECES, max_size=8), data=st.lists(VALUES, max_size=4))
def test_any_filter_text_compiles_or_fails_with_a_column(pieces: list[str], data: Any) -> None:
    text = "$.a[?(" + "".join(pieces) + ")]"
    try:
        path = compile_path(text)
    except ExpressionError as exc:
        assert exc.column is not None and 1 <= exc.column <= len(text)
        return
    result = path.evaluate({"a": data}, Scope())  # evaluation never raises
    assert isinstance(result, list)
