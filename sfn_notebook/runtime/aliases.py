"""State machine aliases: names that route executions to one or two published versions by
weight (CreateStateMachineAlias, DescribeStateMachineAlias, UpdateStateMachineAlias,
DeleteStateMachineAlias, ListStateMachineAliases).

The checks and their wording are AWS's, recorded in LocalStack's test_sfn_api_aliasing
snapshots: only version ARNs of the machine may be routed to, each once, with weights that sum
to 100; creating an alias again with the same configuration returns it, with another one is a
ConflictException; a version an alias routes to cannot be deleted. Aliases live as long as the
Runtime (the store does not keep them).

>>> import json
>>> from sfn_notebook import Runtime
>>> rt = Runtime(store=None)
>>> doc = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
>>> made = rt.create_state_machine(name="m", definition=doc, publish=True)
>>> route = [{"stateMachineVersionArn": made["stateMachineVersionArn"], "weight": 100}]
>>> alias = rt.create_state_machine_alias(name="live", routingConfiguration=route)
>>> alias["stateMachineAliasArn"].endswith(":stateMachine:m:live")
True
>>> rt.close()
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.runtime.exceptions import ConflictException, ResourceNotFound, ValidationException
from sfn_notebook.runtime.identity import check_arn, page
from sfn_notebook.runtime.params import operation

if TYPE_CHECKING:
    from sfn_notebook.engine.clock import Clock
    from sfn_notebook.runtime.registry import MachineRegistry, StateMachine

# The API model's pattern for an alias name: at least one character that is not a digit.
_NAME = re.compile(r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$")
_MAX_ROUTES = 2


@dataclass
class Alias:
    arn: str
    name: str
    machine_arn: str
    description: str | None
    routing: list[dict[str, Any]]
    created: datetime
    updated: datetime | None = None


class AliasService:
    """A Runtime's aliases and the routing of its executions (``rt.aliases``; the Runtime
    offers its boto3-dialect methods and :meth:`routed_arn` as its own).

    It owns the aliases, chooses the version an execution through an alias runs, and remembers
    which version and alias each execution was started through. It is given the ``registry``,
    the ``clock`` and ``describe_state_machine`` (the Runtime's DescribeStateMachine, whose
    answer for a version ARN that is gone is the error a routing to it gets).
    """

    def __init__(
        self,
        registry: MachineRegistry,
        clock: Clock,
        describe_state_machine: Callable[..., dict[str, Any]],
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.describe_state_machine = describe_state_machine
        self._aliases: dict[str, Alias] = {}  # by alias ARN, oldest first
        # Execution ARN -> the stateMachineVersionArn / stateMachineAliasArn it was started with.
        self._started_via: dict[str, dict[str, str]] = {}

    def _alias(self, arn: str) -> Alias | None:
        return self._aliases.get(arn)

    def _routed_version(self, alias: Alias) -> str:
        """The version ARN an execution through ``alias`` runs, chosen by weight."""
        routes = alias.routing
        pick = random.uniform(0, 100)
        for route in routes:
            pick -= route["weight"]
            if pick < 0:
                return str(route["stateMachineVersionArn"])
        return str(routes[-1]["stateMachineVersionArn"])

    def _check_routing(self, routing: list[dict[str, Any]]) -> StateMachine:
        if len(routing) > _MAX_ROUTES:
            listed = ", ".join(
                f"RoutingConfigurationListItem(stateMachineVersionArn="
                f"{r.get('stateMachineVersionArn')}, weight={r.get('weight')})"
                for r in routing
            )
            raise ValidationException(
                f"1 validation error detected: Value '[{listed}]' at 'routingConfiguration' "
                f"failed to satisfy constraint: Member must have length less than or equal to "
                f"{_MAX_ROUTES}"
            )
        for i, route in enumerate(routing, 1):
            if route["weight"] > 100:
                raise ValidationException(
                    f"1 validation error detected: Value '{route['weight']}' at "
                    f"'routingConfiguration.{i}.member.weight' failed to satisfy constraint: "
                    "Member must have value less than or equal to 100"
                )
        arns = [str(r["stateMachineVersionArn"]) for r in routing]
        received = f"[{', '.join(arns)}]"
        if not all(arn.rpartition(":")[2].isdigit() for arn in arns):
            raise ValidationException(
                "Routing configuration must contain state machine version ARNs. "
                f"Received: {received}"
            )
        if len(set(arns)) != len(arns):
            raise ValidationException(
                "Routing configuration must contain distinct state machine version ARNs. "
                f"Received: {received}"
            )
        weights = [r["weight"] for r in routing]
        if sum(weights) != 100:
            raise ValidationException(
                "Sum of routing configuration weights must equal 100. "
                f"Received: [{', '.join(str(w) for w in weights)}]"
            )
        machines = {self.registry.machine(arn).arn for arn in arns}
        for arn in arns:  # each must be a version that exists
            self.describe_state_machine(stateMachineArn=arn)
        if len(machines) != 1:
            raise ValidationException(
                "Routing configuration must contain state machine version ARNs of the same "
                f"state machine. Received: {received}"
            )
        return self.registry.machine(arns[0])

    @operation("CreateStateMachineAlias")
    def create_state_machine_alias(
        self,
        *,
        name: str,
        routingConfiguration: list[dict[str, Any]],
        description: str | None = None,
    ) -> dict[str, Any]:
        """CreateStateMachineAlias: a name routing to one or two versions by weight."""
        if not _NAME.match(name) or len(name) > 80:
            constraint = (
                "Member must have length less than or equal to 80"
                if len(name) > 80
                else f"Member must satisfy regular expression pattern: {_NAME.pattern}"
            )
            raise ValidationException(
                f"1 validation error detected: Value '{name}' at 'name' failed to satisfy "
                f"constraint: {constraint}"
            )
        routing = [dict(r) for r in routingConfiguration]
        with self.registry.lock:
            machine = self._check_routing(routing)
            arn = f"{machine.arn}:{name}"
            existing = self._alias(arn)
            if existing is not None:
                if existing.routing == routing and existing.description == description:
                    return {"stateMachineAliasArn": arn, "creationDate": existing.created}
                raise ConflictException(
                    "Failed to create alias because an alias with the same name and a different "
                    "routing configuration already exists."
                )
            alias = Alias(arn, name, machine.arn, description, routing, self.clock.now())
            self._aliases[arn] = alias
        return {"stateMachineAliasArn": arn, "creationDate": alias.created}

    @operation("DescribeStateMachineAlias")
    def describe_state_machine_alias(self, *, stateMachineAliasArn: str) -> dict[str, Any]:
        """DescribeStateMachineAlias."""
        alias = self._existing(stateMachineAliasArn)
        response: dict[str, Any] = {
            "stateMachineAliasArn": alias.arn,
            "name": alias.name,
            "routingConfiguration": [dict(r) for r in alias.routing],
            "creationDate": alias.created,
        }
        if alias.description is not None:
            response["description"] = alias.description
        if alias.updated is not None:
            response["updateDate"] = alias.updated
        return response

    @operation("UpdateStateMachineAlias")
    def update_state_machine_alias(
        self,
        *,
        stateMachineAliasArn: str,
        description: str | None = None,
        routingConfiguration: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """UpdateStateMachineAlias: a new description or routing."""
        with self.registry.lock:
            alias = self._existing(stateMachineAliasArn)
            if routingConfiguration is not None:
                routing = [dict(r) for r in routingConfiguration]
                self._check_routing(routing)
                alias.routing = routing
            if description is not None:
                alias.description = description
            alias.updated = self.clock.now()
        return {"updateDate": alias.updated}

    @operation("DeleteStateMachineAlias")
    def delete_state_machine_alias(self, *, stateMachineAliasArn: str) -> dict[str, Any]:
        """DeleteStateMachineAlias (an alias already gone is no error)."""
        check_arn(stateMachineAliasArn)
        with self.registry.lock:
            self._aliases.pop(stateMachineAliasArn, None)
        return {}

    @operation("ListStateMachineAliases")
    def list_state_machine_aliases(
        self, *, stateMachineArn: str, maxResults: int = 0, nextToken: str | None = None
    ) -> dict[str, Any]:
        """ListStateMachineAliases, oldest first."""
        machine = self.registry.machine(stateMachineArn)
        items = [
            {"stateMachineAliasArn": a.arn, "creationDate": a.created}
            for a in self._aliases.values()
            if a.machine_arn == machine.arn
        ]
        return page(items, "stateMachineAliases", maxResults, nextToken)

    def routed_arn(self, arn: str) -> str:
        """The ARN an execution started with ``arn`` runs: for an alias, one of its versions
        (by weight), chosen once per execution; any other ARN as it is."""
        alias = self._alias(arn)
        return arn if alias is None else self._routed_version(alias)

    def note_start(self, execution_arn: str, given: str, routed: str) -> None:
        """Remember the version (and alias) an execution was started through: DescribeExecution
        and ListExecutions name them (``stateMachineVersionArn``, ``stateMachineAliasArn``)."""
        via = {}
        if routed.rpartition(":")[2].isdigit() and ":stateMachine:" in routed:
            via["stateMachineVersionArn"] = routed
        if given != routed:
            via["stateMachineAliasArn"] = given
        if via:
            self._started_via[execution_arn] = via

    def started_via(self, execution_arn: str) -> dict[str, str]:
        """``stateMachineVersionArn`` and ``stateMachineAliasArn`` of an execution, when it
        was started through a version or an alias."""
        return dict(self._started_via.get(execution_arn, {}))

    def started_through(self, execution_arn: str, qualified: str) -> bool:
        """Whether an execution belongs in ListExecutions of a version or alias ARN."""
        return qualified in self._started_via.get(execution_arn, {}).values()

    def routing_to(self, version_arn: str) -> list[str]:
        """The names of the aliases that route to a version."""
        return [
            a.name
            for a in self._aliases.values()
            if any(r["stateMachineVersionArn"] == version_arn for r in a.routing)
        ]

    def _existing(self, arn: str) -> Alias:
        check_arn(arn)
        alias = self._alias(arn)
        if alias is None:
            raise ResourceNotFound("Request references a resource that does not exist.")
        return alias
