"""Names, ARNs and pagination tokens shaped like AWS's."""

from __future__ import annotations

import random
import re
from typing import Any

from sfn_notebook.runtime.exceptions import (
    InvalidArn,
    InvalidName,
    InvalidToken,
    ValidationException,
)

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
DEFAULT_ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/sfn-notebook"
_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$")


MAX_PAGE_SIZE = 1000


def check_arn(arn: Any) -> str:
    """An ARN-shaped string, or InvalidArn as AWS answers for anything else."""
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        # Recorded on AWS: "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'".
        raise InvalidArn(f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    return arn


def page(items: list[Any], key: str, max_results: Any, token: Any) -> dict[str, Any]:
    """AWS-style pagination: ``maxResults`` 0 (the default size) to 1000, an opaque
    ``nextToken`` from an earlier page.

    >>> page(list(range(5)), "n", 2, None)
    {'n': [0, 1], 'nextToken': '2'}
    >>> page(list(range(5)), "n", 2, "4")
    {'n': [4]}
    """
    if isinstance(max_results, bool) or not isinstance(max_results, int):
        raise ValidationException(f"Invalid type for parameter maxResults: {max_results!r}")
    if not 0 <= max_results <= MAX_PAGE_SIZE:
        bound = (
            f"less than or equal to {MAX_PAGE_SIZE}"
            if max_results > 0
            else "greater than or equal to 0"
        )
        raise ValidationException(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
            f"satisfy constraint: Member must have value {bound}"
        )
    if token is None or token == "":
        start = 0
    elif isinstance(token, str) and token.isascii() and token.isdigit():
        start = int(token)
    else:
        raise InvalidToken(f"Invalid Token: '{token}'")
    size = max_results or MAX_PAGE_SIZE
    response: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        response["nextToken"] = str(start + size)
    return response


_names = random.Random()  # seeded from the OS once; names need to differ, not to be secret


def random_hex(digits: int) -> str:
    """``digits`` random hexadecimal digits (a default state machine name's suffix).

    >>> len(random_hex(8)), set(random_hex(8)) <= set("0123456789abcdef")
    (8, True)
    """
    return f"{_names.getrandbits(4 * digits):0{digits}x}"


def random_uuid() -> str:
    """A random (version 4) UUID's text, as ``str(uuid.uuid4())`` gives it at a fraction of its
    cost (no system call): every execution without a name gets one.

    >>> text = random_uuid()
    >>> import uuid; uuid.UUID(text).version, str(uuid.UUID(text)) == text
    (4, True)
    """
    bits = _names.getrandbits(128)
    # RFC 4122: version 4 in bits 76-79, variant 10 in bits 62-63 (what uuid.UUID sets).
    bits = (bits & ~(0xF000 << 64) | (4 << 76)) & ~(0xC000 << 48) | (0x8000 << 48)
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def check_name(name: str, what: str = "name") -> str:
    """AWS's rule for state machine and execution names (1-80 characters, no special ones)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidName(f"Invalid {what}: {name!r}")
    return name


def state_machine_arn(name: str, region: str, account: str) -> str:
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def execution_arn(
    machine_name: str, name: str, region: str, account: str, machine_type: str = "STANDARD"
) -> str:
    if machine_type == "EXPRESS":
        return f"arn:aws:states:{region}:{account}:express:{machine_name}:{name}:{random_uuid()}"
    return f"arn:aws:states:{region}:{account}:execution:{machine_name}:{name}"


def logging_configuration(given: Any) -> dict[str, Any]:
    """A LoggingConfiguration as AWS keeps and describes it (level OFF and no execution data by
    default; ``destinations`` only when given), or InvalidLoggingConfiguration as AWS answers
    when a level other than OFF, or any level, has other than exactly one destination.

    >>> logging_configuration({})
    {'level': 'OFF', 'includeExecutionData': False}
    """
    from sfn_notebook.runtime.exceptions import InvalidLoggingConfiguration

    config = dict(given or {})
    result: dict[str, Any] = {
        "level": config.get("level", "OFF"),
        "includeExecutionData": bool(config.get("includeExecutionData", False)),
    }
    destinations = config.get("destinations")
    count = len(destinations) if isinstance(destinations, list) else 0
    if count > 1 or (result["level"] != "OFF" and count != 1):
        raise InvalidLoggingConfiguration(
            "Invalid Logging Configuration: Must specify exactly one Log Destination."
        )
    if destinations is not None:
        result["destinations"] = [dict(d) for d in destinations]
    return result
