"""JSONPath evaluation with AWS's (Jayway's) semantics and messages, and ResultPath writes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr import paths
from sfn_notebook.expr.paths import MISSING, compile_path, compile_reference_path
from sfn_notebook.expr.scope import Scope

DATA: dict[str, Any] = {
    "a": {"b": [1, 2, 3], "c": None, "s": "str", "n": 5},
    "users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}],
    "empty": [],
}
SCOPE = Scope(
    context={"Execution": {"Input": {"x": 1}, "Name": "run-1"}, "State": {"Name": "S"}},
    variables={"cfg": {"items": [10, 20]}, "count": 3, "nothing": None},
)


def value(path: str, data: Any = DATA) -> Any:
    return compile_path(path).evaluate(data, SCOPE)


def cause(path: str, data: Any = DATA) -> str:
    with pytest.raises(StatesError) as info:
        compile_path(path).evaluate(data, SCOPE)
    assert info.value.error == "States.Runtime"
    return info.value.cause


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DATA),
        ("$.a.n", 5),
        ("$['a']['s']", "str"),
        ('$["a"].s', "str"),
        ("$.a.b[0]", 1),
        ("$.a.b[-1]", 3),  # modern Jayway resolves negative indexes
        ("$.a.c", None),
        ("$.users[1].year", 1998),
    ],
)
def test_definite_paths_return_one_value(path: str, expected: Any) -> None:
    assert value(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.a.b[*]", [1, 2, 3]),
        ("$.a.*", [[1, 2, 3], None, "str", 5]),
        ("$.a.b[1:]", [2, 3]),
        ("$.a.b[:2]", [1, 2]),
        ("$.a.b[-2:]", [2, 3]),
        ("$.a.b[:-1]", [1, 2]),
        ("$.a.b[1:9]", [2, 3]),
        ("$.a.b[0,2]", [1, 3]),
        ("$.a.b[0,7]", [1]),
        ("$.users[*].year", [1997, 1998]),
        ("$..year", [1997, 1998]),
        ("$..b[0]", [1]),
        ("$.users[?(@.status == 0)]", [{"year": 1997, "status": 0}]),
        ("$.users[?(@.year > 1997)].year", [1998]),
        ("$.users[?(@.year > 1990 && @.status == 1)].year", [1998]),
        ("$.a.b[?(@ > 1)]", [2, 3]),
        ("$..[?(@.status == 1)].year", [1998]),
    ],
)
def test_indefinite_paths_return_lists(path: str, expected: Any) -> None:
    assert value(path) == expected


def test_regex_filters_use_jayway_syntax_and_match_whole_strings() -> None:
    data = {"xs": [{"n": "abc"}, {"n": "ABD"}, {"n": "zabc"}]}
    assert value("$.xs[?(@.n =~ /ab.*/)].n", data) == ["abc"]
    assert value("$.xs[?(@.n =~ /ab.*/i)].n", data) == ["abc", "ABD"]


@pytest.mark.parametrize(
    "path",
    ["$[*]", "$.items[*]", "$.items[1:]", "$.item.items[:1]", "$.items[*].itemValue", "$..x"],
)
def test_indefinite_paths_over_missing_data_give_empty_lists(path: str) -> None:
    # Recorded on AWS: {"item.$": "$.items[1:]"} on {} gives {"item": []}.
    assert value(path, {}) == []


def test_multi_property_leaf_merges_into_one_object() -> None:
    assert value("$['a','empty','nope']") == {"a": DATA["a"], "empty": []}


def test_length_function() -> None:
    assert value("$.a.b.length()") == 3
    assert value("$.users[*].year.length()") == 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        # Both texts below were recorded on AWS.
        ("$.NoSuchInputPath", "No results for path: $['NoSuchInputPath']"),
        ("$.no.such.result.path", "Missing property in path $['no']"),
        ("$.a.b[7]", "No results for path: $['a']['b'][7]"),
        ("$.a.c[0]", "The path $['a']['c'] is null"),
        ("$.a[0]", "Filter: [0] can only be applied to arrays. Current context is: "
         "{b=[1, 2, 3], c=null, s=str, n=5}"),
        ("$.a.s.x", "Expected to find an object with property ['x'] in path $['a']['s'] but found "
         "'java.lang.String'. This is not a json object according to the JsonProvider: "
         "'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."),
    ],
)  # fmt: skip
def test_definite_misses_fail_with_jaywayss_message(path: str, message: str) -> None:
    assert cause(path) == f"Invalid path '{path}' : {message}"
    assert compile_path(path).find(DATA, SCOPE) is MISSING


def test_find_tells_null_from_missing() -> None:
    assert compile_path("$.a.c").find(DATA, SCOPE) is None
    assert compile_path("$.a.zz").find(DATA, SCOPE) is MISSING
    assert not MISSING


def test_bracket_properties_are_taken_verbatim() -> None:
    # Recorded on AWS: $['Test\""Name"'] reads the key Test\""Name" (no unescaping).
    key = 'Test\\""Name"'
    assert value("$['" + key + "']", {key: 'Value"\\'}) == 'Value"\\'
    assert value("$.delivery-partner", {"delivery-partner": 1}) == 1


def test_context_object_and_variables() -> None:
    assert value("$$") == SCOPE.context
    assert value("$$.Execution.Input.x") == 1
    assert value("$$.State.Name") == "S"
    assert value("$cfg.items[1]") == 20
    assert value("$count") == 3
    assert value("$nothing") is None
    assert compile_path("$undefined").find(DATA, SCOPE) is MISSING
    assert "undefined" in cause("$undefined")


def test_context_paths_report_jayway_messages_too() -> None:
    assert cause("$$.Execution.Input.no") == (
        "Invalid path '$$.Execution.Input.no' : No results for path: $['Execution']['Input']['no']"
    )


def test_reference_paths_compile_to_direct_accessors() -> None:
    assert compile_path("$.a['b'][0]").is_reference
    assert compile_path("$$.Execution.Input").is_reference
    for path in ("$.a[*]", "$..a", "$.a[0,1]", "$.a[1:]", "$.a[?(@.x)]", "$.a.length()"):
        assert not compile_path(path).is_reference, path
    assert compile_path("$.a[0:1]").is_definite is False
    assert compile_path("$['a','b']").is_definite is True


@pytest.mark.parametrize(
    ("path", "column"),
    [("a.b", 1), ("$.", 3), ("$.a[", 4), ("$.a[x]", 4), ("$.a b", 4), ("$.a..", 6),
     ("$.a[1:2:3]", 4), ("$.a.nosuch()", 5), ("$.a[?(@.x ==)]", 13), ("$['a'", 6),
     ("$.a.length().b", 13)],
)  # fmt: skip
def test_syntax_errors_carry_a_column(path: str, column: int) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_path(path)
    assert info.value.column == column
    assert "^" in str(info.value)


def test_evaluation_never_parses_again(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = [compile_path(p) for p in ("$.a.b[0]", "$..year", "$.users[?(@.status == 0)]")]

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed during evaluation")

    monkeypatch.setattr(paths, "_parse_tokens", boom)
    monkeypatch.setattr(paths, "_compile", boom)
    monkeypatch.setattr(paths.filters, "compile_filter", boom)
    monkeypatch.setattr(paths, "_filter_operand", boom)
    for _ in range(3):
        assert [p.evaluate(DATA, SCOPE) for p in compiled] == [
            1,
            [1997, 1998],
            [{"year": 1997, "status": 0}],
        ]


def test_compiled_paths_are_shared() -> None:
    assert compile_path("$.shared.path") is compile_path("$.shared.path")


# --- ResultPath -----------------------------------------------------------------------------------


def test_assign_replaces_creates_and_never_mutates() -> None:
    data = {"a": {"keep": 1}, "other": [1]}
    before = copy.deepcopy(data)
    assert compile_reference_path("$").assign(data, 5) == 5
    out = compile_reference_path("$.a.b.c").assign(data, 5)
    assert out == {"a": {"keep": 1, "b": {"c": 5}}, "other": [1]}
    assert data == before
    assert out["other"] is data["other"]  # only the nodes on the path are copied
    assert compile_reference_path("$.other[0]").assign(data, 9)["other"] == [9]
    assert compile_reference_path("$['x y']").assign({}, 1) == {"x y": 1}


@pytest.mark.parametrize(
    ("path", "data"),
    [("$.a.b", {"a": 5}), ("$.a.b", {"a": None}), ("$.x[3]", {"x": [1]}), ("$.a", [])],
)
def test_assign_into_a_non_object_is_a_result_path_match_failure(path: str, data: Any) -> None:
    with pytest.raises(StatesError) as info:
        compile_reference_path(path).assign(data, 1)
    assert info.value.error == "States.ResultPathMatchFailure"


@pytest.mark.parametrize(
    "path", ["$.a[*]", "$..a", "$$.Execution", "$var", "$.a[1:]", "$.a.length()"]
)
def test_reference_paths_reject_everything_else(path: str) -> None:
    with pytest.raises(ExpressionError):
        compile_reference_path(path)
