"""The ``%sfn`` subcommands, registered with :func:`~sfn_notebook.notebook.registry.command`.

No IPython here: commands take a :class:`Context` (the session, the notebook's namespace and a
``display`` function) and raise :class:`~sfn_notebook.notebook.cmdline.CommandError`, which the
magics (:mod:`sfn_notebook.notebook.magics`) turn into IPython's ``UsageError``. Each command
mirrors a Python call and says which in its help.

>>> print(help_text("functions"))
usage: %sfn functions [-h]
<BLANKLINE>
The Python functions registered with @sfn.function.
<BLANKLINE>
One line per function: its name, signature and the first line of its docstring.
<BLANKLINE>
Example:
  %sfn functions
<BLANKLINE>
options:
  -h, --help  show this help
"""

from __future__ import annotations

import argparse
import difflib
import functools
import json
import os
import re
from collections.abc import Callable
from typing import Any

from sfn_notebook.asl.parse import DEFINITION_LIMIT
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.notebook.cmdline import CommandError, parse_json, variable_or_text
from sfn_notebook.notebook.registry import (
    INSPECTION_LEVELS,
    STATUSES,
    Context,
    arg,
    command,
    findings_for,
    help_text,
    machine_arn,
    parsed_definition,
    say_notes,
)
from sfn_notebook.notebook.session import CLOCKS
from sfn_notebook.notebook.views import Findings, FunctionTable, StateMachineView, response
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.runtime import Runtime
from sfn_notebook.textfile import read_text

# ------------------------------------------------------------------------------------------------
# Helpers shared by commands


def _execution(ctx: Context, key: str | None) -> tuple[Runtime, Execution]:
    """An execution from ``$variable``, an ARN or a name; the last one started when omitted."""
    if key is None:
        last = ctx.session.last_execution
        if last is None:
            raise CommandError("no execution yet: name one (see %sfn executions)")
        return ctx.session.runtime_of(last), last
    value = variable_or_text(key, ctx.namespace)
    if isinstance(value, Execution):
        return ctx.session.runtime_of(value), value
    if not isinstance(value, str):
        raise CommandError(f"{key} is a {type(value).__name__}, not an Execution or its name")
    return ctx.session.find_execution(value)


def _machine_names(ctx: Context) -> list[str]:
    return ctx.session.machine_names()


def _require_machine(ctx: Context, name: str) -> dict[str, Any]:
    """describe_state_machine for ``name`` (or its ARN), with a hint when it is not defined."""
    runtime = ctx.runtime
    arn = name if name.startswith("arn:") else machine_arn(runtime, name)
    try:
        described: dict[str, Any] = runtime.describe_state_machine(stateMachineArn=arn)
        return described
    except SfnNotebookError:
        known = _machine_names(ctx)
        hint = difflib.get_close_matches(name, known, 1)
        also = f"; did you mean {hint[0]!r}?" if hint else ""
        listed = f" (defined: {', '.join(known)})" if known and not hint else ""
        raise CommandError(
            f"no state machine named {name!r}{also}{listed}; define one with %%asl {name}"
        ) from None


def _attach_definition(ctx: Context, runtime: Runtime, execution: Execution) -> None:
    """Give the Execution its definition, so its display draws the graph, not just a timeline."""
    if getattr(execution, "definition", False) is None:
        described = runtime.describe_state_machine(stateMachineArn=execution.state_machine_arn)
        execution.definition = parsed_definition(described["definition"])


def _needs(runtime: Runtime, method: str, feature: str, subcommand: str) -> Callable[..., Any]:
    """The Runtime's ``method``, or a clear message that this version does not have it yet."""
    found = getattr(runtime, method, None)
    if found is None:
        raise CommandError(
            f"%sfn {subcommand} needs {feature}, which this version of sfn-notebook's Runtime "
            f"does not have yet (no Runtime.{method})."
        )
    return found  # type: ignore[no-any-return]


def _wait(execution: Execution) -> None:
    """Wait for the end; Ctrl-C stops the waiting, not the execution (as ``Execution.wait``)."""
    try:
        execution.wait()
    except KeyboardInterrupt:
        print(
            f"Stopped waiting; {execution.name} goes on "
            f"(%sfn stop {execution.name} stops it, %sfn history {execution.name} shows it)."
        )


def _nothing() -> None:
    return None


def _live_view(ctx: Context, execution: Execution) -> Callable[[], None]:
    """While a real-clock run is awaited, show the live view; the returned function removes it
    (the Execution the magic returns then shows itself, once)."""
    try:
        from sfn_notebook.notebook.display import widget_frontend_available

        if not widget_frontend_available():
            return _nothing
        from sfn_notebook.notebook.widgets import ExecutionView
    except ImportError:
        return _nothing
    view = ExecutionView(execution)
    handle = ctx.display(view, display_id=True)

    def remove() -> None:
        if handle is not None:
            handle.update({"text/plain": ""}, raw=True)
        view.close()

    return remove


# ------------------------------------------------------------------------------------------------
# %sfn subcommands


@command(
    "run",
    "Start an execution, show it live and return the Execution.",
    arg("state_machine", metavar="NAME", help="the state machine (name or ARN)"),
    arg("--input", help="input: JSON, $variable or @file.json (default: {})"),
    arg("--input-var", metavar="VARIABLE", help="input: the notebook variable VARIABLE"),
    arg("--name", metavar="EXEC", help="the execution's name or $variable (default: a UUID)"),
    arg("--no-wait", action="store_true", help="return at once; the execution runs on"),
    arg("--clock", choices=CLOCKS, help="virtual (Waits take no time) or real"),
    arg("--on", choices=("local", "aws"), default="local", help="where it runs (default: local)"),
    arg(
        "--wait",
        metavar="SECONDS",
        nargs="?",
        const=True,
        help="with --on aws: wait for its end (at most SECONDS); a local run waits anyway",
    ),
    arg("--test-case", metavar="CASE", help="run with this test case's mocks (see %sfn mocks)"),
    arg(
        "--break",
        dest="breakpoints",
        action="append",
        metavar="STATE",
        help="pause before STATE (STATE#retry: before its retries; *error: on any failure); "
        "repeatable; then ex.step(), ex.resume(), ex.stop()",
    ),
    completes="machine",
)
def _run(ctx: Context, args: argparse.Namespace) -> Any:
    """Mirrors rt.start(NAME, input, name=EXEC).wait(). A run on the clock the notebook's Runtime
    does not use runs on a companion Runtime kept in memory. With --on aws it mirrors
    sfn_notebook.aws.connect(...).start(NAME, input, name=EXEC) on AWS (see %sfn help deploy)
    and returns the RemoteExecution at once, unless --wait.

    With --break it mirrors rt.start(NAME, input, breakpoints=[...]).wait(): it returns once
    the execution pauses (or ends).

    Examples:
      %sfn run orders --input {"id": 7} --name first
      %sfn run orders --input $order --no-wait
      %sfn run orders --input $order --break Price --break "*error"
      %sfn run orders --on aws --input @order.json --wait 60
    """
    value = _run_input(ctx, args)
    if args.on == "aws":
        from sfn_notebook.notebook.aws_commands import run_on_aws

        return run_on_aws(ctx, args, value)
    if args.wait is not None:
        raise CommandError("--wait is for --on aws: a local run waits unless --no-wait")
    described = _require_machine(ctx, args.state_machine)
    runtime = ctx.session.runtime_for(args.clock)
    if runtime is not ctx.runtime:
        _copy_machine(runtime, described)
    start: Callable[..., Execution] = runtime.start
    if args.test_case is not None:
        if args.breakpoints:
            raise CommandError("--break and --test-case cannot be combined yet")
        start = _with_test_case(runtime, args.test_case)
    name = None if args.name is None else str(variable_or_text(args.name, ctx.namespace))
    if args.breakpoints:
        start = functools.partial(runtime.start, breakpoints=args.breakpoints)
    execution = start(described["stateMachineArn"], value, name=name)
    _attach_definition(ctx, runtime, execution)
    ctx.session.last_execution = execution
    if not args.no_wait:
        remove = _live_view(ctx, execution) if not runtime.clock.virtual else _nothing
        try:
            _wait(execution)
        finally:
            remove()
    return execution


def _run_input(ctx: Context, args: argparse.Namespace) -> Any:
    """The input of ``%sfn run``: ``--input`` (JSON, $variable or @file) or ``--input-var``."""
    if args.input is not None and args.input_var is not None:
        raise CommandError("--input and --input-var exclude each other")
    if args.input_var is not None:
        if args.input_var not in ctx.namespace:
            raise CommandError(f"--input-var: no variable named {args.input_var!r}")
        return ctx.namespace[args.input_var]
    return None if args.input is None else parse_json(args.input, ctx.namespace, "--input")


def _copy_machine(runtime: Runtime, described: dict[str, Any]) -> None:
    """Give the companion Runtime the current definition of a state machine."""
    arn = described["stateMachineArn"]
    try:
        current = runtime.describe_state_machine(stateMachineArn=arn)
    except SfnNotebookError:
        runtime.create_state_machine(
            name=described["name"],
            definition=described["definition"],
            roleArn=described["roleArn"],
            type=described["type"],
        )
        return
    if current["definition"] != described["definition"]:
        runtime.update_state_machine(stateMachineArn=arn, definition=described["definition"])


def _with_test_case(runtime: Runtime, case: str) -> Callable[..., Execution]:
    """``start`` for a mock test case: StartExecution of ``<arn>#<case>``, as Step Functions
    Local has it (mocks come from ``%sfn mocks``)."""

    def start(arn: str, value: Any, *, name: str | None = None) -> Execution:
        text = json.dumps({} if value is None else value)
        started = runtime.start_execution(stateMachineArn=f"{arn}#{case}", input=text, name=name)
        return runtime.execution(started["executionArn"])

    _needs(runtime, "load_mocks", "MockConfigFile mocks", "run --test-case")
    return start


@command(
    "history",
    "The execution's history events as a DataFrame (analysis.events_frame).",
    arg("execution", metavar="EXEC", nargs="?", help="name, ARN or $variable (default: the last)"),
    arg("--data", action="store_true", help="add the input and output of every event"),
    completes="execution",
)
def _history(ctx: Context, args: argparse.Namespace) -> Any:
    """Mirrors analysis.events_frame(execution, include_data=...).

    Examples:
      %sfn history first
      events = %sfn history $ex --data
    """
    from sfn_notebook.analysis import events_frame

    _, execution = _execution(ctx, args.execution)
    return events_frame(execution, include_data=args.data)


@command(
    "executions",
    "The executions (of one state machine) as a DataFrame (analysis.executions_frame).",
    arg("state_machine", metavar="NAME", nargs="?", help="only this state machine's"),
    arg("--status", choices=STATUSES, help="only executions with this status"),
    completes="machine",
)
def _executions(ctx: Context, args: argparse.Namespace) -> Any:
    """Mirrors analysis.executions_frame(rt, state_machine=NAME, status=STATUS).

    Examples:
      %sfn executions
      %sfn executions orders --status FAILED
    """
    from sfn_notebook.analysis import executions_frame

    if args.state_machine is not None:
        _require_machine(ctx, args.state_machine)
    return executions_frame(
        ctx.session.runtimes(), state_machine=args.state_machine, status=args.status
    )


@command(
    "coverage",
    "Which states, transitions, Choice rules, Retry and Catch clauses the executions of a state "
    "machine took, and how often (analysis.coverage_frame).",
    arg("state_machine", metavar="NAME", help="the state machine"),
    arg("--status", choices=STATUSES, help="only executions with this status"),
    arg("--graph", action="store_true", help="show it on the state machine's graph"),
    completes="machine",
)
def _coverage(ctx: Context, args: argparse.Namespace) -> Any:
    """Mirrors analysis.coverage_frame(rt, state_machine=NAME, status=STATUS), against the
    state machine's current definition; --graph mirrors analysis.coverage(...).graph().

    Examples:
      %sfn coverage orders
      missed = %sfn coverage orders --status FAILED
      %sfn coverage orders --graph
    """
    from sfn_notebook.analysis.coverage import coverage

    definition = _require_machine(ctx, args.state_machine)["definition"]
    found = coverage(
        ctx.session.runtimes(),
        definition=definition,
        state_machine=args.state_machine,
        status=args.status,
    )
    return found.graph(title=args.state_machine) if args.graph else found.frame()


@command(
    "validate",
    "Validate a state machine or a definition file as AWS would; findings name their line.",
    arg("target", metavar="NAME|FILE", help="a state machine of this notebook, or a file"),
    completes="machine-or-file",
)
def _validate(ctx: Context, args: argparse.Namespace) -> Findings:
    """Mirrors sfn.validate(text). A state machine defined by %%asl is checked against its cell,
    so lines are cell lines.

    Examples:
      %sfn validate orders
      %sfn validate flows/orders.asl.yaml
    """
    target = args.target
    if target in ctx.session.sources:
        return findings_for(ctx.session.sources[target], target, offset=1, cell=True)
    if os.path.isfile(target):
        text = read_text(target, DEFINITION_LIMIT, what="a state machine definition on AWS")
        return findings_for(text, target)
    if target in _machine_names(ctx):
        return findings_for(_require_machine(ctx, target)["definition"], target)
    raise CommandError(f"{target!r} is neither a state machine of this notebook nor a file")


@command(
    "graph",
    "The state machine's graph.",
    arg("state_machine", metavar="NAME", help="the state machine"),
    completes="machine",
)
def _graph(ctx: Context, args: argparse.Namespace) -> StateMachineView:
    """Mirrors render.Graph(definition, title=NAME).

    Example:
      %sfn graph orders
    """
    described = _require_machine(ctx, args.state_machine)
    definition = parsed_definition(described["definition"])
    states = len(definition.walk())
    summary = f"{described['name']}: {states} states, {described['type']}"
    return StateMachineView(definition, described["name"], summary)


@command(
    "stop",
    "Stop a running execution (StopExecution); returns the Execution.",
    arg("execution", metavar="EXEC", help="name, ARN or $variable"),
    arg("--error", help="the error recorded in ExecutionAborted"),
    arg("--cause", help="the cause recorded in ExecutionAborted"),
    completes="execution",
)
def _stop(ctx: Context, args: argparse.Namespace) -> Execution:
    """Mirrors rt.stop_execution(executionArn=..., error=..., cause=...).

    Example:
      %sfn stop first --error Cancelled --cause "no longer needed"
    """
    runtime, execution = _execution(ctx, args.execution)
    runtime.stop_execution(executionArn=execution.arn, error=args.error, cause=args.cause)
    return execution


@command(
    "redrive",
    "Redrive a failed, timed-out or aborted execution from where it failed (RedriveExecution).",
    arg("execution", metavar="EXEC", help="name, ARN or $variable"),
    arg("--no-wait", action="store_true", help="return at once"),
    completes="execution",
)
def _redrive(ctx: Context, args: argparse.Namespace) -> Execution:
    """Mirrors rt.redrive_execution(executionArn=...), then waits for the new outcome.

    Example:
      %sfn redrive first
    """
    runtime, execution = _execution(ctx, args.execution)
    redrive = _needs(runtime, "redrive_execution", "RedriveExecution", "redrive")
    redrive(executionArn=execution.arn)
    if not args.no_wait:
        _wait(execution)
    return execution


@command(
    "send-success",
    "Answer a task token with success (SendTaskSuccess).",
    arg("token", metavar="TOKEN", help="the task token, or $variable"),
    arg("output", metavar="JSON", help="the task's result: JSON, $variable or @file.json"),
)
def _send_success(ctx: Context, args: argparse.Namespace) -> None:
    """Mirrors rt.send_task_success(taskToken=TOKEN, output=JSON).

    Example:
      %sfn send-success $token {"approved": true}
    """
    token = variable_or_text(args.token, ctx.namespace)
    output = parse_json(args.output, ctx.namespace, "JSON")
    _answer(ctx, "send_task_success", "send-success", taskToken=token, output=json.dumps(output))
    print("Task success sent.")


@command(
    "send-failure",
    "Answer a task token with failure (SendTaskFailure).",
    arg("token", metavar="TOKEN", help="the task token, or $variable"),
    arg("error", metavar="ERROR", help="the error name"),
    arg("cause", metavar="CAUSE", nargs="?", help="the cause (text)"),
)
def _send_failure(ctx: Context, args: argparse.Namespace) -> None:
    """Mirrors rt.send_task_failure(taskToken=TOKEN, error=ERROR, cause=CAUSE).

    Example:
      %sfn send-failure $token Rejected "too expensive"
    """
    token = variable_or_text(args.token, ctx.namespace)
    kwargs = {"taskToken": token, "error": args.error}
    if args.cause is not None:
        kwargs["cause"] = args.cause
    _answer(ctx, "send_task_failure", "send-failure", **kwargs)
    print("Task failure sent.")


def _answer(ctx: Context, method: str, subcommand: str, **kwargs: Any) -> None:
    """Send a token's answer to the Runtime whose task waits for it: the default one, or the
    companion of the other clock (each Runtime knows only its own tokens)."""
    first: SfnNotebookError | None = None
    for runtime in ctx.session.runtimes():
        send = _needs(runtime, method, "task tokens (.waitForTaskToken callbacks)", subcommand)
        try:
            send(**kwargs)
            return
        except SfnNotebookError as exc:
            if exc.code != "TaskDoesNotExist":
                raise
            first = first or exc
    assert first is not None
    raise first


@command(
    "advance",
    "Move the virtual clock forward on purpose: the timers due meanwhile fire in order.",
    arg("duration", metavar="DURATION", help="seconds, or with units: 90s, 10m, 1h, 1h30m, 2d"),
    completes="duration",
)
def _advance(ctx: Context, args: argparse.Namespace) -> None:
    """Mirrors rt.advance(seconds). Virtual time skips on its own only while every execution
    waits on timers alone; while a callback, an activity or a function is in flight it runs
    with real time. This shows a heartbeat lapse or a callback timeout without waiting for it.

    Examples:
      %sfn advance 1h
      %sfn advance 90s
    """
    seconds = _duration(args.duration)
    runtimes = ctx.session.runtimes()
    runtime = next((rt for rt in runtimes if rt.clock.virtual), runtimes[0])
    now = runtime.advance(seconds)
    print(f"Virtual time advanced by {args.duration}; it is now {now.isoformat()}.")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


def _duration(text: str) -> float:
    """``90``, ``90s``, ``10m``, ``1h30m``, ``2d`` in seconds.

    >>> _duration("1h30m"), _duration("90"), _duration("0.5s")
    (5400.0, 90.0, 0.5)
    """
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise CommandError(
            f"DURATION: not a duration: {text!r} (examples: 90, 90s, 10m, 1h30m, 2d)"
        )
    return float(sum(float(number) * _UNITS[unit] for number, unit in parts))


@command(
    "test-state",
    "Run one state of a state machine on an input (TestState); shows every processing stage.",
    arg("state_machine", metavar="NAME", help="the state machine"),
    arg("state", metavar="STATE", help="the state's name"),
    arg("--input", default="{}", help="input: JSON, $variable or @file.json (default: {})"),
    arg("--inspection-level", choices=INSPECTION_LEVELS, default="DEBUG", help="default: DEBUG"),
    arg("--variables", help="variables in scope: a JSON object or $variable"),
    completes="machine state",
)
def _test_state(ctx: Context, args: argparse.Namespace) -> Any:
    """Mirrors rt.test_state(definition=NAME's definition, stateName=STATE, input=...,
    inspectionLevel=...).

    Example:
      %sfn test-state orders Enrich --input {"id": 7}
    """
    described = _require_machine(ctx, args.state_machine)
    definition = parsed_definition(described["definition"])
    states = definition.walk()
    found = next((s for s in states if s.name == args.state), None)
    if found is None:
        names = ", ".join(s.name for s in states)
        raise CommandError(f"{described['name']} has no state {args.state!r} (states: {names})")
    test_state = _needs(ctx.runtime, "test_state", "TestState", "test-state")
    value = parse_json(args.input, ctx.namespace, "--input")
    kwargs: dict[str, Any] = {
        "roleArn": described["roleArn"],
        "input": json.dumps(value),
        "inspectionLevel": args.inspection_level,
    }
    # The whole definition and the state's name, as AWS's TestState takes them: the state keeps
    # the QueryLanguage it inherits, and states inside a Map or Parallel are found too.
    kwargs["definition"], kwargs["stateName"] = described["definition"], args.state
    if args.variables is not None:
        kwargs["variables"] = json.dumps(parse_json(args.variables, ctx.namespace, "--variables"))
    return response(test_state(**kwargs))


@command(
    "mocks",
    "Load a MockConfigFile: mocked Task responses for runs with --test-case.",
    arg("source", metavar="FILE|JSON", help="a MockConfigFile.json path, JSON or $variable"),
)
def _mocks(ctx: Context, args: argparse.Namespace) -> None:
    """Mirrors rt.load_mocks(FILE), for every Runtime of the notebook; the format is Step
    Functions Local's (StateMachines.NAME.TestCases, MockedResponses).

    Examples:
      %sfn mocks MockConfigFile.json
      %sfn mocks $mock_config
      %sfn run orders --test-case HappyPath
    """
    source = variable_or_text(args.source, ctx.namespace)
    if isinstance(source, str) and source.lstrip().startswith("{"):
        source = parse_json(source, ctx.namespace, "mocks")
    config = ctx.session.load_mocks(source)
    machines = getattr(config, "machines", {})
    cases = "; ".join(f"{name}: {', '.join(found)}" for name, found in machines.items())
    print(f"Mocks loaded: {cases or 'no test cases'}")


@command("functions", "The Python functions registered with @sfn.function.")
def _functions(ctx: Context, _args: argparse.Namespace) -> FunctionTable:
    """One line per function: its name, signature and the first line of its docstring.

    Example:
      %sfn functions
    """
    return FunctionTable(ctx.session.functions)


@command(
    "runtime",
    "Show or replace the notebook's Runtime: its clock, store file and seed.",
    arg(
        "--store", help="the SQLite history file (default: sfn-history.sqlite beside the notebook)"
    ),
    arg("--no-store", action="store_true", help="keep history in memory only"),
    arg("--clock", choices=CLOCKS, help="virtual (default) or real"),
    arg("--start-time", help="virtual clock's start, ISO 8601 (default: now)"),
    arg("--seed", type=int, help="seed for jitter, States.UUID and random functions"),
    arg("--account", help="the account in ARNs (default 123456789012)"),
    arg("--region", help="the region in ARNs (default us-east-1)"),
    arg("--aws-endpoint-url", metavar="URL", help="AWS service Tasks call this (moto, LocalStack)"),
    arg(
        "--bucket",
        action="append",
        metavar="NAME=FOLDER",
        help="serve S3 bucket NAME from a local folder (ItemReader, ResultWriter); repeatable",
    ),
)
def _runtime(ctx: Context, args: argparse.Namespace) -> None:
    """Mirrors sfn.Runtime(store, clock=, start_time=, seed=, account=, region=,
    aws_endpoint_url=, buckets=). With options, the new Runtime replaces the old one (define state
    machines again after it); registered functions and mocks stay.

    Examples:
      %sfn runtime
      %sfn runtime --no-store --start-time 2025-01-01T09:00:00Z --seed 7
      %sfn runtime --aws-endpoint-url $moto_endpoint
      %sfn runtime --bucket my-bucket=data/ --bucket results=out/
    """
    changes: dict[str, Any] = {}
    if args.store is not None and args.no_store:
        raise CommandError("--store and --no-store exclude each other")
    if args.store is not None:
        changes["store"] = args.store
    if args.no_store:
        changes["store"] = None
    for key in ("clock", "seed", "account", "region"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    if args.aws_endpoint_url is not None:
        changes["aws_endpoint_url"] = str(variable_or_text(args.aws_endpoint_url, ctx.namespace))
    if args.start_time is not None:
        changes["start_time"] = _timestamp(args.start_time)
    if args.bucket:
        changes["buckets"] = tuple(_bucket(text) for text in args.bucket)
    if changes:
        ctx.session.configure(**changes)
    else:
        ctx.session.runtime  # noqa: B018 - built now, so a problem with the store shows here
    say_notes(ctx.session)
    print(ctx.session.settings.describe())


def _bucket(text: str) -> tuple[str, str]:
    name, sep, folder = text.partition("=")
    if not sep or not name or not folder:
        raise CommandError(f"--bucket: expected NAME=FOLDER (e.g. my-bucket=data/), not {text!r}")
    return name, folder


def _timestamp(text: str) -> Any:
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"--start-time: not an ISO 8601 time: {text}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@command(
    "help",
    "List the commands, or show one command's help.",
    arg("topic", metavar="COMMAND", nargs="?", help="a command, or asl for %%asl"),
)
def _help(_ctx: Context, args: argparse.Namespace) -> None:
    """Shows the overview of all magics, or one command's help.

    Examples:
      %sfn help
      %sfn help run
    """
    print(help_text(args.topic))
