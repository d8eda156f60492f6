"""What CreateStateMachine refuses in an EXPRESS state machine that a STANDARD one may hold.

Express workflows run for at most five minutes and keep no task tokens or activities, so AWS
rejects the patterns that wait on someone else: ``.sync`` and ``.waitForTaskToken`` service
integrations, and activity ARNs (AWS developer guide, "Standard vs. Express workflows"). The
messages are AWS's, recorded by ValidateStateMachineDefinition and CreateStateMachine — the
``.waitForTaskToken`` one ends with a space, which is why CreateStateMachine's error shows two
spaces before "at".

>>> doc = {"StartAt": "A", "States": {"A": {"Type": "Task", "End": True,
...        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"}}}
>>> [(d.location, d.message) for d in express_diagnostics(doc)]  # doctest: +NORMALIZE_WHITESPACE
[('/States/A/Resource',
  "Express state machine does not support '.waitForTaskToken' service integration ")]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from sfn_notebook.errors import Diagnostic

SCHEMA = "SCHEMA_VALIDATION_FAILED"

_ACTIVITY = re.compile(r"^arn:[^:]+:states:[^:]*:[^:]*:activity:")
_PATTERN = re.compile(r"\.(sync(?::\d+)?|waitForTaskToken)$")
_MESSAGES = {
    "sync": "Express state machine does not support '.sync' service integration",
    "waitForTaskToken": (
        "Express state machine does not support '.waitForTaskToken' service integration "
    ),
    "activity": "Express state machine does not support Activity ARN",
}


def express_diagnostics(doc: Any) -> list[Diagnostic]:
    """The errors an EXPRESS state machine with this (already valid) definition gets.

    A Distributed Map's item processor is left out: its child executions have their own type
    (``ProcessorConfig.ExecutionType``), and the validator checks that type's rules there.
    """
    found = []
    for state, at in _task_states(doc, ""):
        resource = state.get("Resource")
        if not isinstance(resource, str):
            continue
        kind = None
        if _ACTIVITY.match(resource):
            kind = "activity"
        elif resource.startswith("arn:") and (match := _PATTERN.search(resource)):
            kind = "sync" if match.group(1).startswith("sync") else "waitForTaskToken"
        if kind is not None:
            found.append(Diagnostic("ERROR", SCHEMA, _MESSAGES[kind], f"{at}/Resource"))
    return found


def _task_states(machine: Any, at: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    states = machine.get("States") if isinstance(machine, Mapping) else None
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        here = f"{at}/States/{_escape(str(name))}"
        kind = state.get("Type")
        if kind == "Task":
            yield state, here
        elif kind == "Parallel":
            for i, branch in enumerate(state.get("Branches") or ()):
                yield from _task_states(branch, f"{here}/Branches/{i}")
        elif kind == "Map":
            for field in ("ItemProcessor", "Iterator"):
                processor = state.get(field)
                if isinstance(processor, Mapping) and not _distributed(processor):
                    yield from _task_states(processor, f"{here}/{field}")


def _distributed(processor: Mapping[str, Any]) -> bool:
    config = processor.get("ProcessorConfig")
    return isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def check_type(definition: Any, state_machine_type: str) -> None:
    """Raise :class:`~sfn_notebook.errors.DefinitionError` as CreateStateMachine does when a
    parsed ``definition`` (a :class:`~sfn_notebook.asl.model.Definition`) cannot be of this type.

    >>> from sfn_notebook.asl.parse import parse
    >>> doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    >>> check_type(parse(doc), "EXPRESS")
    """
    if state_machine_type != "EXPRESS":
        return
    from sfn_notebook.asl.validate import format_definition_error
    from sfn_notebook.errors import DefinitionError

    errors = express_diagnostics(definition.raw)
    if errors:
        raise DefinitionError(format_definition_error(errors), errors)
