"""Payload templates: ``.$`` keys at any depth, constants, errors and the static fast path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr import intrinsics, paths, template
from sfn_notebook.expr.scope import Scope
from sfn_notebook.expr.template import compile_template

SCOPE = Scope(context={"Execution": {"Name": "run-1"}}, variables={"limit": 3})


def evaluate(value: Any, data: Any, field: str = "Parameters") -> Any:
    return compile_template(value, field).evaluate(data, SCOPE)


def test_paths_intrinsics_context_and_variables() -> None:
    tpl = {
        "FromInput.$": "$",
        "id.$": "$.user.id",
        "first.$": "$.items[0]",
        "all.$": "$.items[*]",
        "run.$": "$$.Execution.Name",
        "limit.$": "$limit",
        "count.$": "States.ArrayLength($.items)",
        "Comment": "constants are copied, including $.strings",
    }
    data = {"user": {"id": 7}, "items": ["a", "b"]}
    assert evaluate(tpl, data) == {
        "FromInput": data,
        "id": 7,
        "first": "a",
        "all": ["a", "b"],
        "run": "run-1",
        "limit": 3,
        "count": 2,
        "Comment": "constants are copied, including $.strings",
    }


def test_dollar_keys_are_evaluated_at_any_depth_including_inside_arrays() -> None:
    tpl = {"a": {"b": [{"c.$": "$.x"}, 1, [{"d.$": "States.Format('<{}>', $.x)"}]]}}
    assert evaluate(tpl, {"x": "v"}) == {"a": {"b": [{"c": "v"}, 1, [{"d": "<v>"}]]}}


def test_filters_return_lists() -> None:
    # Recorded on AWS.
    data = {"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]}
    assert evaluate({"FromInput.$": "$.users[?(@.status == 0)]"}, data) == {
        "FromInput": [{"year": 1997, "status": 0}]
    }


def test_missing_path_fails_with_the_input_rendered_compactly() -> None:
    with pytest.raises(StatesError) as info:
        evaluate({"nested": {"value.$": "$.no_such_jsonpath"}}, {"int-literal": 0, "s": "é"})
    assert info.value.error == "States.Runtime"
    assert info.value.cause == (
        "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found "
        'in the input \'{"int-literal":0,"s":"é"}\''
    )


def test_missing_context_path_names_the_field_too() -> None:
    with pytest.raises(StatesError) as info:
        evaluate({"value.$": "$$.Execution.Input.no_such_jsonpath"}, {"a": 1})
    assert info.value.cause.startswith(
        "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$'"
    )


def test_intrinsic_failures_pass_through() -> None:
    with pytest.raises(StatesError) as info:
        evaluate({"v.$": "States.ArrayGetItem($.a, 5)"}, {"a": [1]})
    assert info.value.error == "States.IntrinsicFailure"


def test_static_templates_are_copied_not_shared() -> None:
    value = {"a": [1, {"b": "$.not_a_path"}], "c.x": "States.Format('x')"}
    compiled = compile_template(value, "Parameters")
    assert compiled.is_static
    first = compiled.evaluate({}, SCOPE)
    assert first == value
    first["a"][1]["b"] = "changed"
    assert compiled.evaluate({}, SCOPE) == value
    value["a"].append(2)  # the definition's objects are not referenced either
    assert compiled.evaluate({}, SCOPE)["a"] == [1, {"b": "$.not_a_path"}]


def test_constants_inside_dynamic_templates_are_fresh_each_time() -> None:
    compiled = compile_template({"k.$": "$.x", "const": {"list": [1]}}, "Parameters")
    out = compiled.evaluate({"x": 1}, SCOPE)
    out["const"]["list"].append(2)
    assert compiled.evaluate({"x": 1}, SCOPE)["const"] == {"list": [1]}
    assert not compiled.is_static


def test_input_is_never_mutated() -> None:
    data = {"a": {"b": [1, 2]}}
    before = copy.deepcopy(data)
    evaluate({"x.$": "$.a", "y.$": "States.JsonMerge($.a, $.a, false)"}, data)
    assert data == before


def test_non_object_templates() -> None:
    assert evaluate([{"a.$": "$.x"}, 2], {"x": 1}) == [{"a": 1}, 2]
    assert evaluate("plain", {"x": 1}) == "plain"
    assert evaluate(None, {"x": 1}) is None


@pytest.mark.parametrize(
    "value",
    [
        {"a.$": 1},
        {"a.$": None},
        {"a.$": "not a path"},
        {"outer": {"a.$": "$.x["}},
        {"a.$": "States.Nope()"},
        {"list": [{"a.$": "States.Array("}]},
    ],
)
def test_invalid_dollar_values_are_rejected_when_compiling(value: Any) -> None:
    with pytest.raises(ExpressionError, match="must be a valid JSONPath or a valid intrinsic"):
        compile_template(value, "Parameters")


def test_error_message_locates_the_field() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_template({"outer": [{"a.$": "$.x["}]}, "ResultSelector")
    assert "ResultSelector/outer/0/a.$" in str(info.value)
    assert info.value.column == 4


def test_evaluation_never_parses_again(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = compile_template(
        {"a.$": "$.x[0]", "b": [{"c.$": "States.Format('{}!', $..y)"}], "d.$": "$.x[?(@ > 1)]"},
        "Parameters",
    )

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed during evaluation")

    for module, name in [(paths, "_parse_tokens"), (paths, "_compile"), (intrinsics, "_Parser"),
                         (template, "compile_path"), (template, "compile_intrinsic")]:  # fmt: skip
        monkeypatch.setattr(module, name, boom)
    for _ in range(3):
        out = compiled.evaluate({"x": [1, 2], "y": 3}, SCOPE)
        assert out == {"a": 1, "b": [{"c": "[3]!"}], "d": [2]}
