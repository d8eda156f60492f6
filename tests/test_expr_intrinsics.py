"""The 18 States.* intrinsics: values recorded on AWS, argument checks, parsing and rendering."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from sfn_notebook.errors import ExpressionError, StatesError
from sfn_notebook.expr import intrinsics
from sfn_notebook.expr.intrinsics import (
    FUNCTIONS,
    compile_intrinsic,
    is_intrinsic,
    java_double,
    java_text,
    json_text,
)
from sfn_notebook.expr.scope import Scope

CONTEXT = {"StateMachine": {"Id": "arn:sm", "Name": "orders-v2-prod"}, "Execution": {"Name": "e1"}}


def run(text: str, data: Any = None, seed: int = 7) -> Any:
    scope = Scope(context=CONTEXT, variables={"tpl": "It's {}!"}, rng=random.Random(seed))
    return compile_intrinsic(text).evaluate(data, scope)


def failure(text: str, data: Any = None) -> str:
    with pytest.raises(StatesError) as info:
        run(text, data)
    assert info.value.error == "States.IntrinsicFailure"
    return info.value.cause


def test_registry_holds_all_eighteen_functions() -> None:
    names = [
        "Format",
        "StringToJson",
        "JsonToString",
        "Array",
        "ArrayPartition",
        "ArrayContains",
        "ArrayRange",
        "ArrayGetItem",
        "ArrayLength",
        "ArrayUnique",
        "Base64Encode",
        "Base64Decode",
        "Hash",
        "JsonMerge",
        "MathRandom",
        "MathAdd",
        "StringSplit",
        "UUID",
    ]
    assert set(FUNCTIONS) == {f"States.{n}" for n in names}


def test_format() -> None:
    assert run("States.Format('Formatting argument {}.', $.v)", {"v": 1.1}) == (
        "Formatting argument 1.1."
    )
    args = {"fst": {"Arg1": 1, "Arg2": []}, "snd": None}
    # Recorded on AWS: objects print as Java maps, null as null.
    assert run("States.Format('fst={} and snd={}.', $.fst, $.snd)", args) == (
        "fst={Arg1=1, Arg2=[]} and snd=null."
    )
    assert run("States.Format('{}', $$.StateMachine)") == "{Id=arn:sm, Name=orders-v2-prod}"
    assert run("States.Format($tpl, 'Pikachu')") == "It's Pikachu!"
    assert run("States.Format('\\{\"k\":\"{}\"\\} it\\'s \\\\', 'v')") == '{"k":"v"} it\'s \\'
    assert "placeholders" in failure("States.Format('{} and {}', 1)")
    assert "placeholders" in failure("States.Format('none', 1)")
    assert "unescaped '{'" in failure("States.Format('a { b', 1)")
    assert "must be a string" in failure("States.Format($.n, 1)", {"n": 5})


def test_string_to_json() -> None:
    cases = {"": None, " ": None, "null": None, "-0": 0, "1": 1, "1.1": 1.1, "true": True,
             '"HelloWorld"': "HelloWorld", '[1, 2, "HelloWorld"]': [1, 2, "HelloWorld"],
             '{"Arg1": 1, "Arg2": []}': {"Arg1": 1, "Arg2": []}}  # fmt: skip
    for text, expected in cases.items():  # all recorded on AWS
        assert run("States.StringToJson($.s)", {"s": text}) == expected
    assert run('States.StringToJson(\'{"a": "b"}\')') == {"a": "b"}
    assert "not valid JSON" in failure("States.StringToJson('{oops')")
    assert "not valid JSON" in failure("States.StringToJson('NaN')")
    assert "must be a string" in failure("States.StringToJson($.s)", {"s": 1})


def test_json_to_string() -> None:
    assert run("States.JsonToString($.o)", {"o": {"test": "object"}}) == '{"test":"object"}'
    assert run("States.JsonToString($.o)", {"o": [1, 2.5, None, "é\n"]}) == '[1,2.5,null,"é\\n"]'


def test_array() -> None:
    assert run("States.Array()") == []
    assert run("States.Array($.a, $.a, 'x', 1, 2.5, true, null)", {"a": {"b": []}}) == [
        {"b": []}, {"b": []}, "x", 1, 2.5, True, None]  # fmt: skip


def test_array_partition() -> None:
    assert run("States.ArrayPartition($.a, 2)", {"a": [0, 1, 2]}) == [[0, 1], [2]]
    assert run("States.ArrayPartition($.a, 5)", {"a": [0, 1]}) == [[0, 1]]
    assert run("States.ArrayPartition($.a, 1)", {"a": []}) == []
    assert "greater than 0" in failure("States.ArrayPartition($.a, 0)", {"a": [1]})
    assert "must be an array" in failure("States.ArrayPartition('x', 1)")


def test_array_contains_uses_java_equality() -> None:
    assert run("States.ArrayContains($.a, $.v)", {"a": [[1, 2, 3], 2], "v": [1, 2, 3]}) is True
    assert run("States.ArrayContains($.a, $.v)", {"a": [{"1": 2, "2": []}], "v": {"2": [], "1": 2}})
    assert run("States.ArrayContains($.a, $.v)", {"a": [], "v": None}) is False
    assert run("States.ArrayContains($.a, true)", {"a": [1]}) is False
    assert run("States.ArrayContains($.a, 1)", {"a": [1.0]}) is False
    assert "must be an array" in failure("States.ArrayContains(1, 1)")


def test_array_range() -> None:
    assert run("States.ArrayRange(0, 10, 3)") == [0, 3, 6, 9]
    assert run("States.ArrayRange(1, 9, 9)") == [1]
    assert run("States.ArrayRange(5, 1, -2)") == [5, 3, 1]
    assert run("States.ArrayRange(1, 0, 1)") == []
    assert len(run("States.ArrayRange(1, 1000, 1)")) == 1000
    assert "limit of 1000" in failure("States.ArrayRange(0, 1000, 1)")
    assert "not be 0" in failure("States.ArrayRange(0, 3, 0)")
    assert "must be an integer" in failure("States.ArrayRange(0, 3.5, 1)")


def test_array_get_item() -> None:
    assert run("States.ArrayGetItem($.a, $.i)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "i": 5}) == 6
    assert run("States.ArrayGetItem($.a, 0)", {"a": [{"x": 1}]}) == {"x": 1}
    assert "out of bounds" in failure("States.ArrayGetItem($.a, 3)", {"a": [1, 2, 3]})
    assert "out of bounds" in failure("States.ArrayGetItem($.a, -1)", {"a": [1, 2, 3]})
    assert "must be a number" in failure("States.ArrayGetItem($.a, '0')", {"a": [1]})


def test_array_length() -> None:
    assert run("States.ArrayLength($.a)", {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}) == 9
    assert run("States.ArrayLength($.a)", {"a": []}) == 0
    assert "must be an array" in failure("States.ArrayLength($.a)", {"a": "abc"})


def test_array_unique() -> None:
    items = [None, None, True, True, 1, 1, 1.0, "x", "x", [], [], {"a": 1, "b": 2},
             {"b": 2, "a": 1}, {"a": 1, "b": 1}]  # fmt: skip
    assert run("States.ArrayUnique($.a)", {"a": items}) == [
        None, True, 1, 1.0, "x", [], {"a": 1, "b": 2}, {"a": 1, "b": 1}]  # fmt: skip
    assert run("States.ArrayUnique($.a)", {"a": [1, 2, 2, 3, 3, 4]}) == [1, 2, 3, 4]
    assert "must be an array" in failure("States.ArrayUnique(1)")


def test_base64() -> None:
    assert run("States.Base64Encode($.s)", {"s": "Data to encode"}) == "RGF0YSB0byBlbmNvZGU="
    assert run("States.Base64Encode('')") == ""
    assert run("States.Base64Decode($.s)", {"s": "RGF0YSB0byBlbmNvZGU="}) == "Data to encode"
    assert run("States.Base64Decode('')") == ""
    assert "not valid Base64" in failure("States.Base64Decode('%%%')")
    assert "10000 characters" in failure("States.Base64Encode($.s)", {"s": "x" * 10_001})
    assert "must be a string" in failure("States.Base64Encode(1)")


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [  # recorded on AWS for "input data"
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
        ("SHA-384", "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b"
                    "87525bdc835ebb27e1fb9e9374a15562"),
        ("SHA-512", "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce"
                    "2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"),
    ],
)  # fmt: skip
def test_hash(algorithm: str, digest: str) -> None:
    assert run(f"States.Hash('input data', '{algorithm}')") == digest


def test_hash_rejects_unknown_algorithms_and_non_strings() -> None:
    assert "must be one of MD5, SHA-1" in failure("States.Hash('x', 'SHA-3')")
    assert "must be a string" in failure("States.Hash(1, 'MD5')")


def test_json_merge_is_shallow_only() -> None:
    data = {
        "fst": {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3},
        "snd": {"a": {"a3": 1}, "c": 3, "d": 4},
    }
    merged = run("States.JsonMerge($.fst, $.snd, false)", data)
    assert merged == {"a": {"a3": 1}, "b": 2, "d": 4, "c": 3}
    assert data["fst"] == {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}
    assert "shallow merging mode" in failure("States.JsonMerge($.fst, $.snd, true)", data)
    assert "must be an object" in failure("States.JsonMerge($.fst, 1, false)", data)
    assert "must be a boolean" in failure("States.JsonMerge($.fst, $.snd, 0)", data)


def test_math_random_uses_the_scope_rng_and_an_optional_seed() -> None:
    values = {run("States.MathRandom(1, 4)", seed=s) for s in range(50)}
    assert values == {1, 2, 3}  # end is exclusive
    assert run("States.MathRandom(0, 1000)", seed=3) == run("States.MathRandom(0, 1000)", seed=3)
    seeded = {run("States.MathRandom(0, 999, 3)", seed=s) for s in range(5)}
    assert len(seeded) == 1  # a seeded call does not depend on the run's RNG
    assert isinstance(run("States.MathRandom(12.5, 44.51)"), int)
    assert "less than the end" in failure("States.MathRandom(5, 5)")


@pytest.mark.parametrize(
    ("a", "b", "total"),
    [  # recorded on AWS: operands are rounded like Java's Math.round before adding
        (-9, 3, -6), (1.49, 1.5, 3), (1.5, 1.51, 4), (-1.49, -1.5, -2), (-1.5, -1.51, -3),
        (0.5, 0, 1), (2.5, 0, 3), (-0.5, 0, 0), (-2.5, 0, -2), (-3.5, 0, -3), (-0.5, 0.5, 1),
    ],
)  # fmt: skip
def test_math_add(a: float, b: float, total: int) -> None:
    result = run("States.MathAdd($.a, $.b)", {"a": a, "b": b})
    assert result == total
    assert type(result) is int


def test_math_add_rejects_non_numbers() -> None:
    assert "must be a number, but was string" in failure("States.MathAdd('1', 2)")
    assert "but was boolean" in failure("States.MathAdd(true, 2)")


@pytest.mark.parametrize(
    ("text", "splitter", "parts"),
    [  # recorded on AWS: every splitter character splits, empty parts are dropped
        (" , ", ",", [" ", " "]),
        (", , ,", ",", [" ", " "]),
        (",,,,", ",", []),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
        ("abc", "", ["abc"]),
    ],
)
def test_string_split(text: str, splitter: str, parts: list[str]) -> None:
    assert run("States.StringSplit($.t, $.s)", {"t": text, "s": splitter}) == parts


def test_uuid_is_version_4_and_reproducible() -> None:
    value = run("States.UUID()")
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value
    )
    assert run("States.UUID()", seed=1) == run("States.UUID()", seed=1)
    assert run("States.UUID()", seed=1) != run("States.UUID()", seed=2)


def test_nested_calls() -> None:
    # Recorded on AWS (with the state machine's name).
    last = "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(" \
           "States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))"  # fmt: skip
    assert run(last) == "prod"
    assert run("States.Format('{} {}', $.a.length() , $.a[0])", {"a": [[1]]}) == "1 [1]"


def test_missing_path_argument_is_a_runtime_error() -> None:
    with pytest.raises(StatesError) as info:
        compile_intrinsic("States.Array($.nope)", field="v.$").evaluate({"x": 1}, Scope())
    assert info.value.error == "States.Runtime"
    assert info.value.cause == (
        "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input "
        "'{\"x\":1}'"
    )


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("States.Nope(1)", 1),
        ("States.Array(1", 15),
        ("States.Array(1 2)", 16),
        ("States.Format('{}' , $.a.)", 26),
        ("States.Format('a\\nb')", 17),
        ("States.Format('open)", 15),
        ("States.UUID(1)", 1),
        ("States.MathAdd(1)", 1),
        ("States.Array() x", 16),
        ("States.Array(#)", 14),
        ("'just a string'", 1),
    ],
)
def test_syntax_errors_carry_a_column(text: str, column: int) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_intrinsic(text)
    assert info.value.column == column


def test_nesting_is_limited_to_ten() -> None:
    ten = "States.Array(" * 10 + ")" * 10
    assert compile_intrinsic(ten)
    with pytest.raises(ExpressionError, match="at most 10"):
        compile_intrinsic("States.Array(" * 11 + ")" * 11)


def test_is_intrinsic() -> None:
    assert is_intrinsic("States.Format('x')")
    assert not is_intrinsic("$.States")
    assert not is_intrinsic(None)


def test_a_custom_registry_extends_the_language() -> None:
    @intrinsics.intrinsic("States.Twice", 1)
    def twice(call: Any, args: list[Any], scope: Scope) -> Any:
        return args[0] * 2

    try:
        registry = dict(FUNCTIONS)
        assert (
            compile_intrinsic("States.Twice(21)", registry=registry).evaluate(None, Scope()) == 42
        )
    finally:
        del FUNCTIONS["States.Twice"]
    with pytest.raises(ExpressionError):
        compile_intrinsic("States.Twice(21)")


def test_evaluation_never_parses_again(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = compile_intrinsic("States.Format('{}-{}', $.a[0], States.MathAdd($.b, 1))")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed during evaluation")

    monkeypatch.setattr(intrinsics, "_Parser", boom)
    monkeypatch.setattr(intrinsics, "compile_path", boom)
    for _ in range(3):
        assert compiled.evaluate({"a": ["x"], "b": 1}, Scope()) == "x-2"


@pytest.mark.parametrize(
    ("number", "text"),
    [(1.0, "1.0"), (1.1, "1.1"), (-0.0, "-0.0"), (1e7, "1.0E7"), (9999999.5, "9999999.5"),
     (0.001, "0.001"), (0.0001, "1.0E-4"), (1.5e-10, "1.5E-10"), (123456789.0, "1.23456789E8"),
     (1e21, "1.0E21"), (float("inf"), "Infinity")],
)  # fmt: skip
def test_java_double(number: float, text: str) -> None:
    assert java_double(number) == text


def test_java_and_json_rendering() -> None:
    value = {"a": [1, 2.0, None, True], "b": {"c": 'd\u0001"\\'}}
    assert java_text(value) == '{a=[1, 2.0, null, true], b={c=d\u0001"\\}}'
    assert json_text(value) == '{"a":[1,2.0,null,true],"b":{"c":"d\\u0001\\"\\\\"}}'
