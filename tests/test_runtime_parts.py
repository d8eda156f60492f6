"""The Runtime is composed of parts with one job each, not a pile of mixins, and no module of
``sfn_notebook/runtime`` reaches into another object's private names."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import sfn_notebook as sfn
from sfn_notebook.runtime.mapruns import MapRunService
from sfn_notebook.runtime.tasks import TaskService

RUNTIME = Path(sfn.__file__).parent / "runtime"


def test_the_runtime_is_composed_not_mixed() -> None:
    assert sfn.Runtime.__mro__ == (sfn.Runtime, object)
    with sfn.Runtime(clock="virtual") as rt:
        assert isinstance(rt.tasks, TaskService)
        assert isinstance(rt.map_runs, MapRunService)
        # The parts' boto3-dialect methods are offered as the Runtime's own, unchanged.
        assert rt.send_task_success.__self__ is rt.tasks
        assert rt.list_map_runs.__self__ is rt.map_runs
        arn = rt.create_activity(name="work")["activityArn"]
        assert rt.describe_activity(activityArn=arn)["name"] == "work"
        result = rt.test_state(definition={"Type": "Pass", "Result": 1, "End": True})
        assert result["output"] == "1"
    # Documented at the class too (help(sfn.Runtime), the API reference).
    assert "SendTaskSuccess" in (inspect.getdoc(sfn.Runtime.send_task_success) or "")
    assert sfn.Runtime.send_task_success.__sfn_operation__ == "SendTaskSuccess"


def _private_reaches(path: Path) -> list[str]:
    """``x._name`` where x is not ``self`` or ``cls`` (dunders aside)."""
    return [
        f"{path.name}:{node.lineno} .{node.attr}"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    ]


def test_no_runtime_module_reaches_into_private_names() -> None:
    reaches = [hit for path in sorted(RUNTIME.glob("*.py")) for hit in _private_reaches(path)]
    assert reaches == []
