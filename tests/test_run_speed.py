"""``sfn.run`` keeps parsed definitions by content: the same definition is parsed once, and an
edited one (even the same dict changed in place) is always seen."""

from __future__ import annotations

import copy
import json
import time

import pytest

import sfn_notebook as sfn
from sfn_notebook.errors import DefinitionError


def chain(result: object) -> dict:
    return {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": result, "Next": "B"},
            "B": {"Type": "Pass", "End": True},
        },
    }


def test_same_definition_is_parsed_once() -> None:
    definition = chain({"x": 1})
    first = sfn.run(definition)
    again = sfn.run(copy.deepcopy(definition))
    text = sfn.run(json.dumps(definition))
    assert first.definition is again.definition
    assert first.output == again.output == text.output == {"x": 1}


def test_a_dict_changed_in_place_is_seen_and_the_old_content_kept_intact() -> None:
    definition = chain({"x": 1})
    original = copy.deepcopy(definition)
    assert sfn.run(definition).output == {"x": 1}
    definition["States"]["A"]["Result"]["x"] = 2  # edited in place, as a notebook user may
    assert sfn.run(definition).output == {"x": 2}
    # The first content still gives its own result: the kept model owns a copy of it.
    assert sfn.run(original).output == {"x": 1}
    definition["States"]["B"]["Type"] = "Succeed"
    del definition["States"]["B"]["End"]
    ex = sfn.run(definition)
    assert [e["type"] for e in ex.history][-2:] == ["SucceedStateExited", "ExecutionSucceeded"]


def test_an_invalid_definition_still_fails_every_time() -> None:
    broken = {"StartAt": "Missing", "States": {"A": {"Type": "Pass", "End": True}}}
    for _ in range(2):
        with pytest.raises(DefinitionError):
            sfn.run(broken)


def test_executions_of_one_kept_definition_do_not_share_state() -> None:
    definition = {
        "StartAt": "Add",
        "States": {
            "Add": {
                "Type": "Pass",
                "Parameters": {"n.$": "States.MathAdd($.n, 1)"},
                "Assign": {"seen.$": "$.n"},
                "End": True,
            }
        },
    }
    outputs = [sfn.run(definition, {"n": n}).output for n in range(3)]
    assert outputs == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_running_a_dict_again_costs_about_what_a_parsed_model_does() -> None:
    definition = {
        "StartAt": "P0",
        "States": {
            f"P{i}": {"Type": "Pass", **({"Next": f"P{i + 1}"} if i < 99 else {"End": True})}
            for i in range(100)
        },
    }
    model = sfn.parse(definition)

    def best(source: object) -> float:
        times = []
        for _ in range(10):
            began = time.perf_counter()
            sfn.run(source)
            times.append(time.perf_counter() - began)
        return min(times)

    sfn.run(definition)
    # Parsing this definition costs about 1.8 runs of it, so re-parsing gives ~2.8x; the bound
    # leaves room for a loaded machine.
    assert best(definition) < 1.6 * best(model)


def test_runs_one_after_another_each_keep_their_own_clock() -> None:
    """One thread's runs reuse an idle event loop; each still has its own virtual time."""
    from datetime import datetime, timedelta, timezone

    wait = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 3600, "Next": "Echo"},
            "Echo": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:echo",
                "End": True,
            },
        },
    }
    express = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "End": True}},
    }
    for day in range(1, 4):
        start = datetime(2024, 1, day, tzinfo=timezone.utc)
        # An EXPRESS run leaves its cancelled 5-minute timer behind in the loop it used.
        assert sfn.run(express, state_machine_type="EXPRESS", start_time=start).status == (
            "SUCCEEDED"
        )
        ex = sfn.run(wait, {"day": day}, start_time=start, functions={"echo": lambda e, c: e})
        assert ex.output == {"day": day}
        exited = next(e for e in ex.history if e["type"] == "WaitStateExited")
        assert exited["timestamp"] == start + timedelta(hours=1)
        assert ex.history[0]["timestamp"] == start


def test_run_inside_a_running_loop_and_nested_in_an_async_task_function() -> None:
    """As in a Jupyter kernel: the calling thread runs an event loop, so runs go to helper
    threads that are kept; a run started by an async task function of such a run still works."""
    import asyncio

    inner = chain({"inner": True})

    async def nested(event: object, context: object) -> object:
        return sfn.run(inner).output

    outer = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:nested",
                "End": True,
            }
        },
    }

    async def cell() -> list[object]:
        outputs = [sfn.run(chain({"n": n})).output for n in range(20)]
        outputs.append(sfn.run(outer, functions={"nested": nested}).output)
        return outputs

    outputs = asyncio.run(cell())
    assert outputs == [*({"n": n} for n in range(20)), {"inner": True}]


def test_unseeded_runs_draw_different_numbers_and_seeded_runs_the_same() -> None:
    """The random generator of an unseeded run is seeded on first use, still from the OS."""
    definition = {
        "StartAt": "Draw",
        "States": {
            "Draw": {
                "Type": "Pass",
                "Parameters": {
                    "id.$": "States.UUID()",
                    "n.$": "States.MathRandom(0, 1000000000)",
                },
                "End": True,
            }
        },
    }
    unseeded = [sfn.run(definition).output for _ in range(3)]
    assert len({o["id"] for o in unseeded}) == 3
    assert len({o["n"] for o in unseeded}) == 3
    assert sfn.run(definition, seed=7).output == sfn.run(definition, seed=7).output


def test_a_kept_definition_calls_the_functions_of_each_run() -> None:
    """Compiled Tasks keep their resolved resource per registry: another run's functions and
    mocks are never reused for the same definition."""
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "End": True,
            }
        },
    }
    first = sfn.run(definition, {"n": 1}, functions={"f": lambda e, c: {"by": "first", **e}})
    second = sfn.run(definition, {"n": 2}, functions={"f": lambda e, c: {"by": "second", **e}})
    assert first.definition is second.definition
    assert (first.output, second.output) == ({"by": "first", "n": 1}, {"by": "second", "n": 2})
