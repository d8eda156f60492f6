"""State machine versions as AWS keeps them, from recordings beyond the public corpus
(test_sfn_api_versioning.snapshot.json in LocalStack's AWS-validated snapshots)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import sfn_notebook as sfn


def _doc(result: Any) -> str:
    return json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}}
    )


@pytest.fixture
def rt() -> Iterator[Any]:
    runtime = sfn.Runtime(store=None)
    yield runtime
    runtime.close()


def _numbers(rt: Any, arn: str) -> list[int]:
    listed = rt.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    return [int(v["stateMachineVersionArn"].rsplit(":", 1)[1]) for v in listed]


def test_publishing_an_unchanged_definition_returns_the_same_version(rt: Any) -> None:
    # test_idempotent_publish, test_empty_revision_with_publish_and_no_publish_on_creation
    arn = rt.create_state_machine(name="v", definition=_doc(1))["stateMachineArn"]
    first = rt.publish_state_machine_version(stateMachineArn=arn)
    again = rt.publish_state_machine_version(stateMachineArn=arn)
    assert first == again and first["stateMachineVersionArn"] == f"{arn}:1"
    update = rt.update_state_machine(stateMachineArn=arn, definition=_doc(1), publish=True)
    assert update["stateMachineVersionArn"] == f"{arn}:1"
    assert "revisionId" not in update  # nothing changed: no new revision
    assert _numbers(rt, arn) == [1]


def test_a_changed_definition_gets_the_next_number_and_a_revision(rt: Any) -> None:
    # test_publish_state_machine_version
    arn = rt.create_state_machine(name="v", definition=_doc(1), publish=True)["stateMachineArn"]
    update = rt.update_state_machine(stateMachineArn=arn, definition=_doc(2))
    assert "revisionId" in update
    second = rt.publish_state_machine_version(stateMachineArn=arn, revisionId=update["revisionId"])
    assert second["stateMachineVersionArn"] == f"{arn}:2"
    rt.update_state_machine(stateMachineArn=arn, definition=_doc(3))
    with pytest.raises(rt.exceptions.ConflictException) as caught:
        rt.publish_state_machine_version(stateMachineArn=arn, revisionId=update["revisionId"])
    current = rt.describe_state_machine(stateMachineArn=arn)["revisionId"]
    assert str(caught.value) == (
        f"Failed to publish the State Machine version for revision {update['revisionId']}. "
        f"The current State Machine revision is {current}."
    )


def test_deleted_version_numbers_are_not_reused(rt: Any) -> None:
    # test_list_delete_version, test_version_ids_between_deletions
    arn = rt.create_state_machine(name="v", definition=_doc(1), publish=True)["stateMachineArn"]
    rt.update_state_machine(stateMachineArn=arn, definition=_doc(2), publish=True)
    assert _numbers(rt, arn) == [2, 1]
    assert rt.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2") == {}
    assert rt.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2") == {}  # gone: fine
    assert _numbers(rt, arn) == [1]
    rt.update_state_machine(stateMachineArn=arn, definition=_doc(3))
    third = rt.publish_state_machine_version(stateMachineArn=arn)
    assert third["stateMachineVersionArn"] == f"{arn}:3"


def test_a_version_description_needs_publish(rt: Any) -> None:
    # test_create_with_version_description_no_publish
    with pytest.raises(rt.exceptions.ValidationException) as caught:
        rt.create_state_machine(name="v", definition=_doc(1), versionDescription="d")
    assert str(caught.value) == "Version description can only be set when publish is true"


def test_publish_errors_name_the_machine(rt: Any) -> None:
    # test_publish_state_machine_version_no_such_machine / _invalid_arn
    with pytest.raises(rt.exceptions.InvalidArn) as caught:
        rt.publish_state_machine_version(stateMachineArn="invalid_arn")
    assert str(caught.value) == "Invalid Arn: 'Invalid ARN prefix: invalid_arn'"
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nope"
    with pytest.raises(rt.exceptions.StateMachineDoesNotExist):
        rt.publish_state_machine_version(stateMachineArn=missing)


def test_describe_names_a_revision_only_after_an_update_and_describes_versions(rt: Any) -> None:
    # test_create_publish_describe_with_version_description, test_create_exact_duplicate_sm
    arn = rt.create_state_machine(
        name="v", definition=_doc(1), publish=True, versionDescription="HelloWorld!"
    )["stateMachineArn"]
    assert "revisionId" not in rt.describe_state_machine(stateMachineArn=arn)
    rt.update_state_machine(stateMachineArn=arn, definition=_doc(2))
    assert rt.describe_state_machine(stateMachineArn=arn)["revisionId"]
    version = rt.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert version["stateMachineArn"] == f"{arn}:1"
    assert json.loads(version["definition"])["States"]["P"]["Result"] == 1
    assert version["description"] == "HelloWorld!"
    with pytest.raises(rt.exceptions.StateMachineDoesNotExist):
        rt.describe_state_machine(stateMachineArn=f"{arn}:9")


def test_a_version_arn_runs_that_version() -> None:
    # test_start_version_execution: an execution of ":1" runs version 1's definition
    with sfn.Runtime(store=None, clock="virtual") as rt:
        arn = rt.create_state_machine(name="v", definition=_doc(1), publish=True)["stateMachineArn"]
        rt.update_state_machine(stateMachineArn=arn, definition=_doc(2))
        of_version = rt.start_execution(stateMachineArn=f"{arn}:1")["executionArn"]
        of_machine = rt.start_execution(stateMachineArn=arn)["executionArn"]
        assert rt.execution(of_version).wait(10).output == 1
        assert rt.execution(of_machine).wait(10).output == 2


def test_a_state_machine_created_again_runs_its_own_versions(rt: Any) -> None:
    # A version ARN names the version of the state machine that has that name now: after a
    # delete and a create, ":1" is the new machine's first version, not the one run before.
    first = rt.create_state_machine(name="again", definition=_doc(1), publish=True)
    version = first["stateMachineVersionArn"]
    assert rt.start(version).wait().output == 1
    rt.delete_state_machine(stateMachineArn=first["stateMachineArn"])
    second = rt.create_state_machine(name="again", definition=_doc(2), publish=True)
    assert second["stateMachineVersionArn"] == version
    assert rt.start(version).wait().output == 2
