"""The AWS side of the ``%sfn`` magics, as functions with the Python API's parameter names.

The magics call :func:`aws_magic` with the text after ``%sfn`` (``deploy ...``, ``run ... --on
aws``, ``attach ...``); it parses it and calls :func:`deploy_command`, :func:`run_command` or
:func:`attach_command`, which are plain Python for anyone else. Misuse raises IPython's
``UsageError`` (a ``SfnNotebookError`` when IPython is absent) with the help text.

>>> print(AWS_MAGIC_HELP.splitlines()[0])
%sfn deploy NAME --role-arn ARN [--package-functions] [--dry-run] [--publish] [--alias NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    from sfn_notebook.aws.connection import AwsRuntime
    from sfn_notebook.aws.deploy import Deployment
    from sfn_notebook.aws.execution import RemoteExecution

AWS_MAGIC_HELP = """\
%sfn deploy NAME --role-arn ARN [--package-functions] [--dry-run] [--publish] [--alias NAME]
                 [--type STANDARD|EXPRESS] [--tag KEY=VALUE ...] [--function-role-arn ARN]
                 [--function-prefix PREFIX] [--lambda-env NAME[=VALUE] ...]
                 [--secrets refuse|allow]
    Create or update state machine NAME on AWS from the notebook's local state machine NAME.
    --package-functions  deploy the Python task functions it uses as Lambda functions
    --dry-run            print what would change, change nothing
    --lambda-env         a Lambda environment variable of the packaged functions (without
                         =VALUE, this process's own: the value never enters the notebook)
    --secrets allow      package globals read from the environment or that look like
                         credentials (refused by default: their values would be in the zip)
%sfn run NAME --on aws [--input JSON | --input-var VARIABLE] [--name EXECUTION_NAME]
                       [--wait [SECONDS]]
    Start an execution of state machine NAME on AWS and return it at once (it shows itself
    live); --wait waits for its end (at most SECONDS).
%sfn attach EXECUTION_ARN
    Follow an execution started elsewhere (console, CLI, another notebook).

A $variable is replaced by its value (an execution by its ARN).

The AWS connection is sfn_notebook.aws.connect(...)'s (else one from AWS_PROFILE,
AWS_DEFAULT_REGION, AWS_ENDPOINT_URL ...)."""


def _usage(message: str) -> NoReturn:
    try:
        from IPython.core.error import UsageError
    except ImportError:  # plain Python: the library's own error
        raise SfnNotebookError(f"{message}\n\n{AWS_MAGIC_HELP}") from None
    raise UsageError(f"{message}\n\n{AWS_MAGIC_HELP}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _usage(f"%sfn {self.prog}: {message}")


def _connection(aws: AwsRuntime | None) -> AwsRuntime:
    from sfn_notebook.aws.connection import current

    return aws or current()


def deploy_command(
    name: str,
    *,
    role_arn: str | None = None,
    package_functions: bool = False,
    dry_run: bool = False,
    runtime: Any = None,
    aws: AwsRuntime | None = None,
    **options: Any,
) -> Deployment:
    """``%sfn deploy``: :func:`sfn_notebook.aws.deploy.deploy` of the local state machine
    ``name`` held by ``runtime`` (or of ``definition=``)."""
    return _connection(aws).deploy(
        name,
        options.pop("definition", None),
        runtime=runtime,
        role_arn=role_arn,
        package_functions=package_functions,
        dry_run=dry_run,
        **options,
    )


def run_command(
    name: str,
    input: Any = None,
    *,
    on: str = "aws",
    aws: AwsRuntime | None = None,
    execution_name: str | None = None,
    wait: float | bool | None = None,
) -> RemoteExecution:
    """``%sfn run NAME --on aws``: start an execution there; ``wait`` (True or seconds) waits."""
    if on != "aws":
        raise SfnNotebookError(f"run_command runs on AWS only, not on {on!r}")
    execution = _connection(aws).start(name, input, name=execution_name)
    if wait:
        execution.wait(None if wait is True else float(wait))
    return execution


def attach_command(execution_arn: str, *, aws: AwsRuntime | None = None) -> RemoteExecution:
    """``%sfn attach EXECUTION_ARN``: follow an execution started elsewhere."""
    return _connection(aws).attach(execution_arn)


def _expand(words: list[str], user_ns: Mapping[str, Any] | None) -> list[str]:
    """``$name`` words become the variable's value (an execution's ARN for an execution);
    ``--input`` keeps its word for ``parse_value``, which reads ``$name`` itself."""
    found = []
    for previous, word in zip(["", *words], words, strict=False):
        if previous != "--input" and word.startswith("$") and word[1:].isidentifier():
            if user_ns is None or word[1:] not in user_ns:
                _usage(f"%sfn: no variable named {word[1:]!r} in the notebook")
            value = user_ns[word[1:]]
            found.append(str(getattr(value, "arn", value)))
        else:
            found.append(word)
    return found


def _deploy_parser() -> _Parser:
    parser = _Parser(prog="deploy", add_help=False)
    parser.add_argument("name")
    parser.add_argument("--role-arn")
    parser.add_argument("--package-functions", action="store_true")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--publish", action="store_true")
    parser.add_argument("--alias")
    parser.add_argument("--type", choices=("STANDARD", "EXPRESS"))
    parser.add_argument("--tag", action="append", default=[])
    parser.add_argument("--function-role-arn")
    parser.add_argument("--function-prefix")
    parser.add_argument("--lambda-env", action="append", default=[])
    parser.add_argument("--secrets", choices=("refuse", "allow"), default="refuse")
    return parser


def _run_parser() -> _Parser:
    parser = _Parser(prog="run", add_help=False)
    parser.add_argument("name")
    parser.add_argument("--on", required=True, choices=("aws",))
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input")
    source.add_argument("--input-var")
    parser.add_argument("--name", dest="execution_name")
    parser.add_argument("--wait", nargs="?", const=True, default=None)
    parser.add_argument("--no-wait", action="store_true")  # the default; as the local %sfn run
    return parser


def aws_magic(
    line: str | list[str],
    *,
    runtime: Any = None,
    functions: Mapping[str, Callable[..., Any]] | None = None,
    user_ns: Mapping[str, Any] | None = None,
    aws: AwsRuntime | None = None,
    parse_value: Callable[[str], Any] | None = None,
) -> Any:
    """Run ``%sfn deploy|run --on aws|attach ...``: ``line`` is the text after ``%sfn``, or its
    words already split by the magics' own splitter.

    ``runtime`` is the notebook's local Runtime (where ``deploy`` finds NAME), ``functions`` the
    Python task functions to package (default: the runtime's), ``user_ns`` the namespace
    ``--input-var`` reads from, ``parse_value`` what reads ``--input`` (default ``json.loads``;
    the magics pass theirs, which also takes ``$variable`` and ``@file.json``).

    >>> aws_magic("deploy orders --role-arn arn:aws:iam::123456789012:role/r --dry-run",
    ...           runtime=rt)                                       # doctest: +SKIP
    """
    if isinstance(line, str):
        try:
            words = shlex.split(line)
        except ValueError as exc:
            _usage(f"%sfn: {exc}")
    else:
        words = list(line)
    words = _expand(words, user_ns)
    if not words:
        _usage("%sfn: say deploy, run or attach")
    command, rest = words[0], words[1:]
    if command == "deploy":
        args = _deploy_parser().parse_args(rest)
        tags = {}
        for pair in args.tag:
            key, sep, value = pair.partition("=")
            if not sep or not key:
                _usage(f"%sfn deploy: --tag wants KEY=VALUE, not {pair!r}")
            tags[key] = value
        environment = {}
        for pair in args.lambda_env:
            key, sep, value = pair.partition("=")
            if not sep:
                if key not in os.environ:
                    _usage(f"%sfn deploy: --lambda-env {key}: no such environment variable here")
                value = os.environ[key]
            if not key:
                _usage(f"%sfn deploy: --lambda-env wants NAME or NAME=VALUE, not {pair!r}")
            environment[key] = value
        return deploy_command(
            args.name,
            role_arn=args.role_arn,
            package_functions=args.package_functions,
            dry_run=args.dry_run,
            runtime=runtime,
            aws=aws,
            functions=functions,
            publish=args.publish,
            alias=args.alias,
            type=args.type,
            tags=tags or None,
            function_role_arn=args.function_role_arn,
            function_prefix=args.function_prefix,
            lambda_environment=environment or None,
            secrets=args.secrets,
        )
    if command == "run":
        args = _run_parser().parse_args(rest)
        value: Any = None
        if args.input is not None:
            try:
                value = (parse_value or json.loads)(args.input)
            except ValueError as exc:
                _usage(f"%sfn run: --input is not JSON ({exc})")
        elif args.input_var is not None:
            if user_ns is None or args.input_var not in user_ns:
                _usage(f"%sfn run: no variable named {args.input_var!r}")
            value = user_ns[args.input_var]
        wait = args.wait
        if isinstance(wait, str):
            try:
                wait = float(wait)
            except ValueError:
                _usage(f"%sfn run: --wait takes seconds, not {wait!r}")
        return run_command(args.name, value, aws=aws, execution_name=args.execution_name, wait=wait)
    if command == "attach":
        if len(rest) != 1:
            _usage("%sfn attach: give one execution ARN")
        return attach_command(rest[0], aws=aws)
    _usage(f"%sfn: unknown AWS command {command!r}")
