"""Reading definitions: JSON, YAML, dicts, and every kind of bad input, into the typed model."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.asl import model as m

RICH = """
Comment: every state type
QueryLanguage: JSONPath
StartAt: P
TimeoutSeconds: 60
States:
  P: {Type: Pass, Result: {a: 1}, ResultPath: $.r, Next: T}
  T:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Parameters: {FunctionName: f, Payload.$: $}
    ResultSelector: {p.$: $.Payload}
    ResultPath: null
    TimeoutSeconds: 5
    Retry: [{ErrorEquals: [States.ALL], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 1.5,
             MaxDelaySeconds: 10, JitterStrategy: FULL}]
    Catch: [{ErrorEquals: [States.ALL], ResultPath: $.err, Next: F}]
    Next: C
  C:
    Type: Choice
    Choices:
      - And: [{Variable: $.x, IsPresent: true}, {Not: {Variable: $.x, StringEquals: a}}]
        Next: W
    Default: Par
  W: {Type: Wait, SecondsPath: $.s, Next: Par}
  Par:
    Type: Parallel
    Branches:
      - StartAt: B1
        States: {B1: {Type: Succeed}}
    Next: M
  M:
    Type: Map
    ItemsPath: $.items
    MaxConcurrency: 2
    ToleratedFailurePercentage: 10
    ItemProcessor:
      ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: EXPRESS}
      StartAt: I
      States: {I: {Type: Pass, End: true}}
    Label: items
    Next: S
  S: {Type: Succeed}
  F: {Type: Fail, ErrorPath: $.err.Error, CausePath: $.err.Cause}
"""


def test_yaml_and_json_give_the_same_model() -> None:
    import json

    import yaml

    from_yaml = sfn.parse(RICH)
    from_json = sfn.parse(json.dumps(yaml.safe_load(RICH)))
    assert from_yaml == from_json
    assert isinstance(from_yaml, m.Definition)
    assert from_yaml.timeout_seconds == 60


def test_model_keeps_fields_and_pointers() -> None:
    d = sfn.parse(RICH)
    task = d.states["T"]
    assert isinstance(task, m.TaskState)
    assert task.pointer == "/States/T"
    assert task.result_path is None  # explicit null, not absent
    assert task.input_path == "$"  # absent
    assert task.retry[0].pointer == "/States/T/Retry/0"
    assert task.retry[0].jitter_strategy == "FULL"
    assert task.catch[0].next == "F"
    mapped = d.states["M"]
    assert isinstance(mapped, m.MapState)
    assert (mapped.mode, mapped.execution_type, mapped.label) == ("DISTRIBUTED", "EXPRESS", "items")
    assert mapped.processor is not None
    assert mapped.processor.states["I"].pointer == "/States/M/ItemProcessor/States/I"
    parallel = d.states["Par"]
    assert isinstance(parallel, m.ParallelState)
    assert parallel.branches[0].pointer == "/States/Par/Branches/0"
    assert [s.name for s in d.walk()] == ["P", "T", "C", "W", "Par", "B1", "M", "I", "S", "F"]


def test_model_is_frozen() -> None:
    d = sfn.parse(RICH)
    with pytest.raises(AttributeError):
        d.start_at = "X"  # type: ignore[misc]


@pytest.mark.parametrize(
    "source",
    [
        '{"StartAt": "A", "States": {',  # truncated JSON
        "StartAt: [unclosed",  # malformed YAML
        "[1, 2, 3]",  # a list, not an object
        b"\x89PNG\r\n\x1a\n\x00\x00\x00",  # binary garbage
        b"\xff\xfe\xfa",  # not UTF-8
        "",  # empty
        "42",
        {"States": {}},  # an object without StartAt
    ],
)
def test_bad_input_raises_definition_error_with_a_diagnostic(source: Any) -> None:
    with pytest.raises(sfn.DefinitionError) as raised:
        sfn.parse(source)
    assert raised.value.diagnostics
    assert all(d.severity == "ERROR" for d in raised.value.diagnostics if d.code != "NO_DOLLAR")


def test_malformed_json_reports_line_and_column() -> None:
    diagnostics = sfn.validate('{\n  "StartAt": "A",\n  "States": }')
    assert diagnostics[0].code == "INVALID_JSON_DESCRIPTION"
    assert "line 3 column 13" in diagnostics[0].message


def test_definition_error_message_is_aws_shaped() -> None:
    with pytest.raises(sfn.DefinitionError) as raised:
        sfn.parse({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    assert str(raised.value).startswith("Invalid State Machine Definition: '")
    assert "MISSING_TRANSITION_TARGET" in str(raised.value)


def test_core_layers_import_no_notebook_or_dataframe_libraries() -> None:
    code = (
        "import sys, sfn_notebook.asl, sfn_notebook.expr, sfn_notebook.engine;"
        "import sfn_notebook.asl.validate, sfn_notebook.expr.jsonata, sfn_notebook.expr.choice;"
        "import sfn_notebook.expr.template, sfn_notebook.expr.intrinsics;"
        "banned = {'IPython', 'ipywidgets', 'pandas', 'graphviz', 'anywidget'};"
        "print(sorted(banned & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
