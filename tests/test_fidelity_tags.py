"""Tags as AWS keeps them, from recordings beyond the public corpus
(test_sfn_api_tagging.snapshot.json in LocalStack's AWS-validated snapshots)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import sfn_notebook as sfn

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


@pytest.fixture
def rt() -> Iterator[Any]:
    runtime = sfn.Runtime(store=None)
    yield runtime
    runtime.close()


def _tag(key: str, value: str) -> dict[str, str]:
    return {"key": key, "value": value}


def test_tags_keep_their_order_and_a_repeated_key_its_last_value(rt: Any) -> None:
    # test_tag_state_machine[tag_list1..4], test_create_state_machine
    arn = rt.create_state_machine(
        name="m", definition=PASS, tags=[_tag("key1", "value1"), _tag("key2", "value2")]
    )["stateMachineArn"]
    assert rt.list_tags_for_resource(resourceArn=arn)["tags"] == [
        _tag("key1", "value1"),
        _tag("key2", "value2"),
    ]
    assert rt.tag_resource(resourceArn=arn, tags=[_tag("key1", ""), _tag("key1", "again")]) == {}
    assert rt.list_tags_for_resource(resourceArn=arn)["tags"][0] == _tag("key1", "again")


def test_untagging_missing_keys_is_no_error(rt: Any) -> None:
    # test_untag_state_machine[tag_keys0..3]
    arn = rt.create_state_machine(name="m", definition=PASS)["stateMachineArn"]
    rt.tag_resource(resourceArn=arn, tags=[_tag("key1", "value1")])
    assert rt.untag_resource(resourceArn=arn, tagKeys=[]) == {}
    assert rt.list_tags_for_resource(resourceArn=arn)["tags"] == [_tag("key1", "value1")]
    assert rt.untag_resource(resourceArn=arn, tagKeys=["key1", "key1", "key2"]) == {}
    assert rt.list_tags_for_resource(resourceArn=arn) == {"tags": []}


def test_a_version_cannot_be_tagged(rt: Any) -> None:
    # test_tag_state_machine_version
    made = rt.create_state_machine(name="m", definition=PASS, publish=True)
    version = made["stateMachineVersionArn"]
    with pytest.raises(rt.exceptions.ResourceNotFound) as caught:
        rt.tag_resource(resourceArn=version, tags=[_tag("key1", "value1")])
    assert str(caught.value) == f"Resource not found: '{version}'"


def test_activities_take_tags_too(rt: Any) -> None:
    arn = rt.create_activity(name="work", tags=[_tag("team", "a")])["activityArn"]
    assert rt.list_tags_for_resource(resourceArn=arn)["tags"] == [_tag("team", "a")]


def test_deleted_resources_cannot_be_tagged_and_lose_their_tags(rt: Any) -> None:
    activity = rt.create_activity(name="gone", tags=[_tag("team", "a")])["activityArn"]
    machine = rt.create_state_machine(name="gone", definition=PASS, tags=[_tag("team", "a")])
    arn = machine["stateMachineArn"]
    rt.delete_activity(activityArn=activity)
    rt.delete_state_machine(stateMachineArn=arn)
    for gone in (activity, arn):
        with pytest.raises(rt.exceptions.ResourceNotFound):
            rt.tag_resource(resourceArn=gone, tags=[_tag("key1", "value1")])
    # Created again under the same name: a new resource, without the old one's tags.
    rt.create_state_machine(name="gone", definition=PASS)
    assert rt.list_tags_for_resource(resourceArn=arn)["tags"] == []
