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

from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.runtime.exceptions import ResourceNotFound
from sfn_notebook.runtime.identity import check_arn
from sfn_notebook.runtime.params import operation

if TYPE_CHECKING:
    from sfn_notebook.integrations import Integrations
    from sfn_notebook.runtime.registry import MachineRegistry


class TagApi:
    """The tagging operations of :class:`~sfn_notebook.runtime.Runtime` (a mixin)."""

    registry: MachineRegistry
    integrations: Integrations

    @property
    def _tags(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = self.__dict__.setdefault("_tag_table", {})
        return found

    def _taggable(self, arn: str) -> str:
        check_arn(arn)
        if self.registry.find_machine(arn) is not None:
            return arn
        if ":activity:" in arn:
            try:
                self.integrations.activities.describe(arn)
            except SfnNotebookError:
                pass
            else:
                return arn
        raise ResourceNotFound(f"Resource not found: '{arn}'")

    def _set_tags(self, arn: str, tags: Iterable[Mapping[str, Any]] | None) -> None:
        table = self._tags.setdefault(arn, {})
        for tag in tags or ():
            table[str(tag["key"])] = str(tag.get("value", ""))

    @operation("TagResource")
    def tag_resource(self, *, resourceArn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        """TagResource: add tags (a key given again takes the new value)."""
        self._set_tags(self._taggable(resourceArn), tags)
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
