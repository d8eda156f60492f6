"""JSONata fields as Step Functions evaluates them (sfn_notebook.expr.jsonata)."""

from __future__ import annotations

import hashlib
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jsonatapy
import pytest

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr import jsonata as jsonata_module
from sfn_notebook.expr.jsonata import (
    QUERY_EVALUATION_ERROR,
    QueryEvaluationError,
    compile_jsonata,
    compile_jsonata_template,
    is_jsonata,
    java_random_double,
)

STATES = {"input": {"a": 1, "items": [1, 2, 3], "s": "abc"}, "context": {"State": {"Name": "S"}}}


def run(text: str, variables: dict[str, Any] | None = None, **options: Any) -> Any:
    return compile_jsonata(text, "Output/result").evaluate(STATES, variables or {}, **options)


def cause_of(text: str, variables: dict[str, Any] | None = None, **options: Any) -> str:
    with pytest.raises(StatesError) as info:
        run(text, variables, **options)
    assert info.value.error == QUERY_EVALUATION_ERROR
    return info.value.cause


def prefix(expr: str, field: str = "Output/result") -> str:
    return f"The JSONata expression '{expr}' specified for the field '{field}'"


# --- recognising and compiling -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% $states.input %}", True),
        ("{%$x%}", True),
        ("{%  1  %}", True),
        (" {% states.input %} ", False),  # AWS keeps this as a literal string
        ("{% 1", False),
        ("$states.input", False),
        ("{%}", False),
        (1, False),
        (None, False),
        (["{% 1 %}"], False),
    ],
)
def test_is_jsonata(value: object, expected: bool) -> None:
    assert is_jsonata(value) is expected


def test_inner_text_is_trimmed_and_kept_for_messages() -> None:
    expr = compile_jsonata("{%   $states.input.a   %}", "Output")
    assert expr.text == "$states.input.a"
    assert expr.field == "Output"
    assert expr.evaluate(STATES, {}) == 1


def test_bare_expression_compiles_too() -> None:
    assert compile_jsonata("$states.input.a + 1", "Seconds").evaluate(STATES, {}) == 2


@pytest.mark.parametrize(
    ("source", "column", "code"),
    [
        ("{%  $states.input.a +  %}", 22, "S0207"),  # just after the last token
        ("{% foo bar %}", 8, "S0201"),  # the unexpected name
        ("{% $x $y %}", 7, "S0201"),  # a variable, from its '$'
        ('{% "abc %}', 4, "S0101"),  # the unterminated string's quote
        ('{% $match("a", /abc %}', 16, ""),  # the unterminated regex
        ("{% a[1,2) %}", 6, "S0202"),  # the comma where "]" belongs
        ("{% 1 = = 2 %}", 8, "S0211"),
        ("{% (1;2 %}", 8, "S0203"),
        ("{% /* x %}", 4, ""),
    ],
)
def test_syntax_errors_carry_a_column_into_the_original_string(
    source: str, column: int, code: str
) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_jsonata(source, "Output/x")
    error = info.value
    assert error.column == column
    assert error.text == source
    assert code in error.message
    assert "Output/x" in error.message
    assert str(error).endswith(" " * (column - 1) + "^")


def test_empty_expression_is_a_definition_error() -> None:
    with pytest.raises(ExpressionError, match="Empty JSONata"):
        compile_jsonata("{%   %}", "Output")


# --- bindings --------------------------------------------------------------------------------


def test_states_and_variables_are_bound() -> None:
    assert run("{% $states.input.a + $v %}", {"v": 41}) == 42
    assert run("{% $states.context.State.Name %}") == "S"
    assert run("{% $states.input %}") == STATES["input"]


def test_only_variables_the_text_mentions_are_converted() -> None:
    # An unconvertible value proves the variable never crosses into jsonatapy.
    assert run("{% $used %}", {"used": 1, "unused": object()}) == 1


def test_a_variable_that_does_not_exist_is_undefined() -> None:
    assert cause_of("{% $doesNotExist %}") == (
        f"{prefix('$doesNotExist')} returned nothing (undefined)."
    )


def test_undefined_error_carries_the_field_as_location() -> None:
    with pytest.raises(QueryEvaluationError) as info:
        compile_jsonata("{% $nope %}", "Assign/result").evaluate(STATES, {})
    assert info.value.location == "Assign/result"
    assert info.value.error == "States.QueryEvaluationError"


def test_null_is_a_value_not_undefined() -> None:
    assert run("{% null %}") is None
    assert run("{% $v %}", {"v": None}) is None
    assert run("{% $states.input.missing = null %}") is False  # undefined compared is false


# --- results and failures --------------------------------------------------------------------


def test_function_results_are_unsupported() -> None:
    for text in ("function($x){$x}", "$fn := function($x){$x}", "$sum"):
        assert cause_of("{% " + text + " %}") == (
            f"{prefix(text)} returned an unsupported result type."
        )


def test_empty_string_is_a_value() -> None:
    assert run('{% "" %}') == ""


def test_evaluation_errors_keep_the_jsonata_code() -> None:
    text = '1 + "a"'
    assert cause_of("{% " + text + " %}") == (
        f"{prefix(text)} threw an error during evaluation. "
        "T2002: The right side of the + operator must evaluate to a number"
    )


def test_eval_is_disabled_as_on_aws() -> None:
    assert cause_of('{% $eval("1+1") %}').endswith(
        "threw an error during evaluation. T1006: Attempted to invoke a non-function"
    )


def test_timeout_fails_instead_of_hanging() -> None:
    expr = compile_jsonata("{% ($f := function(){$f()}; $f()) %}", "Output", timeout_ms=50)
    started = time.monotonic()
    with pytest.raises(StatesError) as info:
        expr.evaluate({}, {})
    assert time.monotonic() - started < 5
    assert info.value.cause.endswith(
        "threw an error during evaluation: Expression evaluation timeout: Check for infinite loop"
    )


def test_memory_bound_matches_aws() -> None:
    assert run("{% $count([1..873782]) %}") == 873782
    assert cause_of("{% [1..873783] ~> $count() %}").endswith(
        "threw an error during evaluation: Expression evaluation memory limit exceeded: "
        "Check for excessive memory usage"
    )


def test_expected_type_failure_reads_like_aws() -> None:
    expr = compile_jsonata("{% {'foo': 'bar'} %}", "Items")
    with pytest.raises(StatesError) as info:
        expr.evaluate({}, {}, expect="array")
    assert info.value.cause == (
        "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an "
        "unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
    )
    assert compile_jsonata("{% [1] %}", "Items").evaluate({}, {}, expect="array") == [1]


# --- numbers ---------------------------------------------------------------------------------


def test_integral_numbers_come_back_as_int() -> None:
    for text, expected in (("2.0 * 3", 6), ("1.0", 1), ("$x", 2), ('$number("2")', 2)):
        value = run("{% " + text + " %}", {"x": 2.0})
        assert value == expected
        assert type(value) is int
    assert run("{% 1.5 %}") == 1.5
    assert run("{% 0.1 + 0.2 %}") == 0.30000000000000004


def test_non_finite_results_are_named_as_aws_does() -> None:
    assert run("{% 1/0 %}") == "Infinity"
    assert run("{% -1/0 %}") == "-Infinity"


def test_integers_wider_than_64_bits_are_read_as_doubles() -> None:
    assert run("{% $x %}", {"x": 10**30}) == 1e30
    assert run("{% $x.a %}", {"x": {"a": 2**64, "b": [7]}}) == float(2**64)


def test_compiled_expressions_work_on_any_thread() -> None:
    # jsonatapy objects are bound to their thread; each thread gets its own copy on first use.
    template = compile_jsonata_template(
        {"a": "{% $states.input.a + 1 %}", "n": "{% $now() %}"}, "O"
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: template.evaluate(STATES, {}, now_ms=0), range(16)))
    assert results == [{"a": 2, "n": "1970-01-01T00:00:00.000Z"}] * 16
    assert template.evaluate(STATES, {}, now_ms=0)["a"] == 2


# --- AWS's extra functions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "size", "expected"),
    [([0], 1, [[0]]), ([0, 1, 2], 2, [[0, 1], [2]]), ([0, 1, 2, 3], 4, [[0, 1, 2, 3]])],
)
def test_partition(array: list[int], size: int, expected: list[list[int]]) -> None:
    assert run("{% $partition($a, $n) %}", {"a": array, "n": size}) == expected


def test_partition_errors() -> None:
    assert cause_of("{% $partition([1, 2], -1) %}").endswith(
        "D3137: Second argument must be zero or greater"
    )
    assert cause_of('{% $partition([1, 2], "x") %}').endswith(
        'T0410: Argument 2 of function "partition" does not match function signature'
    )
    assert "T0412" in cause_of('{% $partition("x", 1) %}')


@pytest.mark.parametrize(
    ("args", "expected"),
    [("0, 9, 3", [0, 3, 6, 9]), ("0, 10, 3", [0, 3, 6, 9]), ("1, 9, 2", [1, 3, 5, 7, 9])],
)
def test_range(args: str, expected: list[int]) -> None:
    assert run("{% $range(" + args + ") %}") == expected


def test_range_of_one_element_is_the_element() -> None:
    assert run("{% $range(1, 9, 9) %}") == 1
    assert run("{% $range(9, 0, -3) %}") == [9, 6, 3, 0]
    assert "T0410" in cause_of('{% $range("a", 2, 1) %}')


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"])
def test_hash(algorithm: str) -> None:
    digest = hashlib.new(algorithm.replace("-", ""), b"input").hexdigest()
    assert run('{% $hash("input", $alg) %}', {"alg": algorithm}) == digest


def test_hash_errors() -> None:
    assert cause_of('{% $hash("x", "SHA-2") %}').endswith(
        "D3137: Hash algorithm 'SHA-2' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5"
    )
    assert cause_of('{% $hash(1, "MD5") %}').endswith(
        'T0410: Argument 1 of function "hash" does not match function signature'
    )


def test_random_is_reproducible_with_a_seeded_rng() -> None:
    expr = compile_jsonata("{% [$random(), $random()] %}", "Output")
    first = expr.evaluate({}, {}, rng=random.Random(7))
    assert first == expr.evaluate({}, {}, rng=random.Random(7))
    assert first[0] != first[1]
    assert all(0 <= x < 1 for x in first)


def test_random_with_a_seed_is_javas() -> None:
    assert run("{% $random(42) %}") == 0.7275636800328681 == java_random_double(42)
    assert run("{% $random(0) %}") == 0.730967787376657


def test_uuid_is_a_reproducible_v4() -> None:
    expr = compile_jsonata("{% $uuid() %}", "Output")
    value = expr.evaluate({}, {}, rng=random.Random(3))
    assert value == expr.evaluate({}, {}, rng=random.Random(3))
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value
    )
    assert cause_of("{% $uuid(1) %}").endswith(
        'T0410: Argument 1 of function "uuid" does not match function signature'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-0", 0),
        ("1", 1),
        ("1.1", 1.1),
        ("true", True),
        ('"HelloWorld"', "HelloWorld"),
        ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]),
        ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
    ],
)
def test_parse(text: str, expected: Any) -> None:
    assert run("{% $parse($t) %}", {"t": text}) == expected


@pytest.mark.parametrize("text", ["nope", "", '{"a": 1, "a": 2}', "NaN", "[1] [2]"])
def test_parse_refuses_what_aws_refuses(text: str) -> None:
    assert cause_of("{% $parse($t) %}", {"t": text}).endswith("D3137: Invalid JSON")


def test_extras_work_as_function_values() -> None:
    assert run('{% $map(["1", "[2]"], $parse) %}') == [1, [2]]


def test_now_and_millis_read_the_injected_clock() -> None:
    assert run("{% $millis() %}", now_ms=1234) == 1234
    assert run("{% $now() %}", now_ms=0) == "1970-01-01T00:00:00.000Z"
    assert run('{% $now("[Y0001]-[M01]") %}', now_ms=1_700_000_000_000) == "2023-11"


# --- templates -------------------------------------------------------------------------------


def test_template_evaluates_expressions_at_any_depth() -> None:
    template = compile_jsonata_template(
        {"a": "{% $states.input.a %}", "l": [1, "{% $x %}", {"k": "{% true %}"}], "c": "text"},
        "Output",
    )
    assert not template.static
    assert len(template.expressions) == 3
    assert template.evaluate(STATES, {"x": "X"}) == {
        "a": 1,
        "l": [1, "X", {"k": True}],
        "c": "text",
    }


def test_template_literals_stay_literal() -> None:
    value = {
        "not_jsonata": " {% states.input %} ",
        "varpath": "$states.input",
        "jp.$": "$",
        "intrinsic": "States.Format('x{}', 1)",
        "list": [None, 0, 0.1, True, [], {"constant": 0}],
    }
    template = compile_jsonata_template(value, "Output")
    assert template.static
    result = template.evaluate(STATES, {})
    assert result == value
    assert result is not value
    assert result["list"] is not value["list"]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("{% $nope %}", "Output"),
        ({"result": "{% $nope %}"}, "Output/result"),
        ({"a": {"b": "{% $nope %}"}}, "Output/a/b"),
        ({"a": [0, "{% $nope %}"]}, "Output/a[1]"),
    ],
)
def test_template_errors_name_the_nested_field(value: Any, field: str) -> None:
    with pytest.raises(QueryEvaluationError) as info:
        compile_jsonata_template(value, "Output").evaluate(STATES, {})
    assert info.value.location == field
    assert info.value.cause == f"{prefix('$nope', field)} returned nothing (undefined)."


def test_template_passes_the_rng_to_nested_expressions() -> None:
    template = compile_jsonata_template({"r": ["{% $random() %}"]}, "Output")
    assert template.needs_context
    assert template.evaluate({}, {}, rng=random.Random(1)) == template.evaluate(
        {}, {}, rng=random.Random(1)
    )


def test_template_syntax_error_names_its_field() -> None:
    with pytest.raises(ExpressionError, match="Arguments/a/b"):
        compile_jsonata_template({"a": {"b": "{% 1 + %}"}}, "Arguments")


def test_evaluation_never_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    template = compile_jsonata_template(
        {"a": "{% $states.input.a %}", "n": '{% $now("[Y0001]") %}', "u": "{% $uuid() %}"},
        "Output",
    )
    expr = compile_jsonata("{% $parse($states.input.s & '') %}", "Output")

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("compiled during evaluation")

    monkeypatch.setattr(jsonatapy, "compile", refuse)
    monkeypatch.setattr(jsonata_module.jsonatapy, "compile", refuse)
    result = template.evaluate(STATES, {}, rng=random.Random(0), now_ms=0)
    assert result["a"] == 1
    assert result["n"] == "1970"
    with pytest.raises(StatesError):
        expr.evaluate(STATES, {})
