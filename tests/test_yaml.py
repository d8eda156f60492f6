"""YAML definitions read by the YAML 1.2 core schema (sfn_notebook/asl/yaml_core.py).

Each case goes through ``sfn.run`` (a Pass state's Result is the value as the engine sees it) or
``sfn.parse``. Most of them read differently in YAML 1.1 (PyYAML's ``safe_load``); the rest pin
down what stays the same.
"""

from __future__ import annotations

from typing import Any

import pytest

import sfn_notebook as sfn


def result_of(result_yaml: str) -> Any:
    """The output of a Pass state whose ``Result`` is written as ``result_yaml`` (flow style)."""
    definition = (
        f"StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: {result_yaml}\n    End: true\n"
    )
    execution = sfn.run(definition)
    assert execution.status == "SUCCEEDED", execution.cause
    return execution.output


@pytest.mark.parametrize(
    ("written", "value"),
    [
        # YAML 1.1 booleans are strings in 1.2
        ("Yes", "Yes"),
        ("No", "No"),
        ("yes", "yes"),
        ("on", "on"),
        ("Off", "Off"),
        ("y", "y"),
        ("n", "n"),
        # only true/false in three spellings are booleans
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("tRUE", "tRUE"),
        # null
        ("~", None),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("nULL", "nULL"),
        # integers: base 10 (a leading zero is not octal), 0o octal, 0x hexadecimal
        ("017", 17),
        ("0o17", 15),
        ("0x1F", 31),
        ("-42", -42),
        ("+7", 7),
        ("0b101", "0b101"),  # binary is 1.1 only
        ("1_000", "1_000"),  # so are digit separators
        ("12:30", "12:30"),  # and sexagesimal numbers (750 in 1.1)
        ("-1:30", "-1:30"),
        # floats
        ("1.5", 1.5),
        ("1e3", 1000.0),  # an exponent needs no dot in 1.2
        (".5", 0.5),
        ("-2.", -2.0),
        # no timestamp type: dates stay as written
        ("2024-01-01", "2024-01-01"),
        ("2024-01-01T12:30:00Z", "2024-01-01T12:30:00Z"),
        ("2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 -5"),
        # quoting and explicit tags still decide
        ("'017'", "017"),
        ("!!str 12", "12"),
        ("!!float 3", 3.0),
        ("=", "="),  # the 1.1 "value" key is a plain string
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(written: str, value: Any) -> None:
    output = result_of(f"{{v: {written}}}")
    assert output == {"v": value}
    assert type(output["v"]) is type(value)


def test_a_pass_result_keeps_yes_no_and_times_as_strings() -> None:
    assert result_of("{answer: No, time: 12:30, light: on}") == {
        "answer": "No",
        "time": "12:30",
        "light": "on",
    }


def test_keys_are_their_text_as_written() -> None:
    output = result_of("{200: ok, true: t, ~: n, 0o17: o, 1.50: f, No: no}")
    assert output == {"200": "ok", "true": "t", "~": "n", "0o17": "o", "1.50": "f", "No": "no"}


def test_a_wait_timestamp_is_the_text_written() -> None:
    definition = sfn.parse(
        "StartAt: W\nStates:\n  W: {Type: Wait, Timestamp: 2030-01-01T00:00:00Z, End: true}\n"
    )
    assert definition.states["W"].timestamp == "2030-01-01T00:00:00Z"  # type: ignore[attr-defined]


def test_state_names_that_yaml_1_1_would_turn_into_booleans() -> None:
    definition = sfn.parse(
        "StartAt: Yes\nStates:\n  Yes: {Type: Pass, Next: No}\n  No: {Type: Succeed}\n"
    )
    assert list(definition.states) == ["Yes", "No"]
    assert sfn.run(definition.raw).status == "SUCCEEDED"


@pytest.mark.parametrize("written", [".inf", "-.Inf", "+.INF", ".nan", ".NaN"])
def test_infinity_and_nan_are_floats_no_json_document_can_hold(written: str) -> None:
    with pytest.raises(sfn.DefinitionError) as raised:
        sfn.parse(
            f"StartAt: P\nStates:\n  P: {{Type: Pass, Result: {{v: {written}}}, End: true}}\n"
        )
    [diagnostic] = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.location) == (
        "INVALID_JSON_DESCRIPTION",
        "/States/P/Result/v",
    )


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("!!int 1_000", "'1_000' is not a YAML 1.2 integer"),
        ("!!bool yes", "'yes' is not a YAML 1.2 boolean"),
        ("!!python/object/apply:os.system [id]", "could not determine a constructor"),
        ("{[a, b]: 1}", "found a key that is not a scalar"),
    ],
)
def test_what_the_core_schema_cannot_read_is_an_invalid_definition(
    written: str, problem: str
) -> None:
    with pytest.raises(sfn.DefinitionError) as raised:
        sfn.parse(
            f"StartAt: P\nStates:\n  P: {{Type: Pass, Result: {{v: {written}}}, End: true}}\n"
        )
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "INVALID_JSON_DESCRIPTION"
    assert problem in diagnostic.message
    assert "at line 3 column" in diagnostic.message


def test_anchors_aliases_and_merge_keys_share_parts() -> None:
    # The << merge key is not in the 1.2 core schema, but PyYAML (SAM) and js-yaml (Serverless)
    # both merge with it by default, so definitions written for them keep working.
    text = (
        "StartAt: A\n"
        "States:\n"
        "  A: &common {Type: Pass, Result: 1, ResultPath: $.r, Next: B}\n"
        "  B: {<<: *common, Result: 2, ResultPath: $.s, Next: C}\n"
        "  C: {Type: Pass, Result: *common, ResultPath: $.c, End: true}\n"
    )
    execution = sfn.run(text, {})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {
        "r": 1,
        "s": 2,
        "c": {"Type": "Pass", "Result": 1, "ResultPath": "$.r", "Next": "B"},
    }
