"""Bad input never escapes as a Python traceback: property tests over parse, validate, run and the
Runtime API.

``parse``/``validate`` get arbitrary JSON values, text and bytes, and mutations of the conformance
definitions (fields deleted, replaced and retyped, junk expressions inserted); ``run`` gets the
definitions that validate with arbitrary input; the Runtime gets wrong ARNs, wrong types and bad
pagination tokens. Each must answer with a Definition, a list of Diagnostics, a finished
Execution or an SfnNotebookError with an AWS-like code.
"""

from __future__ import annotations

import copy
import functools
import json
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sfn_notebook as sfn
from sfn_notebook.errors import DefinitionError, Diagnostic, SfnNotebookError
from sfn_notebook.store import Store

CONFORMANCE = Path(__file__).resolve().parents[2] / "shared/conformance/localstack_pure.jsonl"
FALLBACK: list[dict[str, Any]] = [
    {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "P"}],
                "Default": "F",
            },
            "P": {"Type": "Pass", "Parameters": {"x.$": "States.Format('{}', $.n)"}, "Next": "W"},
            "W": {"Type": "Wait", "SecondsPath": "$.n", "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
                "End": True,
            },
            "F": {"Type": "Fail", "ErrorPath": "$.e", "Cause": "no"},
        },
    },
    {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $states.input.a + 1 %}", "End": True}},
    },
]


def _definitions() -> list[dict[str, Any]]:
    if not CONFORMANCE.exists():  # shared/ sits beside the repository in CI and sessions
        return FALLBACK
    with CONFORMANCE.open(encoding="utf-8") as lines:
        return [json.loads(line)["definition"] for line in lines if line.strip()] + FALLBACK


DEFINITIONS = _definitions()
VALID = []
for _definition in DEFINITIONS:
    try:
        sfn.parse(_definition)
    except DefinitionError:
        continue
    VALID.append(_definition)

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
ODD = st.sampled_from(
    [
        None,
        [],
        [1, None],
        {},
        10**30,
        -1,
        0,
        1.5,
        1e308,
        "NaN",
        "Infinity",
        "",
        "$",
        "$$",
        "$.",
        "$[",
        "$..*",
        "$.a[?(@.x",
        "{% %}",
        "{% $x %}",
        "{% 1 + %}",
        "{% $states.input.a %}",
        "States.Format(",
        "States.Format('{}', $.a",
        "States.Array(",
        "States.StringToJson($.x)",
        "States.JsonMerge($.a,$.b,true)",
        "1970-01-01T00:00:00Z",
        "\u2603\U0001f600",
        "a" * 300,
        {"a": {"b": {"c": {"d": [[[[]]]]}}}},
    ]
)
FIELDS = st.sampled_from(
    [
        "Type",
        "Next",
        "End",
        "Parameters",
        "Arguments",
        "Output",
        "Assign",
        "ResultPath",
        "InputPath",
        "OutputPath",
        "ItemsPath",
        "Items",
        "Condition",
        "Variable",
        "Seconds",
        "SecondsPath",
        "Timestamp",
        "TimestampPath",
        "Retry",
        "Catch",
        "QueryLanguage",
        "Choices",
        "Default",
        "Branches",
        "ItemProcessor",
        "Iterator",
        "ProcessorConfig",
        "Mode",
        "TimeoutSeconds",
        "HeartbeatSeconds",
        "MaxConcurrency",
        "Resource",
        "ErrorEquals",
        "States",
        "StartAt",
        "Comment",
        "ResultSelector",
        "x.$",
        "Error",
        "Cause",
        "ErrorPath",
        "CausePath",
        "StringEquals",
        "TimestampEquals",
        "IsPresent",
        "And",
        "Not",
        "ItemSelector",
        "ToleratedFailurePercentage",
        "ItemReader",
        "ItemBatcher",
        "Label",
        "Credentials",
        "BackoffRate",
        "MaxAttempts",
        "IntervalSeconds",
        "JitterStrategy",
        "MaxDelaySeconds",
    ]
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*at, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*at, i))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A conformance definition with one to four fields deleted, replaced or added."""
    document = copy.deepcopy(draw(st.sampled_from(DEFINITIONS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.sampled_from(_paths(document)[1:] or [()]))
        if not at:
            break
        parent = document
        for key in at[:-1]:
            parent = parent[key]
        value = copy.deepcopy(draw(ODD | JSON))
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete":
            del parent[at[-1]]
        elif action == "replace":
            parent[at[-1]] = value
        elif isinstance(parent[at[-1]], dict):
            parent[at[-1]][draw(FIELDS)] = value
    return document


def _check_definition(source: Any) -> None:
    try:
        model = sfn.parse(source)
    except DefinitionError as error:
        assert error.diagnostics, f"DefinitionError without diagnostics: {error}"
        assert all(isinstance(d, Diagnostic) for d in error.diagnostics)
    else:
        assert isinstance(model, sfn.Definition)
    diagnostics = sfn.validate(source)
    assert isinstance(diagnostics, list)
    assert all(isinstance(d, Diagnostic) for d in diagnostics)


# -- parse and validate ---------------------------------------------------------------------------


@settings(SETTINGS, max_examples=150)
@given(JSON | ODD)
def test_parse_any_json_value(value: Any) -> None:
    _check_definition(value)
    _check_definition(json.dumps(value))


@settings(SETTINGS, max_examples=150)
@given(st.text())
def test_parse_any_text(text: str) -> None:
    _check_definition(text)


@settings(SETTINGS, max_examples=150)
@given(st.binary())
def test_parse_any_bytes(data: bytes) -> None:
    _check_definition(data)


@settings(SETTINGS, max_examples=400)
@given(mutated())
def test_parse_mutated_definitions(document: Any) -> None:
    _check_definition(document)
    _check_definition(json.dumps(document))


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("[" * 5000 + "]" * 5000, "INVALID_JSON_DESCRIPTION"),
        ('{"a":' * 500 + "1" + "}" * 500, "INVALID_JSON_DESCRIPTION"),
        ("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 300)), "INVALID_JSON_DESCRIPTION"),
        ("&a [*a]", "INVALID_JSON_DESCRIPTION"),  # a YAML alias that contains itself
        ('{"StartAt": ' + "9" * 5000 + "}", "INVALID_JSON_DESCRIPTION"),
        ('{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": NaN}}}', None),
        ("!!set {a, b}", "INVALID_JSON_DESCRIPTION"),
        ({"StartAt": "A", "States": {"A": {"Type": {}}}}, "SCHEMA_VALIDATION_FAILED"),
        ({"StartAt": "A", "States": {1: {"Type": "Succeed"}}}, "MISSING_TRANSITION_TARGET"),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {1, 2}}}}, None),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": float("inf")}}}, None),
        (
            {
                "StartAt": "C",
                "States": {
                    "C": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$", "TimestampEquals": "now", "Next": "E"}],
                        "Default": "E",
                    },
                    "E": {"Type": "Succeed"},
                },
            },
            "SCHEMA_VALIDATION_FAILED",
        ),
    ],
)
def test_parse_known_bad_inputs(source: Any, code: str | None) -> None:
    with pytest.raises(DefinitionError) as raised:
        sfn.parse(source)
    codes = {d.code for d in raised.value.diagnostics}
    assert codes if code is None else code in codes
    assert all(isinstance(d, Diagnostic) for d in sfn.validate(source))


def test_parse_cyclic_and_deep_python_values() -> None:
    cyclic: dict[str, Any] = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    cyclic["States"]["A"]["Result"] = cyclic
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(3000):
        inner["a"] = {}
        inner = inner["a"]
    for source in (cyclic, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": deep}}}):
        with pytest.raises(DefinitionError) as raised:
            sfn.parse(source)
        assert raised.value.diagnostics[0].location.startswith("/States/A/Result")


# -- run ----------------------------------------------------------------------------------------

TERMINAL_EVENTS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut"}


def _check_execution(execution: sfn.Execution, document: Any) -> None:
    assert execution.status in ("SUCCEEDED", "FAILED", "TIMED_OUT")
    history = execution.history
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))
    assert all(0 <= e["previousEventId"] < e["id"] for e in history)
    assert history[-1]["type"] in TERMINAL_EVENTS
    if execution.status == "FAILED":
        assert "internal error" not in (execution.cause or ""), execution.cause
        if execution.error == "States.Runtime":
            names = set(_state_names(document))
            assert any(f"'{name}'" in (execution.cause or "") for name in names), execution.cause


def _state_names(document: Any) -> list[str]:
    return [
        at[-1]
        for at in _paths(document)
        if len(at) >= 2 and at[-2] == "States" and isinstance(at[-1], str)
    ]


INPUTS = JSON | ODD | st.sampled_from([{"n": 3, "items": [1, 2], "e": "E"}, {"a": 1}, 10**400])


@settings(SETTINGS, max_examples=250)
@given(st.sampled_from(VALID), INPUTS)
def test_run_valid_definitions_with_any_input(document: Any, value: Any) -> None:
    _check_execution(sfn.run(document, value), document)


@settings(SETTINGS, max_examples=250)
@given(mutated(), INPUTS)
def test_run_mutated_definitions_that_validate(document: Any, value: Any) -> None:
    try:
        model = sfn.parse(document)
    except DefinitionError:
        return
    _check_execution(sfn.run(model, value), document)


@settings(SETTINGS, max_examples=100)
@given(
    st.text(max_size=40)
    | st.sampled_from(["NaN", "[1e999]", "9" * 5000, '{"a":' * 3000, "  ", '"\\ud800"'])
)
def test_run_any_input_text(text: str) -> None:
    document = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    try:
        execution = sfn.run(document, input_json=text)
    except sfn.ExecutionInputError:
        return
    _check_execution(execution, document)


def test_run_deep_input_fails_the_state() -> None:
    document = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Parameters": {"s.$": "States.JsonToString($)"}, "End": True}
        },
    }
    execution = sfn.run(document, input_json='{"a":' * 900 + "1" + "}" * 900)
    assert execution.status == "FAILED"
    assert "'P'" in (execution.cause or "")
    _check_execution(execution, document)


@pytest.mark.parametrize(
    ("state", "value"),
    [
        ({"Type": "Wait", "TimestampPath": "$.missing", "End": True}, {}),
        ({"Type": "Wait", "SecondsPath": "$.n", "End": True}, {"n": 10**400}),
        ({"Type": "Wait", "SecondsPath": "$.n", "End": True}, {"n": 1e308}),
    ],
)
def test_wait_paths_fail_cleanly(state: dict[str, Any], value: Any) -> None:
    document = {"StartAt": "W", "States": {"W": state}}
    execution = sfn.run(document, value)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    _check_execution(execution, document)


# -- through a stored Runtime and back ----------------------------------------------------------

# Strings UTF-8 cannot encode: a lone surrogate (os.listdir's '\\udcff' for a file name that is
# not UTF-8), a pair split in a Python str, one among ordinary text.
UNENCODABLE = st.sampled_from(["\udcff", "\ud800", "a\ud83d\ude00b", "\u2603\udfff"])
TEXT = st.text(max_size=12) | UNENCODABLE
_DEEPEST: Any = 0
for _ in range(3000):  # deeper than JSON encoders recurse
    _DEEPEST = [_DEEPEST]
PAYLOADS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities: not JSON
    | st.sampled_from([10**30, -(10**400), -0.0, 5e-324, 1e308, 2**63, 0.1 + 0.2])
    | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
) | st.sampled_from(
    [
        "x" * (300 * 1024),  # over the 256 KiB quota
        {"big": ["\u00e9" * 1000] * 140},  # under it in characters, over it in UTF-8 bytes
        _DEEPEST,
    ]
)
DEEP = st.integers(1, 400).map(
    lambda depth: functools.reduce(lambda v, _: {"a": v}, range(depth), 0)
)
# The documented ways such a payload fails an execution (anything else must succeed).
PAYLOAD_ERRORS = {
    "Runtime.MarshalError",  # a function's result JSON cannot hold, or UTF-8 cannot encode
    "States.DataLimitExceeded",  # over 256 KiB
    "States.Runtime",  # an intrinsic cannot render it (States.JsonToString of deep input)
}
STORED_FLOW = {
    "StartAt": "In",
    "States": {
        "In": {
            "Type": "Pass",
            "Parameters": {"input.$": "$", "text.$": "States.JsonToString($)"},
            "Next": "T",
        },
        "T": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:give",
            "Parameters": {"name.$": "$$.Execution.Name"},
            "ResultPath": "$.result",
            "Next": "Out",
        },
        "Out": {"Type": "Pass", "End": True},
    },
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: Any) -> Any:
    """A Runtime with a store, a reader of the same file, and the results its function gives."""
    path = tmp_path_factory.mktemp("stored") / "h.sqlite"
    results: dict[str, Any] = {}
    runtime = sfn.Runtime(
        store=path, clock="virtual", functions={"give": lambda event, _: results[event["name"]]}
    )
    machine = runtime.create_state_machine(name="m", definition=STORED_FLOW)["stateMachineArn"]
    reader = Store(path, readonly=True)
    yield runtime, machine, reader, results
    reader.close()
    runtime.close()
    assert runtime.store is not None and runtime.store.problems == []


@settings(SETTINGS, max_examples=120)
@given(PAYLOADS | DEEP, PAYLOADS | DEEP)
def test_payloads_through_a_stored_runtime_and_back(stored: Any, value: Any, result: Any) -> None:
    runtime, machine, reader, results = stored
    name = f"e{len(results)}"
    results[name] = result
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the store writes every row as it is: no warning
        try:
            execution = runtime.start(machine, value, name=name)
        except sfn.ExecutionInputError:
            event("ExecutionInputError")
            return  # the documented refusal: not a JSON value AWS would take
        execution.wait(30)
    event(execution.error or execution.status)
    assert execution.status in ("SUCCEEDED", "FAILED"), execution
    if execution.status == "FAILED":
        assert execution.error in PAYLOAD_ERRORS, (execution.error, execution.cause)
    row = reader.execution(execution.arn)
    assert row is not None and row.status == execution.status
    assert reader.events(row.id) == execution.history
    assert (row.output, row.error, row.cause) == (
        execution.output_json,
        execution.error,
        execution.cause,
    )


# -- the Runtime API ----------------------------------------------------------------------------

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


@pytest.fixture(scope="module")
def rt() -> Any:
    runtime = sfn.Runtime(store=None, clock="virtual")
    machine = runtime.create_state_machine(name="m", definition=PASS)["stateMachineArn"]
    execution = runtime.start_execution(stateMachineArn=machine, name="e")["executionArn"]
    runtime.execution(execution).wait()
    yield runtime, machine, execution
    runtime.close()


BAD_VALUES = st.sampled_from(
    [123, None, [], {}, "", "garbage", "arn:", 1.5, b"x", True, "-1", "arn:aws:states:::x"]
)
CALLS = [
    ("describe_execution", "executionArn"),
    ("get_execution_history", "executionArn"),
    ("stop_execution", "executionArn"),
    ("redrive_execution", "executionArn"),
    ("describe_state_machine", "stateMachineArn"),
    ("list_executions", "stateMachineArn"),
    ("start_execution", "stateMachineArn"),
    ("start_sync_execution", "stateMachineArn"),
    ("delete_state_machine", "stateMachineArn"),
    ("list_state_machine_versions", "stateMachineArn"),
    ("describe_activity", "activityArn"),
    ("delete_activity", "activityArn"),
    ("send_task_success", "taskToken"),
    ("send_task_failure", "taskToken"),
    ("send_task_heartbeat", "taskToken"),
    ("create_activity", "name"),
    ("get_execution_history", "nextToken"),
    ("get_execution_history", "maxResults"),
    ("list_executions", "nextToken"),
    ("list_executions", "maxResults"),
    ("list_executions", "statusFilter"),
    ("list_state_machines", "nextToken"),
    ("list_state_machines", "maxResults"),
    ("list_activities", "nextToken"),
    ("list_activities", "maxResults"),
    ("start_execution", "input"),
    ("start_execution", "name"),
    ("create_state_machine", "name"),
    ("create_state_machine", "definition"),
    ("create_state_machine", "type"),
    ("update_state_machine", "definition"),
    ("test_state", "definition"),
    ("test_state", "input"),
]


def _call(rt: Any, method: str, field: str, value: Any) -> None:
    runtime, machine, execution = rt
    defaults: dict[str, dict[str, Any]] = {
        "executionArn": {"executionArn": execution},
        "stateMachineArn": {"stateMachineArn": machine},
        "send_task_success": {"taskToken": "t", "output": "{}"},
        "create_state_machine": {"name": "other", "definition": PASS},
        "test_state": {"definition": {"Type": "Pass", "End": True}},
        "start_execution": {"stateMachineArn": machine},
        "update_state_machine": {"stateMachineArn": machine},
    }
    kwargs: dict[str, Any] = {}
    if method in ("get_execution_history",):
        kwargs.update(defaults["executionArn"])
    if method in ("list_executions",):
        kwargs.update(defaults["stateMachineArn"])
    kwargs.update(defaults.get(method, {}))
    kwargs[field] = value
    getattr(runtime, method)(**kwargs)


@settings(SETTINGS, max_examples=250)
@given(st.sampled_from(CALLS), BAD_VALUES)
def test_runtime_misuse_raises_sfn_errors(rt: Any, call: tuple[str, str], value: Any) -> None:
    method, field = call
    try:
        _call(rt, method, field, value)
    except SfnNotebookError as error:
        assert error.code != SfnNotebookError.code, f"{method}({field}={value!r}): no AWS code"


# A value of the wrong type is refused before any request, as a boto3 client refuses it
# (ParamValidationError); a well-typed value AWS refuses has AWS's code.
@pytest.mark.parametrize(
    ("method", "kwargs", "code"),
    [
        ("describe_execution", {"executionArn": 123}, "ParamValidationError"),
        ("describe_execution", {"executionArn": []}, "ParamValidationError"),
        ("get_execution_history", {"nextToken": "garbage"}, "InvalidToken"),
        ("get_execution_history", {"maxResults": "10"}, "ParamValidationError"),
        ("get_execution_history", {"maxResults": 1001}, "ValidationException"),
        ("list_state_machines", {"nextToken": "-1"}, "InvalidToken"),
        ("list_activities", {"nextToken": "x"}, "InvalidToken"),
        ("list_executions", {"statusFilter": "DONE"}, "ValidationException"),
        ("start_execution", {"input": {"a": 1}}, "ParamValidationError"),
        ("create_state_machine", {"name": "b", "definition": b"{"}, "ParamValidationError"),
        ("test_state", {"definition": ""}, "ParamValidationError"),
        ("test_state", {"definition": 123}, "ParamValidationError"),
        ("delete_state_machine", {"stateMachineArn": []}, "ParamValidationError"),
        ("start", {"state_machine": 123}, "InvalidArn"),
    ],
)
def test_runtime_misuse_codes(rt: Any, method: str, kwargs: dict[str, Any], code: str) -> None:
    runtime, machine, execution = rt
    base: dict[str, Any] = {
        "get_execution_history": {"executionArn": execution},
        "list_executions": {"stateMachineArn": machine},
        "start_execution": {"stateMachineArn": machine},
    }.get(method, {})
    with pytest.raises(SfnNotebookError) as raised:
        getattr(runtime, method)(**{**base, **kwargs})
    assert raised.value.code == code


def test_paging_with_returned_tokens(rt: Any) -> None:
    runtime, _, execution = rt
    events, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {}
        response = runtime.get_execution_history(executionArn=execution, maxResults=1, **kwargs)
        events += response["events"]
        token = response.get("nextToken")
        if token is None:
            break
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))


def test_stop_of_a_finished_execution(rt: Any) -> None:
    runtime, _, execution = rt
    assert "stopDate" in runtime.stop_execution(executionArn=execution)
    assert runtime.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
