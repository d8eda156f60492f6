"""The Runtime's execution queries: DescribeExecution, GetExecutionHistory and ListExecutions.

>>> from sfn_notebook import Runtime
>>> rt = Runtime(clock="virtual")
>>> definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
>>> arn = rt.create_state_machine(name="m", definition=definition)["stateMachineArn"]
>>> ex = rt.start(arn, {"x": 1}).wait()
>>> [e["type"] for e in rt.get_execution_history(executionArn=ex.arn)["events"]][-1]
'ExecutionSucceeded'
>>> rt.list_executions(stateMachineArn=arn, statusFilter="FAILED")["executions"]
[]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.history import payload
from sfn_notebook.runtime.exceptions import ValidationException
from sfn_notebook.runtime.identity import page
from sfn_notebook.runtime.params import operation

if TYPE_CHECKING:
    from sfn_notebook.runtime.ledger import Ledger
    from sfn_notebook.runtime.registry import MachineRegistry


class ExecutionQueries:
    """What a Runtime answers about its executions (``rt.queries``; the Runtime offers its
    methods as its own). It is given the ``registry``, the ``ledger`` (redrive counts and
    dates) and, from the aliases part, ``started_via`` (the version and alias an execution was
    started through) and ``started_through`` (whether it belongs to a version's or alias's
    list)."""

    def __init__(
        self,
        registry: MachineRegistry,
        ledger: Ledger,
        started_via: Callable[[str], dict[str, str]],
        started_through: Callable[[str, str], bool],
    ) -> None:
        self.registry = registry
        self.ledger = ledger
        self.started_via = started_via
        self.started_through = started_through

    @operation("DescribeExecution")
    def describe_execution(self, *, executionArn: str, **_unused: Any) -> dict[str, Any]:
        """DescribeExecution: an execution's status, input, output or error, and how it was
        started (version, alias) and redriven."""
        record, execution = self.registry.execution(executionArn)
        ctx = record.context
        response: dict[str, Any] = {
            "executionArn": execution.arn,
            "stateMachineArn": execution.state_machine_arn,
            "name": execution.name,
            "status": record.status,
            "startDate": ctx.start_time,
        }
        if record.stop_date is not None:
            response["stopDate"] = record.stop_date
        response["input"], response["inputDetails"] = payload(ctx.input_text)
        response["inputDetails"] = {"included": True}
        if record.output_text is not None:
            response["output"] = record.output_text
            response["outputDetails"] = {"included": True}
        if record.error is not None:
            response["error"] = record.error
        if record.cause is not None:
            response["cause"] = record.cause
        response.update(self.started_via(execution.arn))
        response.update(self.ledger.redrive_fields(record))
        return response

    @operation("GetExecutionHistory")
    def get_execution_history(
        self,
        *,
        executionArn: str,
        maxResults: int = 1000,
        nextToken: str | None = None,
        reverseOrder: bool = False,
        includeExecutionData: bool = True,
    ) -> dict[str, Any]:
        """GetExecutionHistory: an execution's events, paged (newest first with
        ``reverseOrder``, without their payloads without ``includeExecutionData``)."""
        record, _ = self.registry.execution(executionArn)
        events = list(record.context.history.events)
        if reverseOrder:
            events.reverse()
        if not includeExecutionData:
            events = [_without_data(e) for e in events]
        return page(events, "events", maxResults, nextToken)

    @operation("ListExecutions")
    def list_executions(
        self,
        *,
        stateMachineArn: str,
        statusFilter: str | None = None,
        maxResults: int = 100,
        nextToken: str | None = None,
        **_unused: Any,
    ) -> dict[str, Any]:
        """ListExecutions: a state machine's executions, newest first (of a version or alias
        ARN: those started through it), by status with ``statusFilter``."""
        machine = self.registry.machine(stateMachineArn)
        qualified = stateMachineArn if stateMachineArn != machine.arn else None
        if statusFilter is not None and statusFilter not in _STATUSES:
            raise ValidationException(
                f"1 validation error detected: Value '{statusFilter}' at 'statusFilter' failed "
                "to satisfy constraint: Member must satisfy enum value set: "
                f"[{', '.join(_STATUSES_AS_LISTED)}]"
            )
        items = []
        for record, execution in self.registry.executions_of(machine):
            arn = execution.arn
            if statusFilter and record.status != statusFilter:
                continue
            if qualified is not None and not self.started_through(arn, qualified):
                continue  # a version's or alias's list holds the executions started through it
            item: dict[str, Any] = {
                "executionArn": arn,
                "stateMachineArn": machine.arn,
                "name": execution.name,
                "status": record.status,
                "startDate": record.context.start_time,
                **self.started_via(arn),
            }
            if record.stop_date is not None:
                item["stopDate"] = record.stop_date
            if record.context.redrive_count:
                item["redriveCount"] = record.context.redrive_count
                item["redriveDate"] = self.ledger.redrive_date(arn)
            items.append(item)
        return page(items, "executions", maxResults, nextToken)


_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
# The order AWS's message lists them in (recorded; not the API model's order).
_STATUSES_AS_LISTED = (
    "SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING",
)  # fmt: skip


_DATA_KEYS = ("input", "output", "inputDetails", "outputDetails", "parameters")


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """includeExecutionData=False: the event without its payloads."""
    return {
        key: {k: v for k, v in value.items() if k not in _DATA_KEYS}
        if key.endswith("EventDetails") and isinstance(value, dict)
        else value
        for key, value in event.items()
    }
