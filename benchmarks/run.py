"""Interpreter throughput: state transitions/s and executions/s on the workflows of issue #3.

    .venv/bin/python benchmarks/run.py                 # sfn-notebook only
    .venv/bin/python benchmarks/run.py --moto PYTHON   # also moto's interpreter, in that Python
    .venv/bin/python benchmarks/run.py --only pass_chain_100 --repeat 5
    .venv/bin/python benchmarks/run.py --pyaslengine PYTHON  # also pyaslengine 0.8.0

Each workload runs on the virtual clock with full history kept, three ways: ``runtime`` (a state
machine created once on a ``sfn.Runtime``, then ``start`` + ``wait`` per execution), ``run``
(``sfn.run(definition_dict)`` per execution, as a notebook cell does) and ``model`` (``sfn.run``
of a definition parsed once). ``floor`` is the benchmark's CPython floor for Pass-only chains: a
bare loop that copies the JSON data and appends AWS-style events (entered and exited with their
payload texts), the least any Python interpreter of them can do. ``--moto`` runs the same
definitions on moto's interpreter (``mock_aws(config={"stepfunctions": {"execute_state_machine":
True}})``) and ``--pyaslengine`` on pyaslengine's ``StateMachine.run``, each in a separate
interpreter (a venv with that package installed). The figures go in the closing notes, never in
timed tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

# What the figures time: wall-clock seconds (the default), or the process's CPU seconds with
# --cpu, for a machine shared with other work (every column, peers too, is timed the same way).
TIMER = "perf_counter"


def clock() -> float:
    return float(getattr(time, TIMER)())


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def pass_chain(n: int) -> dict[str, Any]:
    states = {
        f"P{i}": {
            "Type": "Pass",
            "Result": {"step": i},
            "ResultPath": f"$.r{i % 10}",
            **({"Next": f"P{i + 1}"} if i < n - 1 else {"End": True}),
        }
        for i in range(n)
    }
    return {"StartAt": "P0", "States": states}


def choice_loop(n: int) -> dict[str, Any]:
    return {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "Add"},
            "Add": {
                "Type": "Pass",
                "Parameters": {"i.$": "States.MathAdd($.i, 1)"},
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThan": n, "Next": "Add"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def map_items(max_concurrency: int = 0) -> dict[str, Any]:
    return {
        "StartAt": "Map",
        "States": {
            "Map": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": max_concurrency,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Pass", "Parameters": {"v.$": "$"}, "Next": "B"},
                        "B": {"Type": "Pass", "End": True},
                    },
                },
                "End": True,
            }
        },
    }


def parallel(branches: int, depth: int) -> dict[str, Any]:
    def branch(b: int) -> dict[str, Any]:
        return {
            "StartAt": f"B{b}S0",
            "States": {
                f"B{b}S{i}": {
                    "Type": "Pass",
                    **({"Next": f"B{b}S{i + 1}"} if i < depth - 1 else {"End": True}),
                }
                for i in range(depth)
            },
        }

    return {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [branch(b) for b in range(branches)],
                "End": True,
            }
        },
    }


def invoke_map(log_type: str | None) -> dict[str, Any]:
    """A Map whose iterations call a Python function through ``lambda:invoke``."""
    params: dict[str, Any] = {"FunctionName": "echo", "Payload.$": "$"}
    if log_type:
        params["LogType"] = log_type
    return {
        "StartAt": "Map",
        "States": {
            "Map": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "Call",
                    "States": {
                        "Call": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": params,
                            "OutputPath": "$.Payload",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }


def echo(event: Any, context: Any) -> Any:
    print("item", event)  # what LogType Tail captures; printed to a null stream here
    return event


SMALL_3 = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": {"x": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Succeed"},
    },
}

WAIT_MAP = {
    "StartAt": "W",
    "States": {
        "W": {"Type": "Wait", "Seconds": 60, "Next": "M"},
        "M": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": True}},
            },
            "End": True,
        },
    },
}

# name -> (definition, input, executions, transitions per execution)
# map_10k's 60,000 events exceed STANDARD's 25,000-event history quota, as they would on AWS, so
# it runs as an EXPRESS workflow (full history still kept, no quota).
EXPRESS = {"map_10k"}
WORKLOADS: dict[str, tuple[dict[str, Any], Any, int, int]] = {
    "pass_chain_100": (pass_chain(100), {}, 20, 100),
    "choice_loop_1000": (choice_loop(1000), {}, 1, 1 + 2 * 1000 + 1),
    "map_1000": (map_items(), {"items": list(range(1000))}, 1, 1 + 2 * 1000),
    "parallel_10": (parallel(10, 10), {}, 20, 1 + 100),
    "small_3": (SMALL_3, {}, 200, 3),
    "map_10k": (map_items(), {"items": list(range(10_000))}, 1, 1 + 2 * 10_000),
    "invoke_map_500": (invoke_map(None), {"items": list(range(500))}, 1, 1 + 500),
    "invoke_tail_map_500": (invoke_map("Tail"), {"items": list(range(500))}, 1, 1 + 500),
}
FUNCTIONS = {"invoke_map_500": {"echo": echo}, "invoke_tail_map_500": {"echo": echo}}


RECORD_STAGES = False  # --record-stages


def run_ours(
    definition: dict[str, Any],
    input_value: Any,
    executions: int,
    kind: str = "STANDARD",
    functions: dict[str, Any] | None = None,
) -> float:
    """``sfn.run`` on a definition parsed once, as a created state machine is."""
    import sfn_notebook as sfn

    return _run_many(sfn.parse(definition), input_value, executions, kind, functions)


def run_ours_dict(
    definition: dict[str, Any],
    input_value: Any,
    executions: int,
    kind: str = "STANDARD",
    functions: dict[str, Any] | None = None,
) -> float:
    """``sfn.run`` given the definition dict on every call, as a notebook cell does."""
    return _run_many(definition, input_value, executions, kind, functions)


def _run_many(
    target: Any, input_value: Any, executions: int, kind: str, functions: dict[str, Any] | None
) -> float:
    import contextlib

    import sfn_notebook as sfn

    began = clock()
    # Task functions may print (LogType Tail captures it); keep it off the benchmark's table.
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        for _ in range(executions):
            ex = sfn.run(
                target,
                input_value,
                state_machine_type=kind,
                functions=functions,
                record_stages=RECORD_STAGES,
            )
            if ex.status != "SUCCEEDED":
                raise SystemExit(f"benchmark workflow failed: {ex.error} {ex.cause}")
    return clock() - began


def run_runtime(
    definition: dict[str, Any],
    input_value: Any,
    executions: int,
    kind: str = "STANDARD",
    functions: dict[str, Any] | None = None,
) -> float:
    """A state machine created once on a Runtime; each execution started and waited for."""
    import contextlib

    import sfn_notebook as sfn

    with sfn.Runtime(clock="virtual", record_stages=RECORD_STAGES) as rt:
        for fname, fn in (functions or {}).items():
            rt.function(fname)(fn)
        arn = rt.create_state_machine(name="bench", definition=json.dumps(definition), type=kind)[
            "stateMachineArn"
        ]
        began = clock()
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
            for _ in range(executions):
                ex = rt.start(arn, input_value).wait()
                if ex.status != "SUCCEEDED":
                    raise SystemExit(f"benchmark workflow failed: {ex.error} {ex.cause}")
        return clock() - began


def floor_chain(definition: dict[str, Any], input_value: Any, executions: int) -> float | None:
    """The CPython floor of a chain of Pass states (None for other workflows): per state, copy
    the data, apply Result/ResultPath, append StateEntered and PassStateExited events with their
    payload texts, as the least work a Python interpreter keeping AWS's history can do."""
    from datetime import datetime, timezone

    states = definition["States"]
    if any(s["Type"] not in ("Pass", "Succeed") or "Parameters" in s for s in states.values()):
        return None
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    decode = json.JSONDecoder().decode
    began = clock()
    for _ in range(executions):
        now = datetime.now(timezone.utc)
        events: list[dict[str, Any]] = []
        text = encode(input_value)
        events.append(
            {
                "timestamp": now,
                "type": "ExecutionStarted",
                "id": 1,
                "previousEventId": 0,
                "executionStartedEventDetails": {"input": text},
            }
        )
        data = decode(text)
        name = definition["StartAt"]
        while True:
            state = states[name]
            kind = state["Type"]
            events.append(
                {
                    "timestamp": now,
                    "type": f"{kind}StateEntered",
                    "id": len(events) + 1,
                    "previousEventId": len(events),
                    "stateEnteredEventDetails": {
                        "name": name,
                        "input": text,
                        "inputDetails": {"truncated": False},
                    },
                }
            )
            if "Result" in state:
                result = decode(encode(state["Result"]))
                path = state.get("ResultPath", "$")
                if path == "$":
                    data = result
                else:
                    data = dict(data)
                    data[path[2:]] = result
            text = encode(data)
            events.append(
                {
                    "timestamp": now,
                    "type": f"{kind}StateExited",
                    "id": len(events) + 1,
                    "previousEventId": len(events),
                    "stateExitedEventDetails": {
                        "name": name,
                        "output": text,
                        "outputDetails": {"truncated": False},
                    },
                }
            )
            if kind == "Succeed" or state.get("End"):
                break
            name = state["Next"]
        events.append(
            {
                "timestamp": now,
                "type": "ExecutionSucceeded",
                "id": len(events) + 1,
                "previousEventId": len(events),
                "executionSucceededEventDetails": {"output": text},
            }
        )
    return clock() - began


def run_concurrent(count: int) -> float:
    """1,000 executions started at once on one Runtime, each with a Wait and a Map."""
    import sfn_notebook as sfn

    with sfn.Runtime(clock="virtual") as rt:
        arn = rt.create_state_machine(name="wait-map", definition=json.dumps(WAIT_MAP))[
            "stateMachineArn"
        ]
        began = time.perf_counter()
        runs = [rt.start(arn, [1, 2, 3]) for _ in range(count)]
        for ex in runs:
            ex.wait(60)
        elapsed = time.perf_counter() - began
        if any(ex.status != "SUCCEEDED" for ex in runs):
            raise SystemExit("concurrent benchmark: some executions did not succeed")
    return elapsed


# Issue #13's workload: a 100,000-line JSONL object through a Distributed Map (EXPRESS children,
# MaxConcurrency 1,000) with a ResultWriter, both in a local-folder bucket. It runs in its own
# interpreter so the peak RSS is this workload's alone. Targets: under 5 s and 1 GiB.
ITEMREADER_SCRIPT = r"""
import json, os, resource, sys, tempfile, time
sys.path.insert(0, sys.argv[2])
import sfn_notebook as sfn
lines = int(sys.argv[1])
folder = tempfile.mkdtemp()
with open(os.path.join(folder, "items.jsonl"), "w") as handle:
    for i in range(lines):
        handle.write(json.dumps({"id": i, "name": f"item-{i}", "score": i % 97}) + "\n")
double = "States.MathAdd($.score, $.score)"
child = {"Type": "Pass", "Parameters": {"id.$": "$.id", "double.$": double}, "End": True}
definition = {"StartAt": "M", "States": {"M": {
    "Type": "Map", "MaxConcurrency": 1000,
    "ItemReader": {"ReaderConfig": {"InputType": "JSONL"},
                   "Resource": "arn:aws:states:::s3:getObject",
                   "Parameters": {"Bucket": "data", "Key": "items.jsonl"}},
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                      "StartAt": "P", "States": {"P": child}},
    "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                     "Parameters": {"Bucket": "data", "Prefix": "out"}},
    "End": True}}}
model = sfn.parse(definition)
began = time.perf_counter()
ex = sfn.run(model, {}, buckets={"data": folder})
elapsed = time.perf_counter() - began
if ex.status != "SUCCEEDED":
    raise SystemExit(f"itemreader benchmark failed: {ex.error} {ex.cause}")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mib": peak}))
"""


def run_itemreader(lines: int) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of the ItemReader/ResultWriter workload."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    proc = subprocess.run(
        [sys.executable, "-c", ITEMREADER_SCRIPT, str(lines), root],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(found["seconds"]), float(found["peak_mib"])


MOTO_SCRIPT = r"""
import json, sys, time, boto3
from moto import mock_aws
definition, input_value, executions = json.loads(sys.stdin.read())
with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
    client = boto3.client("stepfunctions", region_name="us-east-1")
    arn = client.create_state_machine(name="bench", definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/x")["stateMachineArn"]
    began = getattr(time, sys.argv[1])()
    for i in range(executions):
        started = client.start_execution(
            stateMachineArn=arn, name=f"e{i}", input=json.dumps(input_value))
        ex = started["executionArn"]
        while client.describe_execution(executionArn=ex)["status"] == "RUNNING":
            time.sleep(0.001)
    print(getattr(time, sys.argv[1])() - began)
"""


PYASL_SCRIPT = r"""
import json, sys, time
from pyaslengine.data import WorkflowInput
from pyaslengine.workflows import StateMachine
definition, input_value, executions = json.loads(sys.stdin.read())
machine = StateMachine.schema().load(definition)
began = getattr(time, sys.argv[1])()
for i in range(executions):
    machine.run(workflow_input=WorkflowInput(data=json.loads(json.dumps(input_value))))
print(getattr(time, sys.argv[1])() - began)
"""


def run_peer(
    python: str, definition: dict[str, Any], input_value: Any, executions: int, script: str = ""
) -> float | None:
    proc = subprocess.run(
        [python, "-c", script or MOTO_SCRIPT, TIMER],
        input=json.dumps([definition, input_value, executions]),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  peer failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return float(proc.stdout.strip().splitlines()[-1])


def scaled(
    definition: dict[str, Any], input_value: Any, executions: int, transitions: int, scale: float
) -> tuple[Any, int, int]:
    """A smaller run for a slow peer: fewer executions, or fewer Map items for a single one."""
    n = max(1, int(executions * scale))
    if isinstance(input_value, dict) and "items" in input_value and n == executions:
        keep = max(1, int(len(input_value["items"]) * scale))
        return {"items": input_value["items"][:keep]}, n, 1 + 2 * keep
    return input_value, n, transitions


MODES: dict[str, Callable[..., float]] = {
    "runtime": run_runtime,
    "run": run_ours_dict,
    "model": run_ours,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", help="run just these workloads")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument(
        "--mode", action="append", choices=sorted(MODES), help="ours: just these ways"
    )
    parser.add_argument("--peers-only", action="store_true", help="just the floor and the peers")
    parser.add_argument("--moto", metavar="PYTHON", help="a Python with moto installed")
    parser.add_argument(
        "--moto-scale",
        type=float,
        default=0.1,
        help="fraction of executions/items to give moto (it is slow)",
    )
    parser.add_argument(
        "--pyaslengine", metavar="PYTHON", help="a Python with pyaslengine 0.8.0 installed"
    )
    parser.add_argument("--pyaslengine-scale", type=float, default=1.0)
    parser.add_argument(
        "--record-stages",
        action="store_true",
        help="ours: record every state's stages for the inspector (as a notebook kernel does)",
    )
    parser.add_argument(
        "--cpu", action="store_true", help="time CPU seconds of the process, not wall seconds"
    )
    args = parser.parse_args()
    global RECORD_STAGES, TIMER
    RECORD_STAGES = args.record_stages
    if args.cpu:
        TIMER = "process_time"
    modes = [] if args.peers_only else args.mode or list(MODES)
    peers: list[tuple[str, str, str, float]] = []
    if args.pyaslengine:
        peers.append(("pyasl", args.pyaslengine, PYASL_SCRIPT, args.pyaslengine_scale))
    if args.moto:
        peers.append(("moto", args.moto, MOTO_SCRIPT, args.moto_scale))
    columns = [*modes, "floor", *(peer[0] for peer in peers)]
    print("transitions/s (executions/s), best of", args.repeat, "(CPU time)" if args.cpu else "")
    print(f"{'workload':<20}" + "".join(f"{c:>22}" for c in columns))
    for name, (definition, input_value, executions, transitions) in WORKLOADS.items():
        if args.only and name not in args.only:
            continue
        kind = "EXPRESS" if name in EXPRESS else "STANDARD"
        functions = FUNCTIONS.get(name)
        cells: list[str] = []

        def cell(seconds: float | None, n: int, per: int) -> str:
            if not seconds:
                return f"{'n/a':>22}"
            return f"{per * n / seconds:>12,.0f} ({n / seconds:>7,.0f})"

        for mode in modes:
            run = MODES[mode]
            best = min(
                run(definition, input_value, executions, kind, functions)
                for _ in range(args.repeat)
            )
            cells.append(cell(best, executions, transitions))
        floors = [floor_chain(definition, input_value, executions) for _ in range(args.repeat)]
        cells.append(cell(min(floors) if floors[0] else None, executions, transitions))
        for _label, python, script, scale in peers:
            if functions:  # the peers cannot call a Python function from a Task
                cells.append(cell(None, 1, 1))
                continue
            peer_input, n, per = scaled(definition, input_value, executions, transitions, scale)
            times = [
                run_peer(python, definition, peer_input, n, script) for _ in range(args.repeat)
            ]
            known = [t for t in times if t]
            cells.append(cell(min(known) if known else None, n, per))
        print(f"{name:<20}" + "".join(cells), flush=True)
    if not args.peers_only and (not args.only or "concurrent_1000" in args.only):
        elapsed = run_concurrent(1000)
        print(f"{'concurrent_1000':<20}{elapsed:>10.3f}s{1000 / elapsed:>15,.1f} executions/s")
    if not args.peers_only and (not args.only or "itemreader_100k" in args.only):
        seconds, peak = run_itemreader(100_000)
        print(
            f"{'itemreader_100k':<20}{seconds:>10.3f}s{100_000 / seconds:>15,.1f} items/s"
            f"   peak RSS {peak:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
