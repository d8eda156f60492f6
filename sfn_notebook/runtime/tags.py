"""Tags on state machines and activities: TagResource, UntagResource, ListTagsForResource and
the ``tags`` of CreateStateMachine / CreateActivity.

As AWS answers (LocalStack's test_sfn_api_tagging snapshots): tags keep the order they were
first given in, a key given again takes the new value, untagging a key that is not there is no
error, and a version or alias ARN cannot be tagged (ResourceNotFound). Tags live as long as the
Runtime (the store does not keep them).

>>> import json
>>> from sfn_notebook import Runtime
>>> rt = Runtime(store=None)
>>> doc = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
>>> arn = rt.create_state_machine(name="m", definition=doc, tags=[{"key": "team", "value": "a"}])
>>> rt.list_tags_for_resource(resourceArn=arn["stateMachineArn"])["tags"]
[{'key': 'team', 'value': 'a'}]
>>> rt.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sfn_notebook.runtime.exceptions import ResourceNotFound
from sfn_notebook.runtime.identity import check_arn
from sfn_notebook.runtime.params import operation

if TYPE_CHECKING:
    from sfn_notebook.runtime.registry import MachineRegistry


class TagService:
    """The tags of a Runtime's state machines and activities (``rt.tags``; the Runtime offers
    its boto3-dialect methods as its own).

    The parts that create and delete resources tell it (:meth:`resource_created`,
    :meth:`resource_deleted`); a state machine of the ``registry`` (one reopened from a store
    too) can be tagged whether or not it was told.
    """

    def __init__(self, registry: MachineRegistry) -> None:
        self.registry = registry
        self._tags: dict[str, dict[str, str]] = {}  # by resource ARN, in the order first given

    def resource_created(self, arn: str, tags: Iterable[Mapping[str, Any]] | None) -> None:
        """A new state machine or activity, with the ``tags`` it was created with."""
        self._set(arn, tags)

    def resource_deleted(self, arn: str) -> None:
        """A state machine or activity deleted: its tags go with it (it can be tagged no more)."""
        self._tags.pop(arn, None)

    def _taggable(self, arn: str) -> str:
        check_arn(arn)
        if arn in self._tags or self.registry.find_machine(arn) is not None:
            return arn
        raise ResourceNotFound(f"Resource not found: '{arn}'")

    def _set(self, arn: str, tags: Iterable[Mapping[str, Any]] | None) -> None:
        table = self._tags.setdefault(arn, {})
        for tag in tags or ():
            table[str(tag["key"])] = str(tag.get("value", ""))

    @operation("TagResource")
    def tag_resource(self, *, resourceArn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        """TagResource: add tags (a key given again takes the new value)."""
        self._set(self._taggable(resourceArn), tags)
        return {}

    @operation("UntagResource")
    def untag_resource(self, *, resourceArn: str, tagKeys: list[str]) -> dict[str, Any]:
        """UntagResource: remove tags by key (a key that is not there is no error)."""
        table = self._tags.get(self._taggable(resourceArn), {})
        for key in tagKeys:
            table.pop(key, None)
        return {}

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, *, resourceArn: str) -> dict[str, Any]:
        """ListTagsForResource: ``{"tags": [{"key": ..., "value": ...}, ...]}``."""
        table = self._tags.get(self._taggable(resourceArn), {})
        return {"tags": [{"key": key, "value": value} for key, value in table.items()]}
