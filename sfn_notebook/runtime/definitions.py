"""What the API tells about state machines and their definitions: ValidateStateMachineDefinition,
DescribeStateMachine and DescribeStateMachineForExecution.

>>> from sfn_notebook import Runtime
>>> rt = Runtime(clock="virtual")
>>> rt.validate_state_machine_definition(definition={"StartAt": "A", "States": {}})["result"]
'FAIL'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfn_notebook.asl.parse import load_document, validate
from sfn_notebook.asl.references import variable_references
from sfn_notebook.runtime.identity import logging_configuration
from sfn_notebook.runtime.params import operation
from sfn_notebook.runtime.versions import version_named

if TYPE_CHECKING:
    from sfn_notebook.runtime.registry import MachineRegistry


class DefinitionService:
    """DescribeStateMachine(ForExecution) over the ``registry``'s state machines and versions,
    and ValidateStateMachineDefinition (``rt.definitions``; the Runtime offers its methods as
    its own)."""

    def __init__(self, registry: MachineRegistry) -> None:
        self.registry = registry

    @operation("DescribeStateMachine")
    def describe_state_machine(self, *, stateMachineArn: str, **_unused: Any) -> dict[str, Any]:
        """DescribeStateMachine: a state machine, or for a version ARN that version."""
        machine = self.registry.machine(stateMachineArn)
        response = {
            "stateMachineArn": machine.arn,
            "name": machine.name,
            "status": "ACTIVE",
            "definition": machine.definition_text,
            "roleArn": machine.role_arn,
            "type": machine.type,
            "creationDate": machine.created,
            "loggingConfiguration": machine.logging or logging_configuration(None),
            "tracingConfiguration": {"enabled": False},
        }
        if machine.revision_id:  # AWS shows one only once an update made it
            response["revisionId"] = machine.revision_id
        response.update(described_definition(machine.definition_text))
        version = version_named(machine, stateMachineArn)
        if version is not None:
            # A version ARN describes that version: its own definition and description.
            response.pop("revisionId", None)
            response["stateMachineArn"] = f"{machine.arn}:{version.number}"
            response["definition"] = version.definition_text
            response.pop("variableReferences", None)
            response.update(described_definition(version.definition_text))
            response["creationDate"] = version.created
            if version.description is not None:
                response["description"] = version.description
        return response

    @operation("ValidateStateMachineDefinition")
    def validate_state_machine_definition(
        self,
        *,
        definition: str | Mapping[str, Any],
        type: str = "STANDARD",
        severity: str = "ERROR",
        maxResults: int = 100,
        **_unused: Any,
    ) -> dict[str, Any]:
        """ValidateStateMachineDefinition: ``result`` "OK" or "FAIL" and the ``diagnostics``
        (warnings too when ``severity="WARNING"``), at most ``maxResults`` of them."""
        found = [
            d
            for d in validate(definition, state_machine_type=type)
            if d.severity == "ERROR" or (severity == "WARNING" and d.severity == "WARNING")
        ]
        limit = maxResults or 100
        diagnostics = []
        for d in found[:limit]:
            item = {"severity": d.severity, "code": d.code, "message": d.message}
            if d.location:  # AWS leaves it out for a definition that is no JSON object at all
                item["location"] = d.location
            diagnostics.append(item)
        failed = any(d.severity == "ERROR" for d in found)
        return {
            "result": "FAIL" if failed else "OK",
            "diagnostics": diagnostics,
            "truncated": len(found) > limit,
        }

    @operation("DescribeStateMachineForExecution")
    def describe_state_machine_for_execution(
        self, *, executionArn: str, **_unused: Any
    ) -> dict[str, Any]:
        """DescribeStateMachineForExecution: the state machine an execution belongs to, with
        the fields AWS returns for it (recorded: test_describe_state_machine_for_execution)."""
        execution = self.registry.execution(executionArn)[1]
        machine = self.registry.machine(execution.state_machine_arn)
        return {
            "stateMachineArn": machine.arn,
            "name": machine.name,
            "definition": machine.definition_text,
            "roleArn": machine.role_arn,
            "updateDate": machine.created,
            "loggingConfiguration": machine.logging or logging_configuration(None),
            "tracingConfiguration": {"enabled": False},
            **described_definition(machine.definition_text),
        }


def described_definition(text: str) -> dict[str, Any]:
    """What DescribeStateMachine adds about a definition: the key AWS encrypts it with (its
    own, unless one is configured) and the variables each state reads, when any does."""
    described: dict[str, Any] = {"encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}
    references = variable_references(load_document(text)[0])  # YAML text too
    if references:
        described["variableReferences"] = references
    return described
