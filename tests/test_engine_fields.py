"""A bad value in a numeric or timestamp field fails the state with AWS's words, at the point and
with the events AWS writes.

JSONPath ``*Path`` problems are ``States.Runtime``: ``ExecutionFailed`` straight after the last
event (no Catch applies). JSONata values are ``States.QueryEvaluationError``: an
``EvaluationFailed`` event naming the field, then the state's own failure events. Causes marked
"recorded" are AWS's text from recorded executions; the rest are ours (see engine/fields.py).
"""

from __future__ import annotations

from typing import Any

import pytest

import sfn_notebook as sfn

RUNTIME = "States.Runtime"
QUERY = "States.QueryEvaluationError"
SDK = "arn:aws:states:::aws-sdk:s3:listBuckets"


def _machine(state: dict[str, Any], jsonata: bool) -> dict[str, Any]:
    machine: dict[str, Any] = {"StartAt": "S", "States": {"S": {**state, "End": True}}}
    if jsonata:
        machine["QueryLanguage"] = "JSONata"
    return machine


def wait(jsonata: bool = False, **fields: Any) -> dict[str, Any]:
    return _machine({"Type": "Wait", **fields}, jsonata)


def task(jsonata: bool = False, **fields: Any) -> dict[str, Any]:
    return _machine({"Type": "Task", "Resource": SDK, **fields}, jsonata)


def map_(jsonata: bool = False, distributed: bool = False, **fields: Any) -> dict[str, Any]:
    processor: dict[str, Any] = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": True}},
    }
    if distributed:
        processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    return _machine({"Type": "Map", "ItemProcessor": processor, **fields}, jsonata)


# (type, previousEventId, EvaluationFailed location) after ExecutionStarted
ENTERED = ("StateEntered", 0, None)
FAILED_AT_2 = [("ExecutionFailed", 2, None)]


CASES = [
    # --- Wait ---------------------------------------------------------------------------------
    pytest.param(
        wait(SecondsPath="$.s"),
        {},
        RUNTIME,
        "The SecondsPath parameter does not reference an input value: $.s",  # recorded
        FAILED_AT_2,
        id="wait-seconds-path-missing",
    ),
    pytest.param(
        wait(SecondsPath="$.s"),
        {"s": 1.5},
        RUNTIME,
        "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5",  # recorded
        FAILED_AT_2,
        id="wait-seconds-path-not-integer",
    ),
    pytest.param(
        wait(SecondsPath="$.s"),
        {"s": "ten"},
        RUNTIME,
        "The SecondsPath parameter cannot be parsed as a long value: $.s == ten",
        FAILED_AT_2,
        id="wait-seconds-path-text",
    ),
    pytest.param(
        wait(SecondsPath="$.s"),
        {"s": -1},
        RUNTIME,
        "The SecondsPath parameter references a negative value: $.s == -1",  # recorded
        FAILED_AT_2,
        id="wait-seconds-path-negative",
    ),
    pytest.param(
        wait(SecondsPath="$.s"),
        {"s": 2**31},
        RUNTIME,
        "Wait state delay is too long.",  # recorded (for a Timestamp)
        FAILED_AT_2,
        id="wait-seconds-path-too-long",
    ),
    pytest.param(
        wait(TimestampPath="$.t"),
        {"t": "2016-12-05T21:29:29"},
        RUNTIME,
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
        "date-time format string: $.t == 2016-12-05T21:29:29",  # recorded
        FAILED_AT_2,
        id="wait-timestamp-path-no-zone",
    ),
    pytest.param(
        wait(TimestampPath="$.t"),
        {},
        RUNTIME,
        "The TimestampPath parameter does not reference an input value: $.t",
        FAILED_AT_2,
        id="wait-timestamp-path-missing",
    ),
    pytest.param(
        wait(True, Seconds="{% $states.input.s %}"),
        {"s": "ten"},
        QUERY,
        "The JSONata expression '$states.input.s' specified for the field 'Seconds' returned an "
        "unexpected result type. Expected 'integer', but was 'string' for value: \"ten\"",
        [("EvaluationFailed", 2, "Seconds"), ("ExecutionFailed", 3, None)],
        id="wait-jsonata-seconds-text",
    ),
    pytest.param(
        wait(True, Seconds="{% $states.input.s %}"),
        {"s": None},
        QUERY,
        "The JSONata expression '$states.input.s' specified for the field 'Seconds' returned an "
        "unexpected result type. Expected 'integer', but was 'null' for value: null",
        [("EvaluationFailed", 2, "Seconds"), ("ExecutionFailed", 3, None)],
        id="wait-jsonata-seconds-null",
    ),
    pytest.param(
        wait(True, Seconds="{% $states.input.s %}"),
        {"s": 2.5},
        QUERY,
        "The JSONata expression '$states.input.s' specified for the field 'Seconds' returned an "
        "unexpected result type. Expected 'integer', but was 'number' for value: 2.5",
        [("EvaluationFailed", 2, "Seconds"), ("ExecutionFailed", 3, None)],
        id="wait-jsonata-seconds-fraction",
    ),
    pytest.param(
        wait(True, Seconds="{% $states.input.s %}"),
        {"s": -1},
        QUERY,
        "Seconds cannot be negative.",
        [("EvaluationFailed", 2, "Seconds"), ("ExecutionFailed", 3, None)],
        id="wait-jsonata-seconds-negative",
    ),
    pytest.param(
        wait(True, Timestamp="{% $states.input.t %}"),
        {"t": "2016-12-05 21:29:29Z"},
        QUERY,
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format "
        "string: 2016-12-05 21:29:29Z",  # recorded, with the EvaluationFailed link
        [("EvaluationFailed", 2, "Timestamp"), ("ExecutionFailed", 3, None)],
        id="wait-jsonata-timestamp",
    ),
    # --- Task ---------------------------------------------------------------------------------
    pytest.param(
        task(TimeoutSecondsPath="$.nope"),
        {},
        RUNTIME,
        "Invalid path '$.nope' : No results for path: $['nope']",  # recorded
        FAILED_AT_2,
        id="task-timeout-path-missing",
    ),
    pytest.param(
        task(HeartbeatSecondsPath="$.nope"),
        {},
        RUNTIME,
        "Invalid path '$.nope' : No results for path: $['nope']",  # recorded
        FAILED_AT_2,
        id="task-heartbeat-path-missing",
    ),
    pytest.param(
        task(TimeoutSecondsPath="$.t"),
        {"t": "soon"},
        RUNTIME,
        'The TimeoutSecondsPath field refers to value "soon" which is not a valid integer: $.t',
        FAILED_AT_2,
        id="task-timeout-path-text",
    ),
    pytest.param(
        task(HeartbeatSecondsPath="$.h"),
        {"h": 1.5},
        RUNTIME,
        'The HeartbeatSecondsPath field refers to value "1.5" which is not a valid integer: $.h',
        FAILED_AT_2,
        id="task-heartbeat-path-fraction",
    ),
    pytest.param(
        task(TimeoutSecondsPath="$.t"),
        {"t": 0},
        RUNTIME,
        "TimeoutSeconds must be a positive integer.",
        FAILED_AT_2,
        id="task-timeout-path-zero",
    ),
    pytest.param(
        task(True, TimeoutSeconds="{% $states.input.t %}"),
        {"t": "soon"},
        QUERY,
        "The JSONata expression '$states.input.t' specified for the field 'TimeoutSeconds' "
        "returned an unexpected result type. Expected 'integer', but was 'string' for value: "
        '"soon"',
        [("EvaluationFailed", 0, "TimeoutSeconds"), ("ExecutionFailed", 3, None)],
        id="task-jsonata-timeout-text",
    ),
    pytest.param(
        task(True, HeartbeatSeconds="{% $states.input.h %}"),
        {"h": -5},
        QUERY,
        "HeartbeatSeconds must be a positive integer.",
        [("EvaluationFailed", 0, "HeartbeatSeconds"), ("ExecutionFailed", 3, None)],
        id="task-jsonata-heartbeat-negative",
    ),
    # --- Map ----------------------------------------------------------------------------------
    pytest.param(
        map_(MaxConcurrencyPath="$.m", ItemsPath="$.v"),
        {"m": "NoNumber", "v": [1]},
        RUNTIME,
        'The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid integer: '
        "$.m",  # recorded, before MapStateStarted
        FAILED_AT_2,
        id="map-max-concurrency-path-text",
    ),
    pytest.param(
        map_(MaxConcurrencyPath="$.m", ItemsPath="$.v"),
        {"m": {}, "v": [1]},
        RUNTIME,
        'The MaxConcurrencyPath field refers to value "{}" which is not a valid integer: $.m',
        FAILED_AT_2,
        id="map-max-concurrency-path-object",
    ),
    pytest.param(
        map_(MaxConcurrencyPath="$.m", ItemsPath="$.v"),
        {"m": -1, "v": [1]},
        RUNTIME,
        "MaxConcurrency cannot be negative.",
        FAILED_AT_2,
        id="map-max-concurrency-path-negative",
    ),
    pytest.param(
        map_(MaxConcurrencyPath="$.m", ItemsPath="$.v"),
        {"v": [1]},
        RUNTIME,
        "Invalid path '$.m' : No results for path: $['m']",
        FAILED_AT_2,
        id="map-max-concurrency-path-missing",
    ),
    pytest.param(
        map_(True, MaxConcurrency="{% $states.input.m %}", Items="{% $states.input.v %}"),
        {"m": 1.5, "v": [1]},
        QUERY,
        "The JSONata expression '$states.input.m' specified for the field 'MaxConcurrency' "
        "returned an unexpected result type. Expected 'integer', but was 'number' for value: 1.5",
        [
            ("EvaluationFailed", 0, "MaxConcurrency"),
            ("MapStateFailed", 3, None),
            ("ExecutionFailed", 4, None),
        ],
        id="map-jsonata-max-concurrency-fraction",
    ),
    pytest.param(
        map_(True, Items="{% $states.input.v %}"),
        {"v": "abc"},
        QUERY,
        "The JSONata expression '$states.input.v' specified for the field 'Items' returned an "
        "unexpected result type. Expected 'array', but was 'string' for value: \"abc\"",
        [
            ("EvaluationFailed", 0, "Items"),
            ("MapStateFailed", 3, None),
            ("ExecutionFailed", 4, None),
        ],
        id="map-jsonata-items-text",  # recorded
    ),
    pytest.param(
        map_(distributed=True, ToleratedFailureCountPath="$.c", ItemsPath="$.v"),
        {"c": "NoNumber", "v": [0]},
        RUNTIME,
        'The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid '
        "integer: $.c",  # recorded, after MapStateStarted
        [("MapStateStarted", 2, None), ("ExecutionFailed", 3, None)],
        id="map-tolerated-count-path-text",
    ),
    pytest.param(
        map_(distributed=True, ToleratedFailureCountPath="$.c", ItemsPath="$.v"),
        {"c": -1, "v": [0]},
        RUNTIME,
        "ToleratedFailureCount cannot be negative.",  # recorded
        [("MapStateStarted", 2, None), ("ExecutionFailed", 3, None)],
        id="map-tolerated-count-path-negative",
    ),
    pytest.param(
        map_(distributed=True, ToleratedFailurePercentagePath="$.p", ItemsPath="$.v"),
        {"p": "NoNumber", "v": [0]},
        RUNTIME,
        'The ToleratedFailurePercentagePath field refers to value "NoNumber" which is not a '
        "valid float: $.p",  # recorded
        [("MapStateStarted", 2, None), ("ExecutionFailed", 3, None)],
        id="map-tolerated-percentage-path-text",
    ),
    pytest.param(
        map_(distributed=True, ToleratedFailurePercentagePath="$.p", ItemsPath="$.v"),
        {"p": 100.1, "v": [0]},
        RUNTIME,
        "ToleratedFailurePercentage must be between 0 and 100.",  # recorded
        [("MapStateStarted", 2, None), ("ExecutionFailed", 3, None)],
        id="map-tolerated-percentage-path-over",
    ),
    pytest.param(
        map_(True, distributed=True, ToleratedFailurePercentage="{% 'all' %}"),
        [0],
        QUERY,
        "The JSONata expression ''all'' specified for the field 'ToleratedFailurePercentage' "
        "returned an unexpected result type. Expected 'number', but was 'string' for value: "
        '"all"',
        [
            ("MapStateStarted", 2, None),
            ("EvaluationFailed", 0, "ToleratedFailurePercentage"),
            ("MapStateFailed", 4, None),
            ("ExecutionFailed", 5, None),
        ],
        # AWS's link for an EvaluationFailed after MapStateStarted is unknown; ours follows Items.
        id="map-jsonata-tolerated-percentage-text",
    ),
    pytest.param(
        map_(True, distributed=True, ToleratedFailureCount="{% -2 %}"),
        [0],
        QUERY,
        "ToleratedFailureCount cannot be negative.",
        [
            ("MapStateStarted", 2, None),
            ("EvaluationFailed", 0, "ToleratedFailureCount"),
            ("MapStateFailed", 4, None),
            ("ExecutionFailed", 5, None),
        ],
        id="map-jsonata-tolerated-count-negative",
    ),
    pytest.param(
        map_(distributed=True, ItemBatcher={"MaxItemsPerBatchPath": "$.b"}, ItemsPath="$.v"),
        {"b": "two", "v": [0]},
        RUNTIME,
        'The MaxItemsPerBatchPath field refers to value "two" which is not a valid integer: $.b',
        [("MapStateStarted", 2, None), ("ExecutionFailed", 3, None)],
        id="map-batcher-max-items-path-text",
    ),
    pytest.param(
        map_(True, distributed=True, ItemBatcher={"MaxInputBytesPerBatch": "{% 0 %}"}),
        [0],
        QUERY,
        "MaxInputBytesPerBatch must be a positive integer.",
        [
            ("MapStateStarted", 2, None),
            ("EvaluationFailed", 0, "MaxInputBytesPerBatch"),
            ("MapStateFailed", 4, None),
            ("ExecutionFailed", 5, None),
        ],
        id="map-jsonata-batcher-max-bytes-zero",
    ),
]


@pytest.mark.parametrize(("definition", "data", "error", "cause", "events"), CASES)
def test_field_value_fails_with_aws_words_and_events(
    definition: dict[str, Any],
    data: Any,
    error: str,
    cause: str,
    events: list[tuple[str, int, str | None]],
) -> None:
    ex = sfn.run(definition, data)
    assert ex.status == "FAILED"
    assert ex.error == error
    assert ex.cause == (
        f"An error occurred while executing the state 'S' (entered at the event id #2). {cause}"
    )
    kind = definition["States"]["S"]["Type"]
    seen = [
        (e["type"], e["previousEventId"], e.get("evaluationFailedEventDetails", {}).get("location"))
        for e in ex.history
    ]
    assert seen == [
        ("ExecutionStarted", 0, None),
        (f"{kind}StateEntered", 0, None),
        *events,
    ]
    for event in ex.history:
        if event["type"] == "EvaluationFailed":
            details = event["evaluationFailedEventDetails"]
            assert details["state"] == "S" and details["error"] == error
            assert details["cause"] == ex.cause


def test_a_jsonata_field_error_is_caught_but_a_path_error_is_not() -> None:
    caught = task(True, TimeoutSeconds="{% 'soon' %}")
    caught["States"]["S"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]
    caught["States"]["Done"] = {"Type": "Pass", "End": True}
    ex = sfn.run(caught, {})
    assert ex.status == "SUCCEEDED"
    assert ex.output["Error"] == QUERY

    uncaught = task(TimeoutSecondsPath="$.t")
    uncaught["States"]["S"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]
    uncaught["States"]["Done"] = {"Type": "Pass", "End": True}
    ex = sfn.run(uncaught, {"t": "soon"})
    assert ex.status == "FAILED" and ex.error == RUNTIME


def test_good_values_from_each_source_are_used() -> None:
    ex = sfn.run(wait(True, Seconds="{% $states.input.s %}"), {"s": 5.0}, start_time=None)
    assert ex.status == "SUCCEEDED"
    waited = ex.history[-1]["timestamp"] - ex.history[1]["timestamp"]
    assert waited.total_seconds() == pytest.approx(5, abs=0.5)
    limited = map_(MaxConcurrencyPath="$.m", ItemsPath="$.v")
    ex = sfn.run(limited, {"m": "1", "v": [1, 2, 3]})  # AWS reads a number in text too
    assert ex.status == "SUCCEEDED" and ex.output == [1, 2, 3]
    starts = [e["previousEventId"] for e in ex.history if e["type"] == "MapIterationStarted"]
    assert starts[1] != starts[0]  # one at a time: each iteration starts after the previous
