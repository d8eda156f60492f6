"""Interpreter throughput: state transitions/s and executions/s on the workflows of issue #3.

    .venv/bin/python benchmarks/run.py                 # sfn-notebook only
    .venv/bin/python benchmarks/run.py --moto PYTHON   # also moto's interpreter, in that Python
    .venv/bin/python benchmarks/run.py --only pass_chain_100 --repeat 5

Each workload runs on the virtual clock with full history kept. ``--moto`` runs the same
definitions on moto's interpreter (``mock_aws(config={"stepfunctions": {"execute_state_machine":
True}})``) in a separate interpreter (a venv with moto installed) and prints the ratio. The
figures go in the closing notes, never in timed tests.
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


def run_ours(
    definition: dict[str, Any],
    input_value: Any,
    executions: int,
    kind: str = "STANDARD",
    functions: dict[str, Any] | None = None,
) -> float:
    import contextlib

    import sfn_notebook as sfn

    model = sfn.parse(definition)  # parsed once, as a created state machine is
    began = time.perf_counter()
    # Task functions may print (LogType Tail captures it); keep it off the benchmark's table.
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        for _ in range(executions):
            ex = sfn.run(model, input_value, state_machine_type=kind, functions=functions)
            if ex.status != "SUCCEEDED":
                raise SystemExit(f"benchmark workflow failed: {ex.error} {ex.cause}")
    return time.perf_counter() - began


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
    began = time.perf_counter()
    for i in range(executions):
        started = client.start_execution(
            stateMachineArn=arn, name=f"e{i}", input=json.dumps(input_value))
        ex = started["executionArn"]
        while client.describe_execution(executionArn=ex)["status"] == "RUNNING":
            time.sleep(0.001)
    print(time.perf_counter() - began)
"""


def run_moto(
    python: str, definition: dict[str, Any], input_value: Any, executions: int
) -> float | None:
    proc = subprocess.run(
        [python, "-c", MOTO_SCRIPT],
        input=json.dumps([definition, input_value, executions]),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        print(f"  moto failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return float(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", help="run just these workloads")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    parser.add_argument("--moto", metavar="PYTHON", help="a Python with moto installed")
    parser.add_argument(
        "--moto-scale",
        type=float,
        default=0.1,
        help="fraction of executions/items to give moto (it is slow)",
    )
    args = parser.parse_args()
    print(
        f"{'workload':<18}{'seconds':>10}{'transitions/s':>16}{'executions/s':>15}{'vs moto':>10}"
    )
    measure: dict[str, Callable[[], float]] = {}
    for name, (definition, input_value, executions, _) in WORKLOADS.items():
        kind = "EXPRESS" if name in EXPRESS else "STANDARD"
        functions = FUNCTIONS.get(name)
        measure[name] = lambda d=definition, i=input_value, n=executions, k=kind, f=functions: (
            run_ours(d, i, n, k, f)
        )
    for name, run in measure.items():
        if args.only and name not in args.only:
            continue
        definition, input_value, executions, transitions = WORKLOADS[name]
        best = min(run() for _ in range(args.repeat))
        rate = transitions * executions / best
        ratio = ""
        if args.moto:
            n = max(1, int(executions * args.moto_scale))
            scaled_input = input_value
            scaled_transitions = transitions
            if isinstance(input_value, dict) and "items" in input_value and n == executions:
                keep = max(1, int(len(input_value["items"]) * args.moto_scale))
                scaled_input = {"items": input_value["items"][:keep]}
                scaled_transitions = 1 + 2 * keep
            moto_seconds = run_moto(args.moto, definition, scaled_input, n)
            if moto_seconds:
                ratio = f"{rate / (scaled_transitions * n / moto_seconds):.0f}x"
        print(f"{name:<18}{best:>10.3f}{rate:>16,.0f}{executions / best:>15,.1f}{ratio:>10}")
    if not args.only or "concurrent_1000" in args.only:
        elapsed = run_concurrent(1000)
        print(f"{'concurrent_1000':<18}{elapsed:>10.3f}{'':>16}{1000 / elapsed:>15,.1f}")
    if not args.only or "itemreader_100k" in args.only:
        seconds, peak = run_itemreader(100_000)
        # A child's transitions: Pass, plus the Map run's start; items/s in the last column.
        print(
            f"{'itemreader_100k':<18}{seconds:>10.3f}{'':>16}{100_000 / seconds:>15,.1f}"
            f"   peak RSS {peak:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
