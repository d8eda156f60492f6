"""AWS's optimized data and messaging integrations, as rows of the optimized table.

``dynamodb:getItem|putItem|updateItem|deleteItem``, ``sns:publish``, ``sqs:sendMessage`` and
``events:putEvents`` (Request Response; ``.waitForTaskToken`` wraps them as any resource). The
result is the API's response with ``SdkHttpMetadata`` / ``SdkResponseMetadata`` (not for
putEvents), errors are named as the AWS SDK for Java v1 names them (``DynamoDB.``, ``SNS.``,
``SQS.``, ``EventBridge.``). What AWS adds:

* a JSON ``Message`` (SNS) or ``MessageBody`` (SQS) is sent as JSON text;
* putEvents sends each ``Detail`` object as JSON text and adds the state machine and the
  execution to every entry's ``Resources``; an entry that failed fails the Task
  (``EventBridge.FailedEntry``, the response as the cause).

>>> MESSAGE_ACTIONS[("sqs", "sendMessage")].request({"MessageBody": {"a": 1}}, "", {})
{'MessageBody': '{"a":1}'}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sfn_notebook.engine.history import dumps
from sfn_notebook.integrations.aws import json_text
from sfn_notebook.integrations.job_table import Action
from sfn_notebook.integrations.services import V1_NAMING

Params = dict[str, Any]


def _text_field(field: str) -> Callable[[Params, str, Mapping[str, Any]], Params]:
    """The field's JSON value as JSON text (a string stays as it is)."""

    def request(params: Params, pattern: str, context: Mapping[str, Any]) -> Params:
        if params.get(field) is not None:
            params = {**params, field: json_text(params[field])}
        return params

    return request


def _put_events(params: Params, pattern: str, context: Mapping[str, Any]) -> Params:
    """Detail objects become JSON text; AWS adds the state machine and execution as resources."""
    own = [context["StateMachine"]["Id"], context["Execution"]["Id"]]
    entries = []
    for given in params.get("Entries") or []:
        entry = dict(given) if isinstance(given, Mapping) else given
        if isinstance(entry, dict):
            if "Detail" in entry:
                entry["Detail"] = json_text(entry["Detail"])
            entry["Resources"] = [*(entry.get("Resources") or []), *own]
        entries.append(entry)
    return {**params, "Entries": entries}


def _failed_entries(result: Params) -> tuple[str, str] | None:
    if result.get("FailedEntryCount"):
        return "EventBridge.FailedEntry", dumps(result)
    return None


_DYNAMODB = V1_NAMING["dynamodb"]

MESSAGE_ACTIONS: dict[tuple[str, str], Action] = {
    ("dynamodb", "getItem"): Action("dynamodb", "GetItem", _DYNAMODB),
    ("dynamodb", "putItem"): Action("dynamodb", "PutItem", _DYNAMODB),
    ("dynamodb", "updateItem"): Action("dynamodb", "UpdateItem", _DYNAMODB),
    ("dynamodb", "deleteItem"): Action("dynamodb", "DeleteItem", _DYNAMODB),
    ("sns", "publish"): Action("sns", "Publish", V1_NAMING["sns"], request=_text_field("Message")),
    ("sqs", "sendMessage"): Action(
        "sqs", "SendMessage", V1_NAMING["sqs"], request=_text_field("MessageBody")
    ),
    ("events", "putEvents"): Action(
        "events",
        "PutEvents",
        V1_NAMING["events"],
        request=_put_events,
        metadata=False,
        refuse=_failed_entries,
    ),
}
