"""The Runtime's map run part: DescribeMapRun, ListMapRuns and UpdateMapRun.

A Distributed Map's map run (:class:`~sfn_notebook.engine.maprun.MapRun`) lives in its parent
execution's history; these methods answer with boto3's response shapes.

>>> from sfn_notebook import Runtime
>>> rt = Runtime(clock="virtual")
>>> definition = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True,
...     "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
...                       "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
>>> arn = rt.create_state_machine(name="m", definition=definition)["stateMachineArn"]
>>> ex = rt.start(arn, [1, 2, 3]).wait()
>>> run = rt.list_map_runs(executionArn=ex.arn)["mapRuns"][0]
>>> described = rt.describe_map_run(mapRunArn=run["mapRunArn"])
>>> described["status"], described["itemCounts"]["succeeded"], described["itemCounts"]["total"]
('SUCCEEDED', 3, 3)
"""

from __future__ import annotations

from typing import Any

from sfn_notebook.engine.maprun import MapRun
from sfn_notebook.runtime.exceptions import ResourceNotFound, ValidationException
from sfn_notebook.runtime.identity import check_arn, page
from sfn_notebook.runtime.params import operation
from sfn_notebook.runtime.registry import MachineRegistry


class MapRunService:
    """DescribeMapRun, ListMapRuns and UpdateMapRun over a registry's executions (``rt.map_runs``;
    the Runtime offers its methods as its own)."""

    def __init__(self, registry: MachineRegistry) -> None:
        self.registry = registry

    def _map_run(self, arn: str) -> tuple[str, MapRun]:
        """The execution ARN and map run of a map run ARN; ResourceNotFound when none has it."""
        check_arn(arn)
        for record, execution in self.registry.all_executions():
            found = record.context.history.map_run_records.get(arn)
            if found is not None:
                return execution.arn, found
        raise ResourceNotFound(f"Resource not found: '{arn}'")

    @operation("DescribeMapRun")
    def describe_map_run(self, *, mapRunArn: str) -> dict[str, Any]:
        """DescribeMapRun: a map run's status, settings and item and execution counts."""
        execution_arn, run = self._map_run(mapRunArn)
        response: dict[str, Any] = {
            "mapRunArn": run.arn,
            "executionArn": execution_arn,
            "status": run.status,
            "startDate": run.start,
        }
        if run.stop is not None:
            response["stopDate"] = run.stop
        response["maxConcurrency"] = run.max_concurrency
        response["toleratedFailurePercentage"] = run.tolerated_failure_percentage
        response["toleratedFailureCount"] = run.tolerated_failure_count
        response.update(run.describe_counts())
        if run.redrive_count:
            response["redriveCount"] = run.redrive_count
            response["redriveDate"] = run.redrive_date
        return response

    @operation("ListMapRuns")
    def list_map_runs(
        self, *, executionArn: str, maxResults: int = 100, nextToken: str | None = None
    ) -> dict[str, Any]:
        """The map runs an execution started, in the order they started."""
        record, execution = self.registry.execution(executionArn)
        items = []
        for run in list(record.context.history.map_run_records.values()):
            item: dict[str, Any] = {
                "executionArn": execution.arn,
                "mapRunArn": run.arn,
                "stateMachineArn": _state_machine_arn(run.arn),
                "startDate": run.start,
            }
            if run.stop is not None:
                item["stopDate"] = run.stop
            items.append(item)
        return page(items, "mapRuns", maxResults, nextToken)

    @operation("UpdateMapRun")
    def update_map_run(
        self,
        *,
        mapRunArn: str,
        maxConcurrency: int | None = None,
        toleratedFailurePercentage: float | None = None,
        toleratedFailureCount: int | None = None,
    ) -> dict[str, Any]:
        """Change a map run's MaxConcurrency and tolerated failures; a running map run
        follows them from its next child execution (and its next failure)."""
        if toleratedFailurePercentage is not None and not 0 <= toleratedFailurePercentage <= 100:
            raise ValidationException(
                f"1 validation error detected: Value '{float(toleratedFailurePercentage)}' at "
                "'toleratedFailurePercentage' failed to satisfy constraint: Member must have "
                "value between 0 and 100"
            )
        _, run = self._map_run(mapRunArn)
        run.update(maxConcurrency, toleratedFailureCount, toleratedFailurePercentage)
        return {}


def _state_machine_arn(map_run_arn: str) -> str:
    """The map run's state machine, as AWS names it: ``stateMachine:<machine>/<label>``.

    >>> _state_machine_arn("arn:aws:states:us-east-1:1:mapRun:m/Map:6a0e")
    'arn:aws:states:us-east-1:1:stateMachine:m/Map'
    """
    head, _, _ = map_run_arn.rpartition(":")
    return head.replace(":mapRun:", ":stateMachine:", 1)
