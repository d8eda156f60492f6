"""The store's cost: throughput with a store on, and reading a million events into pandas.

    .venv/bin/python benchmarks/store.py                  # both measurements
    .venv/bin/python benchmarks/store.py --events 200000  # a smaller history table

``throughput``: the ``pass_chain_100`` workload of ``benchmarks/run.py`` (20 executions of a
100-state Pass chain, virtual clock) on a Runtime in memory and on a Runtime with a store, best of
``--repeat``; the store must keep at least half the in-memory rate. The one-shot ``sfn.run``
figure of ``benchmarks/run.py`` is printed for reference.

``events_frame``: fills a store with executions of the same chain (202 events each) until it
holds ``--events`` events, then times ``analysis.events_frame`` on it in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

from benchmarks.run import WORKLOADS, run_ours  # noqa: E402


def chain_rate(store: str | None, repeat: int) -> float:
    """Transitions per second of pass_chain_100 on a Runtime (best of ``repeat``)."""
    import sfn_notebook as sfn

    definition, input_value, executions, transitions = WORKLOADS["pass_chain_100"]
    with sfn.Runtime(store=store, clock="virtual") as rt:
        arn = rt.create_state_machine(name="chain", definition=json.dumps(definition))[
            "stateMachineArn"
        ]
        rt.start(arn, input_value).wait()  # warm up
        best = float("inf")
        for _ in range(repeat):
            began = time.perf_counter()
            for _ in range(executions):
                ex = rt.start(arn, input_value).wait()
                if ex.status != "SUCCEEDED":
                    raise SystemExit(f"benchmark workflow failed: {ex.error} {ex.cause}")
            best = min(best, time.perf_counter() - began)
    return transitions * executions / best


def fill(path: str, events: int) -> int:
    """Run the chain until the store holds ``events`` events; returns how many it holds."""
    import sfn_notebook as sfn

    definition, input_value, _, _ = WORKLOADS["pass_chain_100"]
    with sfn.Runtime(store=path, clock="virtual") as rt:
        arn = rt.create_state_machine(name="chain", definition=json.dumps(definition))[
            "stateMachineArn"
        ]
        per_execution = len(rt.start(arn, input_value).wait().history)
        pending = []
        for _ in range(max(0, -(-events // per_execution) - 1)):
            pending.append(rt.start(arn, input_value))
            if len(pending) >= 200:
                for ex in pending:
                    ex.wait()
                pending.clear()
        for ex in pending:
            ex.wait()
        assert rt.store is not None
        return int(rt.store.query("SELECT COUNT(*) FROM events")[0][0])


READ = r"""
import sys, time
from sfn_notebook import analysis
from sfn_notebook.store import Store
store = Store(sys.argv[1], readonly=True)
began = time.perf_counter()
frame = analysis.events_frame(store)  # cold: includes importing pandas
cold = time.perf_counter() - began
began = time.perf_counter()
frame = analysis.events_frame(store)
print(len(frame), cold, time.perf_counter() - began)
"""


def events_frame_seconds(path: str) -> tuple[int, float, float]:
    """Rows, and seconds for a first (pandas not yet imported) and a second call."""
    out = subprocess.run(
        [sys.executable, "-c", READ, path],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    rows, cold, warm = out.stdout.split()
    return int(rows), float(cold), float(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="best of N (throughput)")
    parser.add_argument("--only", choices=("throughput", "events_frame"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "throughput"):
            definition, input_value, executions, transitions = WORKLOADS["pass_chain_100"]
            one_shot = (
                transitions
                * executions
                / min(run_ours(definition, input_value, executions) for _ in range(args.repeat))
            )
            memory = chain_rate(None, args.repeat)
            stored = chain_rate(os.path.join(tmp, "throughput.sqlite"), args.repeat)
            print(f"pass_chain_100, sfn.run (benchmarks/run.py): {one_shot:>10,.0f} transitions/s")
            print(f"pass_chain_100, Runtime in memory:           {memory:>10,.0f} transitions/s")
            print(
                f"pass_chain_100, Runtime with a store:        {stored:>10,.0f} transitions/s "
                f"({stored / memory:.0%} of in memory, {stored / one_shot:.0%} of sfn.run)"
            )
        if args.only in (None, "events_frame"):
            path = os.path.join(tmp, "events.sqlite")
            began = time.perf_counter()
            held = fill(path, args.events)
            filled = time.perf_counter() - began
            size = os.path.getsize(path) / 1e6
            print(
                f"store filled: {held:,} events in {filled:.1f} s ({held / filled:,.0f}/s), "
                f"{size:,.0f} MB"
            )
            rows, cold, warm = events_frame_seconds(path)
            print(
                f"events_frame: {rows:,} rows in {cold:.2f} s (first call, importing pandas), "
                f"{warm:.2f} s (second call)"
            )


if __name__ == "__main__":
    main()
