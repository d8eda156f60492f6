"""``%sfn deploy``, ``%sfn attach`` and ``%sfn run ... --on aws``: the AWS commands.

They are registry commands like the others: the same word splitter, the same ``$variable`` and
``@file`` reading, the same usage errors. The AWS work is :class:`sfn_notebook.aws.AwsRuntime`'s
(``deploy``, ``start``, ``attach``) on the current connection: ``sfn_notebook.aws.connect(...)``'s,
else one from AWS_PROFILE, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL ... The AWS package is imported
only when one of them runs.

>>> from sfn_notebook.notebook.registry import COMMANDS
>>> COMMANDS["deploy"].help.splitlines()[0]
'usage: %sfn deploy [-h] [--role-arn ARN] [--package-functions] [--dry-run]'
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from sfn_notebook.notebook.cmdline import CommandError, variable_or_text
from sfn_notebook.notebook.registry import TYPES, Context, arg, command

if TYPE_CHECKING:
    from sfn_notebook.aws.connection import AwsRuntime
    from sfn_notebook.aws.deploy import Deployment
    from sfn_notebook.aws.execution import RemoteExecution


def _connection() -> AwsRuntime:
    from sfn_notebook.aws.connection import current

    return current()


def _text(ctx: Context, word: str | None) -> str | None:
    """A word, or the ``$variable`` it names (an execution stands for its ARN)."""
    if word is None:
        return None
    value = variable_or_text(word, ctx.namespace)
    return str(getattr(value, "arn", value))


def _pairs(ctx: Context, words: list[str], option: str) -> dict[str, str]:
    found = {}
    for word in words:
        key, sep, value = str(_text(ctx, word)).partition("=")
        if option == "--lambda-env" and not sep and key:
            if key not in os.environ:
                raise CommandError(f"--lambda-env {key}: no such environment variable here")
            value = os.environ[key]  # its value never enters the notebook
        elif not sep or not key:
            wanted = "NAME or NAME=VALUE" if option == "--lambda-env" else "KEY=VALUE"
            raise CommandError(f"{option} wants {wanted}, not {word!r}")
        found[key] = value
    return found


@command(
    "deploy",
    "Create or update the state machine on AWS (its functions as Lambdas too).",
    arg("name", metavar="NAME", help="the notebook's state machine to deploy (or $variable)"),
    arg("--role-arn", metavar="ARN", help="the role Step Functions runs it as (to create it)"),
    arg(
        "--package-functions",
        action="store_true",
        help="deploy the Python task functions it uses as Lambda functions",
    ),
    arg("--dry-run", action="store_true", help="print what would change, change nothing"),
    arg("--publish", action="store_true", help="publish a version"),
    arg("--alias", metavar="NAME", help="move (or create) this alias to the new version"),
    arg("--type", choices=TYPES, help="default: the local machine's, else the deployed one's"),
    arg("--tag", metavar="KEY=VALUE", action="append", default=[], help="add or change a tag"),
    arg("--function-role-arn", metavar="ARN", help="the Lambda functions' role (default: ARN)"),
    arg("--function-prefix", metavar="PREFIX", help="Lambda names' prefix (default: 'NAME-')"),
    arg(
        "--lambda-env",
        metavar="NAME[=VALUE]",
        action="append",
        default=[],
        help="a Lambda environment variable of the packaged functions (without =VALUE, this "
        "process's own: the value never enters the notebook)",
    ),
    arg(
        "--secrets",
        choices=("refuse", "allow"),
        default="refuse",
        help="allow: package globals read from the environment or that look like credentials "
        "(refused by default: their values would be in the zip)",
    ),
    completes="machine",
)
def _deploy(ctx: Context, args: argparse.Namespace) -> Deployment:
    """Mirrors sfn_notebook.aws.connect(...).deploy(NAME, runtime=..., role_arn=ARN, ...) with
    the notebook's Runtime and @sfn.function functions.

    Examples:
      %sfn deploy orders --role-arn arn:aws:iam::123456789012:role/sfn --dry-run
      %sfn deploy orders --role-arn $role --package-functions --lambda-env API_KEY
    """
    options = {
        "runtime": ctx.runtime,
        "functions": ctx.session.functions or None,
        "role_arn": _text(ctx, args.role_arn),
        "package_functions": args.package_functions,
        "dry_run": args.dry_run,
        "publish": args.publish,
        "alias": _text(ctx, args.alias),
        "type": args.type,
        "tags": _pairs(ctx, args.tag, "--tag") or None,
        "function_role_arn": _text(ctx, args.function_role_arn),
        "function_prefix": _text(ctx, args.function_prefix),
        "lambda_environment": _pairs(ctx, args.lambda_env, "--lambda-env") or None,
        "secrets": args.secrets,
    }
    return _connection().deploy(str(_text(ctx, args.name)), **options)


@command(
    "attach",
    "Follow an execution on AWS started elsewhere (console, CLI, other notebook).",
    arg("execution_arn", metavar="EXECUTION_ARN", help="its ARN, or an execution's $variable"),
)
def _attach(ctx: Context, args: argparse.Namespace) -> RemoteExecution:
    """Mirrors sfn_notebook.aws.connect(...).attach(EXECUTION_ARN); the execution shows itself
    live like a local one.

    Examples:
      %sfn attach arn:aws:states:us-east-1:123456789012:execution:orders:first
      %sfn attach $ex
    """
    arn = str(_text(ctx, args.execution_arn))
    return _connection().attach(arn)


def run_on_aws(ctx: Context, args: argparse.Namespace, value: Any) -> RemoteExecution:
    """``%sfn run NAME --on aws``: start an execution there and return it at once (it shows
    itself live); ``--wait [SECONDS]`` waits for its end."""
    for option, given in (("--clock", args.clock), ("--test-case", args.test_case)):
        if given is not None:
            raise CommandError(f"{option} is for local runs, not --on aws")
    wait = args.wait
    if isinstance(wait, str):
        try:
            wait = float(wait)
        except ValueError:
            raise CommandError(f"--wait takes seconds, not {wait!r}") from None
    machine, name = str(_text(ctx, args.state_machine)), _text(ctx, args.name)
    execution = _connection().start(machine, value, name=name)
    if wait:
        execution.wait(None if wait is True else float(wait))
    return execution
