"""Names and ARNs shaped like AWS's."""

from __future__ import annotations

import re
import uuid

from sfn_notebook.errors import SfnNotebookError

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
DEFAULT_ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/sfn-notebook"
_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$")


class InvalidName(SfnNotebookError):
    code = "InvalidName"


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
        return f"arn:aws:states:{region}:{account}:express:{machine_name}:{name}:{uuid.uuid4()}"
    return f"arn:aws:states:{region}:{account}:execution:{machine_name}:{name}"
