"""Short human-readable texts for graph labels: Choice rules, JSONata conditions, Task resources.

These are for reading, not for evaluating: a JSONPath rule becomes ``$.n > 10 and $.kind == "a"``,
a JSONata condition loses its ``{% %}`` and extra spaces, and every label is cut to ``limit``
characters with an ellipsis so one long rule cannot stretch the whole drawing.

>>> rule_text({"Variable": "$.n", "NumericGreaterThan": 10})
'$.n > 10'
>>> rule_text({"Condition": "{% $states.input.n   > 10 %}"})
'$states.input.n > 10'
>>> resource_text("arn:aws:states:::lambda:invoke.waitForTaskToken")
'Lambda: Invoke (wait for token)'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

LIMIT = 48

# Operator suffix → symbol; the prefix (String/Numeric/Boolean/Timestamp) only says how to compare.
_COMPARISONS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
}
_FAMILIES = ("String", "Numeric", "Boolean", "Timestamp")
_TESTS = {
    "IsNull": "null",
    "IsPresent": "present",
    "IsNumeric": "numeric",
    "IsString": "a string",
    "IsBoolean": "a boolean",
    "IsTimestamp": "a timestamp",
}


def shorten(text: str, limit: int = LIMIT) -> str:
    """Collapse whitespace and cut to ``limit`` characters.

    >>> shorten("a   very\\nlong text", 10)
    'a very lo…'
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rule_text(rule: Any, limit: int = LIMIT) -> str:
    """A Choice rule (JSONPath comparison tree or JSONata ``Condition``) as a short expression.

    >>> rule_text({"And": [{"Variable": "$.a", "IsPresent": True},
    ...                    {"Not": {"Variable": "$.b", "StringEquals": "x"}}]})
    '$.a is present and not ($.b == "x")'
    """
    return shorten(_rule(rule, top=True), limit)


def _rule(rule: Any, *, top: bool = False) -> str:
    if not isinstance(rule, Mapping):
        return json.dumps(rule) if rule is not None else "?"
    if "Condition" in rule:
        return condition_text(rule["Condition"], limit=10_000)
    for combinator in ("And", "Or"):
        if combinator in rule and isinstance(rule[combinator], list):
            text = f" {combinator.lower()} ".join(_rule(r) for r in rule[combinator])
            return text if top else f"({text})"
    if "Not" in rule:
        return f"not ({_rule(rule['Not'], top=True)})"
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        comparison = _comparison(variable, key, value)
        if comparison is not None:
            return comparison
    return variable


def _comparison(variable: str, key: str, value: Any) -> str | None:
    if key in _TESTS:
        negated = "" if value is True else "not "
        return f"{variable} is {negated}{_TESTS[key]}"
    if key == "StringMatches":
        return f"{variable} matches {json.dumps(value, ensure_ascii=False)}"
    path = key.endswith("Path")
    base = key[:-4] if path else key
    for family in _FAMILIES:
        if base.startswith(family) and base[len(family) :] in _COMPARISONS:
            symbol = _COMPARISONS[base[len(family) :]]
            operand = str(value) if path else json.dumps(value, ensure_ascii=False)
            return f"{variable} {symbol} {operand}"
    return None


_JSONATA = re.compile(r"^\s*\{%(.*)%\}\s*$", re.DOTALL)


def condition_text(condition: Any, limit: int = LIMIT) -> str:
    """A JSONata condition without its ``{% %}`` delimiters.

    >>> condition_text("{% $count($states.input.items) > 0 %}")
    '$count($states.input.items) > 0'
    >>> condition_text(True)
    'true'
    """
    if isinstance(condition, str):
        match = _JSONATA.match(condition)
        return shorten(match.group(1) if match else condition, limit)
    return json.dumps(condition)


_SERVICE_NAMES = {
    "lambda": "Lambda",
    "dynamodb": "DynamoDB",
    "sns": "SNS",
    "sqs": "SQS",
    "states": "Step Functions",
    "events": "EventBridge",
    "ecs": "ECS",
    "glue": "Glue",
    "batch": "Batch",
    "s3": "S3",
    "http": "HTTP",
    "sagemaker": "SageMaker",
    "athena": "Athena",
    "bedrock": "Bedrock",
}
_PATTERNS = {"sync": "sync", "sync:2": "sync", "waitForTaskToken": "wait for token"}


def resource_text(resource: str | None, limit: int = 32) -> str:
    """What a Task calls, the way the console's graph names it.

    >>> resource_text("arn:aws:lambda:us-east-1:123456789012:function:flaky")
    'Lambda: flaky'
    >>> resource_text("arn:aws:states:::dynamodb:putItem")
    'DynamoDB: PutItem'
    """
    if not resource:
        return "Task"
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return shorten(f"Lambda: {parts[6]}", limit)
    if len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
        return shorten(f"Activity: {parts[6]}", limit)
    if len(parts) >= 7 and parts[2] == "states" and parts[3] == "" and parts[4] == "":
        service, rest = parts[5], parts[6:]
        if service == "aws-sdk" and len(rest) >= 2:
            service, rest = rest[0], rest[1:]
        action = ":".join(rest)
        pattern = ""
        if "." in action:
            action, suffix = action.split(".", 1)
            pattern = f" ({_PATTERNS.get(suffix, suffix)})"
        name = _SERVICE_NAMES.get(service, service)
        action = action[:1].upper() + action[1:]
        return shorten(f"{name}: {action}{pattern}" if action else name, limit)
    return shorten(resource.rsplit(":", 1)[-1] or resource, limit)
