"""Deploy: create or update a state machine (and its Lambda functions, version, alias, tags).

:func:`deploy` first reads what is deployed and works out a plan, a list of :class:`Change`;
with ``dry_run=True`` it stops there. The returned :class:`Deployment` prints as a readable
plan: a unified diff of the definition, role and tag changes, the version to publish, where the
alias moves, which Lambda functions are created or get new code.

>>> change = Change("update", "state machine", "orders", ["roleArn: r1 -> r2"])
>>> print(change.text())
~ update state machine orders
    roleArn: r1 -> r2
"""

from __future__ import annotations

import difflib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sfn_notebook.asl.parse import load_document, parse
from sfn_notebook.aws.errors import AwsError, AwsNotFound
from sfn_notebook.aws.package import (
    FunctionPackage,
    function_uses,
    package_function,
    rewrite_resources,
)
from sfn_notebook.errors import DefinitionError, SfnNotebookError

if TYPE_CHECKING:
    from sfn_notebook.aws.connection import AwsRuntime

_SIGNS = {"create": "+", "update": "~", "publish": "+", "move": "~", "unchanged": "="}
_LAMBDA_SETTINGS = ("Runtime", "Role", "Handler", "Timeout", "MemorySize")


@dataclass
class Change:
    """One thing a deployment does (or would do); ``details`` are indented lines under it."""

    action: str  # create | update | publish | move | unchanged
    kind: str  # state machine | tags | version | alias | Lambda function
    target: str
    details: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = f"{_SIGNS.get(self.action, '~')} {self.action} {self.kind} {self.target}"
        return "\n".join([head, *(f"    {line}" for line in self.details)])


@dataclass
class Deployment:
    """A deployment's plan and, once applied, its result. ``str()`` is the readable plan."""

    name: str
    state_machine_arn: str
    definition: dict[str, Any]
    changes: list[Change]
    where: str
    dry_run: bool = False
    applied: bool = False
    version_arn: str | None = None
    alias_arn: str | None = None
    function_arns: dict[str, str] = field(default_factory=dict)
    packages: list[FunctionPackage] = field(default_factory=list, repr=False)
    warnings: list[str] = field(default_factory=list)
    seconds: float | None = None

    @property
    def changed(self) -> bool:
        return any(c.action != "unchanged" for c in self.changes)

    def text(self) -> str:
        verb = "Would deploy" if not self.applied else "Deployed"
        lines = [f"{verb} state machine '{self.name}' to {self.where}"]
        lines += [change.text() for change in self.changes]
        if not self.changed:
            lines.append("No changes.")
        lines += [f"! {warning}" for warning in self.warnings]
        if self.applied and self.version_arn:
            lines.append(f"version: {self.version_arn}")
        if self.applied and self.alias_arn:
            lines.append(f"alias: {self.alias_arn}")
        return "\n".join(lines)

    __str__ = text

    def __repr__(self) -> str:
        return self.text()


# Reading the definition -------------------------------------------------------------------------


def _local_machine(runtime: Any, name: str) -> dict[str, Any]:
    """describe_state_machine of the local runtime's state machine called ``name``."""
    token = None
    while True:
        page = runtime.list_state_machines(**({"nextToken": token} if token else {}))
        for machine in page["stateMachines"]:
            if machine["name"] == name or machine["stateMachineArn"] == name:
                found: dict[str, Any] = runtime.describe_state_machine(
                    stateMachineArn=machine["stateMachineArn"]
                )
                return found
        token = page.get("nextToken")
        if not token:
            raise SfnNotebookError(
                f"the local runtime has no state machine named '{name}'. Fix: create it there "
                "first (rt.create_state_machine(name=..., definition=...)) or pass definition="
            )


def definition_document(definition: Any) -> dict[str, Any]:
    """A definition (dict, JSON or YAML text, or a parsed ``Definition``) as a JSON object,
    checked as CreateStateMachine would (``DefinitionError`` listing every problem)."""
    raw = getattr(definition, "raw", None)
    if raw is not None and hasattr(definition, "states"):
        document: Any = json.loads(json.dumps(raw))
    else:
        document, diagnostics = load_document(definition)
        if diagnostics:
            raise DefinitionError(str(diagnostics[0]), diagnostics)
    parse(document)  # raises DefinitionError with AWS-shaped diagnostics
    return dict(document)


def _pretty(document: Any) -> list[str]:
    return json.dumps(document, indent=2, ensure_ascii=False).splitlines()


def definition_diff(old: Any, new: Any, *, context: int = 2) -> list[str]:
    """A unified diff of two definitions, pretty-printed (empty when they are equal as JSON).

    >>> definition_diff({"StartAt": "A"}, {"StartAt": "B"})[2:]
    ['@@ -1,3 +1,3 @@', ' {', '-  "StartAt": "A"', '+  "StartAt": "B"', ' }']
    """
    if old == new:
        return []
    return list(
        difflib.unified_diff(
            _pretty(old), _pretty(new), "deployed", "local", n=context, lineterm=""
        )
    )


def _tags_dict(tags: Any) -> dict[str, str]:
    if tags is None:
        return {}
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t["key"]): str(t["value"]) for t in tags}


# Planning ---------------------------------------------------------------------------------------


def _function_name(key: str, prefix: str, names: Mapping[str, str] | None) -> str:
    if names and key in names:
        return names[key]
    short = key.rsplit(":", 1)[-1] if key.startswith("arn:") else key
    return f"{prefix}{short}"


def _plan_function(
    aws: AwsRuntime, package: FunctionPackage, role: str, settings: Mapping[str, Any]
) -> Change:
    lam = "lambda"
    try:
        current = aws.call("get_function", service=lam, FunctionName=package.function_name)
    except AwsNotFound:
        size = len(package.zip_bytes)
        details = [
            f"from task function '{package.key}' ({package.runtime}, handler "
            f"{package.handler}, {size:,} byte zip)"
        ]
        variables = (settings.get("Environment") or {}).get("Variables")
        if variables:  # names only: the values may be secrets
            details.append(f"environment: {', '.join(sorted(variables))}")
        return Change("create", "Lambda function", package.function_name, details)
    config = current["Configuration"]
    wanted = {"Runtime": package.runtime, "Role": role, "Handler": package.handler, **settings}
    details = [
        f"{key}: {config.get(key)} -> {value}"
        for key, value in wanted.items()
        if key in _LAMBDA_SETTINGS and config.get(key) != value
    ]
    if "Environment" in settings:
        have = (config.get("Environment") or {}).get("Variables") or {}
        want = settings["Environment"].get("Variables") or {}
        names = sorted(k for k in {*have, *want} if have.get(k) != want.get(k))
        if names:  # names only: the values may be secrets
            details.append(f"Environment: {', '.join(names)} (values not shown)")
    if config.get("CodeSha256") != package.code_sha256:
        details.insert(0, f"code: sha256 {config.get('CodeSha256')} -> {package.code_sha256}")
    return Change(
        "update" if details else "unchanged", "Lambda function", package.function_name, details
    )


def _describe_or_none(call: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return call()
    except AwsNotFound:
        return None


def deploy(
    aws: AwsRuntime,
    name: str,
    definition: Any = None,
    *,
    runtime: Any = None,
    role_arn: str | None = None,
    type: str | None = None,
    tags: Mapping[str, str] | list[dict[str, str]] | None = None,
    publish: bool = False,
    version_description: str | None = None,
    alias: str | None = None,
    functions: Mapping[str, Callable[..., Any]] | None = None,
    package_functions: bool = False,
    function_role_arn: str | None = None,
    function_prefix: str | None = None,
    function_names: Mapping[str, str] | None = None,
    lambda_runtime: str | None = None,
    lambda_settings: Mapping[str, Any] | None = None,
    lambda_environment: Mapping[str, str] | None = None,
    secrets: str = "refuse",
    logging_configuration: Mapping[str, Any] | None = None,
    tracing_configuration: Mapping[str, Any] | None = None,
    dry_run: bool = False,
) -> Deployment:
    """Create or update state machine ``name`` on ``aws`` from ``definition``, or from the local
    ``runtime``'s state machine of that name.

    ``role_arn`` is the role Step Functions runs it as (needed to create; an update keeps the
    current one when None). ``type`` is STANDARD or EXPRESS (default: the local machine's, the
    deployed one's, else STANDARD). ``tags`` are added or changed, never removed. ``publish``
    publishes a version; ``alias`` moves (or creates) an alias to it and implies ``publish``.

    ``package_functions`` turns the registered Python functions the definition uses
    (``functions``, default ``runtime.resources.functions``) into Lambda functions named
    ``function_prefix + name`` (default prefix ``"<state machine>-"``) running as
    ``function_role_arn`` (default ``role_arn``), and points the Task states at them.
    ``lambda_settings`` (``Timeout``, ``MemorySize`` ...) go to every one of them.

    A global a function uses that was read from the environment (``API_KEY =
    os.environ["API_KEY"]``) or that looks like a credential is refused, naming it: its value
    would be copied into the zip. ``lambda_environment`` gives the functions Lambda environment
    variables (``Environment.Variables``; the plan shows their names, never their values), and a
    global read from one of them is packaged as that read, evaluated on Lambda at run time.
    ``secrets="allow"`` copies such values anyway.

    ``dry_run`` reads, plans and returns without changing anything.

    >>> deploy(aws, "orders", runtime=rt, role_arn=role, dry_run=True)   # doctest: +SKIP
    """
    started = time.monotonic()
    local: dict[str, Any] | None = None
    if definition is None:
        if runtime is None:
            raise SfnNotebookError(
                f"nothing to deploy as '{name}'. Fix: pass definition=, or runtime= a local "
                "Runtime holding a state machine of that name"
            )
        local = _local_machine(runtime, name)
        definition = local["definition"]
    document = definition_document(definition)
    if functions is None and runtime is not None:
        functions = getattr(getattr(runtime, "resources", None), "functions", None)
    functions = dict(functions or {})
    warnings: list[str] = []
    account = aws.account
    where = f"{aws.region}, account {account}" + (
        f", endpoint {aws.endpoint_url}" if aws.endpoint_url else ""
    )
    arn = aws.state_machine_arn(name)
    changes: list[Change] = []

    # Lambda functions first: the definition is rewritten to their ARNs.
    packages: list[FunctionPackage] = []
    function_changes: list[Change] = []
    function_arns: dict[str, str] = {}
    uses = function_uses(document, functions) if functions else []
    settings: dict[str, Any] = dict(lambda_settings or {})
    if lambda_environment is not None:
        settings["Environment"] = {"Variables": dict(lambda_environment)}
    if package_functions:
        if not uses:
            warnings.append("no Task state uses a registered Python function: nothing to package")
        fn_role = function_role_arn or role_arn
        prefix = f"{name}-" if function_prefix is None else function_prefix
        for key in dict.fromkeys(use.key for use in uses):
            package = package_function(
                functions[key],
                key,
                _function_name(key, prefix, function_names),
                runtime=lambda_runtime,
                environment=lambda_environment,
                secrets=secrets,
            )
            packages.append(package)
            warnings.extend(package.warnings)
            function_arns[key] = (
                f"{aws.arn_prefix('lambda', account)}:function:{package.function_name}"
            )
        if packages and fn_role is None:
            raise SfnNotebookError(
                "packaging functions needs a role for Lambda. Fix: pass function_role_arn= (or "
                "role_arn=)"
            )
        function_changes = [_plan_function(aws, p, str(fn_role), settings) for p in packages]
        changes.extend(function_changes)
        document = rewrite_resources(document, functions, function_arns)
    elif uses:
        names = ", ".join(sorted({u.key for u in uses}))
        warnings.append(
            f"Task states use local Python functions ({names}) that AWS does not have. "
            "Fix: deploy with package_functions=True (or --package-functions)"
        )

    # The state machine.
    wanted_tags = _tags_dict(tags)
    current = _describe_or_none(lambda: aws.call("describe_state_machine", stateMachineArn=arn))
    machine_type = type or (current or {}).get("type") or (local or {}).get("type") or "STANDARD"
    machine_changes = False
    if current is None:
        if role_arn is None:
            raise SfnNotebookError(
                f"creating state machine '{name}' needs role_arn=, the IAM role Step Functions "
                "assumes to run it. Fix: pass role_arn='arn:aws:iam::<account>:role/<name>'"
            )
        states = ", ".join(f"{k} ({v.get('Type')})" for k, v in document["States"].items())
        details = [f"type {machine_type}, role {role_arn}", f"states: {states}"]
        if wanted_tags:
            details.append("tags: " + ", ".join(f"{k}={v}" for k, v in wanted_tags.items()))
        changes.append(Change("create", "state machine", arn, details))
        machine_changes = True
    else:
        if machine_type != current.get("type"):
            raise SfnNotebookError(
                f"state machine '{name}' is {current.get('type')} on AWS; its type cannot change "
                f"to {machine_type}. Fix: deploy under another name, or delete it first"
            )
        details = definition_diff(json.loads(current["definition"]), document)
        if role_arn is not None and role_arn != current.get("roleArn"):
            details.append(f"roleArn: {current.get('roleArn')} -> {role_arn}")
        for label, wanted in (
            ("loggingConfiguration", logging_configuration),
            ("tracingConfiguration", tracing_configuration),
        ):
            if wanted is not None and dict(wanted) != current.get(label):
                details.append(f"{label}: {current.get(label)} -> {dict(wanted)}")
        machine_changes = bool(details)
        changes.append(Change("update" if details else "unchanged", "state machine", arn, details))

    tag_changes: dict[str, str] = {}
    if wanted_tags:
        have = {}
        if current is not None:
            listed = aws.call("list_tags_for_resource", resourceArn=arn)
            have = _tags_dict(listed.get("tags"))
        tag_changes = {k: v for k, v in wanted_tags.items() if have.get(k) != v}
        if tag_changes and current is not None:
            lines = [
                f"{k}: {have[k]} -> {v}" if k in have else f"{k} = {v} (new)"
                for k, v in tag_changes.items()
            ]
            changes.append(Change("update", "tags", "of " + name, lines))

    publish = publish or alias is not None
    if publish:
        note = f" ({version_description})" if version_description else ""
        what = "the new revision" if machine_changes else "the current revision, if it has none"
        changes.append(Change("publish", "version", f"of {what}{note}"))
    current_alias = None
    if alias is not None:
        current_alias = _describe_or_none(
            lambda: aws.call("describe_state_machine_alias", stateMachineAliasArn=f"{arn}:{alias}")
        )
        if current_alias is None:
            changes.append(Change("create", "alias", f"{alias} -> the published version"))
        else:
            versions = ", ".join(
                r["stateMachineVersionArn"].rsplit(":", 1)[-1]
                for r in current_alias["routingConfiguration"]
            )
            changes.append(
                Change("move", "alias", f"{alias}: version {versions} -> the published version")
            )

    deployment = Deployment(
        name=name,
        state_machine_arn=arn,
        definition=document,
        changes=changes,
        where=where,
        dry_run=dry_run,
        function_arns=function_arns,
        packages=packages,
        warnings=warnings,
    )
    if dry_run:
        deployment.seconds = time.monotonic() - started
        return deployment

    # Applying ---------------------------------------------------------------------------------
    fn_role = str(function_role_arn or role_arn or "")
    for package, change in zip(packages, function_changes, strict=True):
        _apply_function(aws, package, change, fn_role, settings, wanted_tags)
    text = json.dumps(document, ensure_ascii=False)
    optional: dict[str, Any] = {}
    if logging_configuration is not None:
        optional["loggingConfiguration"] = dict(logging_configuration)
    if tracing_configuration is not None:
        optional["tracingConfiguration"] = dict(tracing_configuration)
    if version_description is not None and publish:
        optional["versionDescription"] = version_description
    if current is None:
        tagging: dict[str, Any] = (
            {"tags": [{"key": k, "value": v} for k, v in wanted_tags.items()]}
            if wanted_tags
            else {}
        )
        created = aws.call(
            "create_state_machine",
            name=name,
            definition=text,
            roleArn=role_arn,
            type=machine_type,
            publish=publish,
            **tagging,
            **optional,
        )
        deployment.state_machine_arn = arn = created["stateMachineArn"]
        deployment.version_arn = created.get("stateMachineVersionArn")
    else:
        if machine_changes:
            updated = aws.call(
                "update_state_machine",
                stateMachineArn=arn,
                definition=text,
                publish=publish,
                **({"roleArn": role_arn} if role_arn is not None else {}),
                **optional,
            )
            deployment.version_arn = updated.get("stateMachineVersionArn")
        elif publish:
            deployment.version_arn = _publish_current(aws, arn, text, version_description)
        if tag_changes:
            aws.call(
                "tag_resource",
                resourceArn=arn,
                tags=[{"key": k, "value": v} for k, v in tag_changes.items()],
            )
    if alias is not None and deployment.version_arn is not None:
        routing = [{"stateMachineVersionArn": deployment.version_arn, "weight": 100}]
        if current_alias is None:
            made = aws.call("create_state_machine_alias", name=alias, routingConfiguration=routing)
            deployment.alias_arn = made["stateMachineAliasArn"]
        else:
            deployment.alias_arn = current_alias["stateMachineAliasArn"]
            aws.call(
                "update_state_machine_alias",
                stateMachineAliasArn=deployment.alias_arn,
                routingConfiguration=routing,
            )
    deployment.applied = True
    deployment.seconds = time.monotonic() - started
    return deployment


def _publish_current(aws: AwsRuntime, arn: str, text: str, description: str | None) -> str | None:
    """Publish the current revision. PublishStateMachineVersion is idempotent on AWS (an already
    published revision gives its version back); a server without it gets an update that
    publishes instead."""
    extra = {"description": description} if description else {}
    if "PublishStateMachineVersion" not in aws.unsupported:
        try:
            done = aws.call("publish_state_machine_version", stateMachineArn=arn, **extra)
            return str(done["stateMachineVersionArn"])
        except AwsError as exc:
            if not str(exc.code).startswith("5") and exc.code != "UnknownOperationException":
                raise
            aws.unsupported.add("PublishStateMachineVersion")
    updated = aws.call(
        "update_state_machine",
        stateMachineArn=arn,
        definition=text,
        publish=True,
        **({"versionDescription": description} if description else {}),
    )
    return updated.get("stateMachineVersionArn")


def _apply_function(
    aws: AwsRuntime,
    package: FunctionPackage,
    change: Change,
    role: str,
    settings: dict[str, Any],
    tags: Mapping[str, str],
) -> None:
    lam = "lambda"
    if change.action == "create":
        tagging: dict[str, Any] = {"Tags": dict(tags)} if tags else {}
        aws.call(
            "create_function",
            service=lam,
            FunctionName=package.function_name,
            Runtime=package.runtime,
            Role=role,
            Handler=package.handler,
            Code={"ZipFile": package.zip_bytes},
            Description=f"sfn-notebook task function '{package.key}'",
            **tagging,
            **{"Timeout": 60, **settings},
        )
        _wait_ready(aws, package.function_name)
        return
    if change.action != "update":
        return
    if any(not line.startswith("code:") for line in change.details):
        aws.call(
            "update_function_configuration",
            service=lam,
            FunctionName=package.function_name,
            Runtime=package.runtime,
            Role=role,
            Handler=package.handler,
            **settings,
        )
        _wait_ready(aws, package.function_name)
    if any(line.startswith("code:") for line in change.details):
        aws.call(
            "update_function_code",
            service=lam,
            FunctionName=package.function_name,
            ZipFile=package.zip_bytes,
        )
        _wait_ready(aws, package.function_name)


def _wait_ready(aws: AwsRuntime, function_name: str, timeout: float = 300.0) -> None:
    """Wait until Lambda has the function ready: a new function is Pending for a while (an
    execution started at once would fail with Lambda.ResourceNotReadyException), and Lambda
    refuses a code update while a configuration update is in progress."""
    deadline = time.monotonic() + timeout
    pause = 0.5
    idle = threading.Event()  # never set: an interruptible sleep
    while time.monotonic() < deadline:
        config = aws.call(
            "get_function_configuration", service="lambda", FunctionName=function_name
        )
        ready = config.get("State") in (None, "Active", "Inactive", "Failed")
        if ready and config.get("LastUpdateStatus") in (None, "Successful", "Failed"):
            return
        idle.wait(pause)
        pause = min(pause * 2, 5.0)
