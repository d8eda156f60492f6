"""State machine aliases as AWS answers for them, from recordings beyond the public corpus
(test_sfn_api_aliasing.snapshot.json in LocalStack's AWS-validated snapshots)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import sfn_notebook as sfn


def _doc(result: Any) -> str:
    state = {"Type": "Pass", "Result": result, "End": True}
    return json.dumps({"StartAt": "P", "States": {"P": state}})


@pytest.fixture
def rt() -> Iterator[Any]:
    runtime = sfn.Runtime(store=None, clock="virtual")
    yield runtime
    runtime.close()


@pytest.fixture
def versions(rt: Any) -> tuple[str, str, str]:
    """A state machine with versions 1 and 2 (results 1 and 2): (machine, v1, v2) ARNs."""
    made = rt.create_state_machine(name="m", definition=_doc(1), publish=True)
    second = rt.update_state_machine(
        stateMachineArn=made["stateMachineArn"], definition=_doc(2), publish=True
    )
    return made["stateMachineArn"], made["stateMachineVersionArn"], second["stateMachineVersionArn"]


def _route(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"stateMachineVersionArn": arn, "weight": weight} for arn, weight in pairs]


def test_lifecycle_create_describe_update_list_delete(rt: Any, versions: Any) -> None:
    # test_base_lifecycle_create_update_describe, test_base_lifecycle_create_delete_list
    machine, v1, v2 = versions
    created = rt.create_state_machine_alias(
        name="live", routingConfiguration=_route((v1, 100)), description="first"
    )
    alias = created["stateMachineAliasArn"]
    assert alias == f"{machine}:live"
    again = rt.create_state_machine_alias(
        name="live", routingConfiguration=_route((v1, 100)), description="first"
    )
    assert again == created  # the same alias again: idempotent
    with pytest.raises(rt.exceptions.ConflictException) as caught:
        rt.create_state_machine_alias(name="live", routingConfiguration=_route((v2, 100)))
    assert str(caught.value) == (
        "Failed to create alias because an alias with the same name and a different routing "
        "configuration already exists."
    )
    rt.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=_route((v1, 50), (v2, 50))
    )
    described = rt.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["routingConfiguration"] == _route((v1, 50), (v2, 50))
    assert described["description"] == "first" and "updateDate" in described
    listed = rt.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [alias]
    assert rt.delete_state_machine_alias(stateMachineAliasArn=alias) == {}
    assert rt.delete_state_machine_alias(stateMachineAliasArn=alias) == {}
    assert rt.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"] == []
    with pytest.raises(rt.exceptions.ResourceNotFound) as missing:
        rt.update_state_machine_alias(stateMachineAliasArn=alias, description="x")
    assert str(missing.value) == "Request references a resource that does not exist."


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        (
            lambda m, v1, v2: _route((m, 50), (v2, 50)),
            "Routing configuration must contain state machine version ARNs. Received: [{m}, {v2}]",
        ),
        (
            lambda m, v1, v2: _route((v1, 50), (v1, 50)),
            "Routing configuration must contain distinct state machine version ARNs. "
            "Received: [{v1}, {v1}]",
        ),
        (
            lambda m, v1, v2: _route((v1, 70), (v2, 29)),
            "Sum of routing configuration weights must equal 100. Received: [70, 29]",
        ),
        (
            lambda m, v1, v2: _route((v1, 0), (v2, 101)),
            "1 validation error detected: Value '101' at 'routingConfiguration.2.member.weight' "
            "failed to satisfy constraint: Member must have value less than or equal to 100",
        ),
    ],
)
def test_routing_configuration_is_checked_as_aws_does(
    rt: Any, versions: Any, routes: Any, message: str
) -> None:
    # test_error_create_alias_invalid_router_configs, test_error_create_alias_with_state_machine_arn
    machine, v1, v2 = versions
    with pytest.raises(rt.exceptions.ValidationException) as caught:
        rt.create_state_machine_alias(name="a", routingConfiguration=routes(machine, v1, v2))
    assert str(caught.value) == message.format(m=machine, v1=v1, v2=v2)


@pytest.mark.parametrize("name", ["123", "INVALID ALIAS", "!INVALID", "ALIAS@"])
def test_alias_names_follow_the_api_pattern(rt: Any, versions: Any, name: str) -> None:
    # test_error_create_alias_invalid_name
    with pytest.raises(rt.exceptions.ValidationException) as caught:
        rt.create_state_machine_alias(name=name, routingConfiguration=_route((versions[1], 100)))
    assert str(caught.value) == (
        f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"
    )


def test_an_alias_runs_its_version_and_protects_it(rt: Any, versions: Any) -> None:
    # test_base_lifecycle_create_invoke_describe_list, test_delete_version_with_alias
    _machine, v1, v2 = versions
    alias = rt.create_state_machine_alias(name="live", routingConfiguration=_route((v1, 100)))
    started = rt.start_execution(stateMachineArn=alias["stateMachineAliasArn"])
    assert rt.execution(started["executionArn"]).wait(10).output == 1  # not the current 2
    with pytest.raises(rt.exceptions.ConflictException) as caught:
        rt.delete_state_machine_version(stateMachineVersionArn=v1)
    assert str(caught.value) == (
        "Version to be deleted must not be referenced by an alias. Current list of aliases "
        "referencing this version: [live]"
    )
    assert rt.delete_state_machine_version(stateMachineVersionArn=v2) == {}


def test_executions_name_the_version_and_alias_they_ran_through(rt: Any, versions: Any) -> None:
    # test_base_lifecycle_create_invoke_describe_list, test_start_version_execution
    machine, v1, _v2 = versions
    alias = rt.create_state_machine_alias(name="live", routingConfiguration=_route((v1, 100)))[
        "stateMachineAliasArn"
    ]
    via_alias = rt.start_execution(stateMachineArn=alias)["executionArn"]
    via_version = rt.start_execution(stateMachineArn=v1)["executionArn"]
    plain = rt.start_execution(stateMachineArn=machine)["executionArn"]
    for arn in (via_alias, via_version, plain):
        rt.execution(arn).wait(10)
    described = rt.describe_execution(executionArn=via_alias)
    assert described["stateMachineAliasArn"] == alias
    assert described["stateMachineVersionArn"] == v1
    assert described["stateMachineArn"] == machine
    assert "stateMachineAliasArn" not in rt.describe_execution(executionArn=via_version)
    assert "stateMachineVersionArn" not in rt.describe_execution(executionArn=plain)

    def listed(arn: str) -> set[str]:
        found = rt.list_executions(stateMachineArn=arn)["executions"]
        return {e["executionArn"] for e in found}

    assert listed(machine) == {via_alias, via_version, plain}
    assert listed(v1) == {via_alias, via_version}
    assert listed(alias) == {via_alias}
