"""Coverage over a test session: every execution a test ran or checked, grouped by definition.

>>> import sfn_notebook as sfn
>>> collector = CoverageCollector()
>>> flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
>>> collector.add(sfn.run(flow, state_machine_name="tiny"))
>>> print(collector.report())
tiny: coverage: 1/1 items (100.0%) over 1 executions
total: 1/1 items (100.0%)
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from sfn_notebook.analysis.coverage import Coverage

_GENERATED = re.compile(r"sfn-notebook-[0-9a-f]{8}$")  # sfn.run's name when none is given


class CoverageCollector:
    """Executions seen in a session, each counted once, per state machine and definition."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[int, Any] = {}  # id -> execution; kept alive so ids stay unique
        self._groups: dict[str, list[Any]] = {}  # definition JSON -> executions

    def add(self, execution: Any) -> None:
        """Count ``execution`` (an Execution; anything without a definition is ignored)."""
        definition = getattr(execution, "definition", None)
        if definition is None or not hasattr(execution, "history"):
            return
        with self._lock:
            if id(execution) in self._seen:
                return
            self._seen[id(execution)] = execution
            text = json.dumps(definition.raw, sort_keys=True, default=str)
            self._groups.setdefault(text, []).append(execution)

    def add_runtime(self, runtime: Any) -> None:
        """Count every execution a Runtime holds."""
        for machine in runtime.list_state_machines()["stateMachines"]:
            listed = runtime.list_executions(stateMachineArn=machine["stateMachineArn"])
            for item in listed["executions"]:
                self.add(runtime.execution(item["executionArn"]))

    def coverages(self) -> list[tuple[str, Coverage]]:
        """(state machine name, coverage) per definition seen, in name order."""
        found = []
        with self._lock:
            groups = list(self._groups.values())
        for executions in groups:
            coverage = Coverage.of(executions[0].definition)
            for execution in executions:
                if execution.status != "RUNNING":
                    coverage.add(execution.history)
            found.append((_label(executions), coverage))
        return sorted(found, key=lambda pair: pair[0])

    def totals(self) -> tuple[int, int]:
        """(covered items, items) over every definition."""
        covered = total = 0
        for _, coverage in self.coverages():
            covered += coverage.covered
            total += len(coverage.items)
        return covered, total

    @property
    def percent(self) -> float:
        covered, total = self.totals()
        return round(100.0 * covered / total, 1) if total else 100.0

    def report(self) -> str:
        """Each definition's coverage report, then the total."""
        parts = [coverage.report(name) for name, coverage in self.coverages()]
        covered, total = self.totals()
        parts.append(f"total: {covered}/{total} items ({self.percent}%)")
        return "\n".join(parts)


def _label(executions: list[Any]) -> str:
    """The state machine names a definition ran under (``sfn.run``'s generated ones left out)."""
    names = {
        str(getattr(ex, "state_machine_arn", "") or "").rsplit(":", 1)[-1] for ex in executions
    }
    chosen = sorted(n for n in names if n and not _GENERATED.match(n))
    if chosen:
        return ", ".join(chosen)
    return f"definition starting at {executions[0].definition.start_at}"
