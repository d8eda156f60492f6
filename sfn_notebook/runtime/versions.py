"""State machine versions as AWS keeps them: PublishStateMachineVersion, DeleteStateMachineVersion
and the ``publish=True`` of CreateStateMachine / UpdateStateMachine.

The rules come from AWS's recorded answers (LocalStack's test_sfn_api_versioning snapshots):

- publishing is idempotent: while the definition has not changed since the latest version, a
  publish returns that version again instead of making a new one;
- version numbers never come back: after deleting version 2, the next one is 3;
- deleting a version that is already gone succeeds;
- ``revisionId`` guards a publish: when it is not the current revision the publish fails with
  ConflictException;
- a ``versionDescription`` without ``publish`` is a ValidationException.

>>> import json
>>> from sfn_notebook import Runtime
>>> rt = Runtime(store=None)
>>> doc = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
>>> arn = rt.create_state_machine(name="v", definition=doc)["stateMachineArn"]
>>> first = rt.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
>>> first == rt.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
True
>>> rt.close()
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sfn_notebook.asl.parse import parse
from sfn_notebook.engine import compile_machine
from sfn_notebook.runtime.exceptions import (
    ConflictException,
    StateMachineDoesNotExist,
    ValidationException,
)
from sfn_notebook.runtime.identity import check_arn, page
from sfn_notebook.runtime.params import operation
from sfn_notebook.runtime.registry import StateMachine, StateMachineVersion

if TYPE_CHECKING:
    from sfn_notebook.engine.clock import Clock
    from sfn_notebook.runtime.ledger import Ledger
    from sfn_notebook.runtime.registry import MachineRegistry


def check_version_description(publish: bool, description: str | None) -> None:
    """AWS refuses a version description for a call that publishes nothing."""
    if description is not None and not publish:
        raise ValidationException("Version description can only be set when publish is true")


def version_named(machine: StateMachine, arn: str) -> StateMachineVersion | None:
    """The version of ``machine`` a qualified ARN (``...:stateMachine:name:3``) names; None for
    the state machine itself or an alias; StateMachineDoesNotExist for a version that is gone."""
    qualifier = arn[len(machine.arn) + 1 :] if arn.startswith(machine.arn + ":") else ""
    if not qualifier.isdigit():
        return None
    for version in machine.versions:
        if version.number == int(qualifier):
            return version
    raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")


class VersionService:
    """A Runtime's state machine versions (``rt.versions``; the Runtime offers its boto3-dialect
    methods and :meth:`machine_for` as its own): publishing, deleting, listing them, and what
    an execution of a version ARN runs.

    It is given the ``registry``, the ``clock``, the ``ledger`` that stores versions and
    ``routing_to`` (the names of the aliases routing to a version, which must not be deleted).
    """

    def __init__(
        self,
        registry: MachineRegistry,
        clock: Clock,
        ledger: Ledger,
        routing_to: Callable[[str], list[str]],
    ) -> None:
        self.registry = registry
        self.clock = clock
        self.ledger = ledger
        self.routing_to = routing_to
        # (machine ARN, number) -> the version it was compiled from and the machine it runs.
        self._targets: dict[tuple[str, int], tuple[StateMachineVersion, StateMachine]] = {}

    def machine_for(self, arn: str) -> StateMachine:
        """What an execution of ``arn`` runs: the state machine, or for a version ARN the
        machine as that version defined it (compiled once per version)."""
        machine = self.registry.machine(arn)
        version = version_named(machine, arn)
        if version is None:
            return machine
        key = (machine.arn, version.number)
        found = self._targets.get(key)
        # (the same version object: a state machine deleted and created again numbers anew)
        if found is None or found[0] is not version:
            model = parse(version.definition_text)
            target = dataclasses.replace(
                machine,
                definition_text=version.definition_text,
                definition=model,
                compiled=compile_machine(model),
            )
            found = self._targets[key] = (version, target)
        return found[1]

    def _publish_version(
        self, machine: StateMachine, description: str | None
    ) -> StateMachineVersion:
        latest = machine.versions[-1] if machine.versions else None
        if latest is not None and latest.definition_text == machine.definition_text:
            return latest  # nothing changed since: AWS hands back the same version
        number = _highest_number(machine) + 1
        version = StateMachineVersion(
            number, machine.definition_text, description, self.clock.now()
        )
        machine.versions.append(version)
        machine.highest_version = number
        self.ledger.version_saved(machine)
        return version

    def publish(self, machine: StateMachine, description: str | None) -> str:
        """The ARN of the version of ``machine``'s current definition, published if it is new
        (CreateStateMachine's and UpdateStateMachine's ``publish=True``)."""
        return f"{machine.arn}:{self._publish_version(machine, description).number}"

    @operation("PublishStateMachineVersion")
    def publish_state_machine_version(
        self,
        *,
        stateMachineArn: str,
        revisionId: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """PublishStateMachineVersion: the current definition as a numbered version."""
        with self.registry.lock:
            machine = self.registry.machine(stateMachineArn)
            if revisionId is not None and revisionId != machine.revision_id:
                raise ConflictException(
                    f"Failed to publish the State Machine version for revision {revisionId}. "
                    f"The current State Machine revision is {machine.revision_id}."
                )
            version = self._publish_version(machine, description)
        return {
            "creationDate": version.created,
            "stateMachineVersionArn": f"{machine.arn}:{version.number}",
        }

    @operation("DeleteStateMachineVersion")
    def delete_state_machine_version(self, *, stateMachineVersionArn: str) -> dict[str, Any]:
        """DeleteStateMachineVersion: forget one version (its number is not reused)."""
        check_arn(stateMachineVersionArn)
        base, _, number = stateMachineVersionArn.rpartition(":")
        with self.registry.lock:
            machine = self.registry.find_machine(base)
            if machine is None or not number.isdigit():
                return {}  # AWS answers a version already gone with success
            routed_by = self.routing_to(stateMachineVersionArn)
            if routed_by:
                raise ConflictException(
                    "Version to be deleted must not be referenced by an alias. Current list of "
                    f"aliases referencing this version: [{', '.join(routed_by)}]"
                )
            kept = [v for v in machine.versions if v.number != int(number)]
            if len(kept) != len(machine.versions):
                machine.highest_version = _highest_number(machine)
                machine.versions = kept
                self._targets.pop((machine.arn, int(number)), None)
                self.ledger.version_deleted(machine.arn, int(number))
        return {}

    @operation("ListStateMachineVersions")
    def list_state_machine_versions(
        self,
        *,
        stateMachineArn: str,
        maxResults: int = 0,
        nextToken: str | None = None,
    ) -> dict[str, Any]:
        """ListStateMachineVersions, newest first."""
        machine = self.registry.machine(stateMachineArn)
        items = [
            {"stateMachineVersionArn": f"{machine.arn}:{v.number}", "creationDate": v.created}
            for v in reversed(machine.versions)
        ]
        return page(items, "stateMachineVersions", maxResults, nextToken)


def _highest_number(machine: StateMachine) -> int:
    return max(machine.highest_version, max((v.number for v in machine.versions), default=0))
