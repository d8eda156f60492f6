"""What the API tells about definitions: ValidateStateMachineDefinition, and the parts of
DescribeStateMachine(ForExecution) that come from the definition itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfn_notebook.asl.parse import load_document, validate
from sfn_notebook.asl.references import variable_references
from sfn_notebook.runtime.identity import logging_configuration
from sfn_notebook.runtime.params import operation

if TYPE_CHECKING:
    from sfn_notebook.runtime.registry import MachineRegistry, StateMachine


class DefinitionApi:
    """Definition operations of :class:`~sfn_notebook.runtime.Runtime` (a mixin)."""

    registry: MachineRegistry

    def _machine(self, arn: str) -> StateMachine:
        raise NotImplementedError

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
        machine = self._machine(execution.state_machine_arn)
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
