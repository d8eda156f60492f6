"""The Runtime is composed of parts with one job each, not a pile of mixins, and no module of
``sfn_notebook/runtime`` reaches into another object's private names."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import sfn_notebook as sfn
from sfn_notebook.runtime.aliases import AliasService
from sfn_notebook.runtime.definitions import DefinitionService
from sfn_notebook.runtime.mapruns import MapRunService
from sfn_notebook.runtime.params import Offered
from sfn_notebook.runtime.queries import ExecutionQueries
from sfn_notebook.runtime.tags import TagService
from sfn_notebook.runtime.tasks import TaskService
from sfn_notebook.runtime.versions import VersionService

RUNTIME = Path(sfn.__file__).parent / "runtime"


def test_the_runtime_is_composed_not_mixed() -> None:
    assert sfn.Runtime.__mro__ == (sfn.Runtime, object)
    with sfn.Runtime(clock="virtual") as rt:
        assert isinstance(rt.tasks, TaskService)
        assert isinstance(rt.map_runs, MapRunService)
        assert isinstance(rt.aliases, AliasService)
        assert isinstance(rt.versions, VersionService)
        assert isinstance(rt.tags, TagService)
        assert isinstance(rt.definitions, DefinitionService)
        assert isinstance(rt.queries, ExecutionQueries)
        # The parts' boto3-dialect methods are offered as the Runtime's own, unchanged.
        assert rt.send_task_success.__self__ is rt.tasks
        assert rt.list_map_runs.__self__ is rt.map_runs
        assert rt.create_state_machine_alias.__self__ is rt.aliases
        assert rt.publish_state_machine_version.__self__ is rt.versions
        assert rt.tag_resource.__self__ is rt.tags
        assert rt.describe_state_machine.__self__ is rt.definitions
        assert rt.list_executions.__self__ is rt.queries
        arn = rt.create_activity(name="work")["activityArn"]
        assert rt.describe_activity(activityArn=arn)["name"] == "work"
        result = rt.test_state(definition={"Type": "Pass", "Result": 1, "End": True})
        assert result["output"] == "1"
    # Documented at the class too (help(sfn.Runtime), the API reference).
    assert "SendTaskSuccess" in (inspect.getdoc(sfn.Runtime.send_task_success) or "")
    assert sfn.Runtime.send_task_success.__sfn_operation__ == "SendTaskSuccess"


def test_every_offered_method_is_its_parts_documented_operation() -> None:
    offered = {name: d for name, d in vars(sfn.Runtime).items() if isinstance(d, Offered)}
    assert len(offered) >= 30
    for name, descriptor in offered.items():
        method = getattr(sfn.Runtime, name)
        assert method is getattr(descriptor.cls, name)
        assert inspect.getdoc(method), name
        if name[0].islower() and name not in _CONVENIENCES:
            operation = "".join(word.title() for word in name.split("_"))
            assert getattr(method, "__sfn_operation__", None) == operation, name


# Offered Python conveniences (not boto3 operations).
_CONVENIENCES = {
    "execution_resources",
    "load_mocks",
    "activity_worker",
    "machine_for",
    "routed_arn",
}


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
