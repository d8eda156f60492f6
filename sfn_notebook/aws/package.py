"""Python task functions as Lambda functions: their source zipped with a generated handler, and
the definition's Resources rewritten to the functions' ARNs.

:func:`package_function` reads a function's source (``inspect.getsource``, decorators dropped)
and what it needs from its module: modules it uses become imports, plain functions of the same
module are copied along, JSON-like constants are written out. Anything else (a client object, a
closure) is refused with a message naming it, because it would not exist on Lambda. The zip is
byte-for-byte reproducible, so its SHA-256 tells whether the deployed code is already current.

>>> def double(event, context):
...     return {"n": event["n"] * 2}
>>> package = package_function(double, "Double", "orders-Double")
>>> package.handler, sorted(package.files)
('sfn_handler.handler', ['sfn_handler.py', 'sfn_task.py'])
>>> "def double(event, context):" in package.files["sfn_task.py"]
True
"""

from __future__ import annotations

import ast
import base64
import builtins
import copy
import dis
import hashlib
import inspect
import io
import re
import sys
import textwrap
import types
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_notebook.aws.secrets import EnvironmentRead, environment_reads, secret_kind, strings_in
from sfn_notebook.engine.resources import LAMBDA_ARN
from sfn_notebook.errors import SfnNotebookError

TASK_MODULE = "sfn_task"
HANDLER_MODULE = "sfn_handler"
HANDLER = f"{HANDLER_MODULE}.handler"
LAMBDA_PYTHONS = ("python3.10", "python3.11", "python3.12", "python3.13")
#: Importable on Lambda's Python runtime without packaging them.
LAMBDA_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil"})
_INVOKE = re.compile(r"^arn:[\w-]+:states:::lambda:invoke(\.waitForTaskToken)?$")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class PackagingError(SfnNotebookError):
    """A task function that cannot become a Lambda function as it is."""

    code = "PackagingError"


def lambda_python() -> str:
    """The Lambda runtime matching this Python (python3.12 when Lambda has no such runtime)."""
    found = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return found if found in LAMBDA_PYTHONS else "python3.12"


@dataclass
class FunctionPackage:
    """One task function ready for Lambda: its files, zip and Lambda settings."""

    key: str  # the name it is registered under locally
    function_name: str  # the Lambda function's name
    files: dict[str, str]
    handler: str = HANDLER
    runtime: str = field(default_factory=lambda_python)
    warnings: list[str] = field(default_factory=list)

    @property
    def zip_bytes(self) -> bytes:
        """A reproducible zip: fixed timestamps and permissions, files in name order."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(self.files):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, self.files[name])
        return buffer.getvalue()

    @property
    def code_sha256(self) -> str:
        """Lambda's ``CodeSha256`` of the zip (base64 of its SHA-256)."""
        return base64.b64encode(hashlib.sha256(self.zip_bytes).digest()).decode()


# Source collection ------------------------------------------------------------------------------


def _source_of(fn: Callable[..., Any], key: str) -> str:
    """The function's own source, dedented, without its decorators."""
    try:
        text = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as exc:
        raise PackagingError(
            f"cannot read the source of task function '{key}' ({exc}). Fix: define it with "
            "`def` in a notebook cell or a .py file"
        ) from None
    tree = ast.parse(text)
    node = tree.body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise PackagingError(f"task function '{key}' is not a def statement")
    lines = text.splitlines()
    return "\n".join(lines[node.lineno - 1 : node.end_lineno]) + "\n"


def _global_names(code: types.CodeType) -> Iterator[str]:
    """Names a function reads from its module (its nested functions' included)."""
    for instruction in dis.get_instructions(code):
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            yield str(instruction.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _global_names(const)


def _literal(value: Any, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) <= 10_000 and all(_literal(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return len(value) <= 10_000 and all(
            _literal(k, depth + 1) and _literal(v, depth + 1) for k, v in value.items()
        )
    return False


def _top_module(name: str) -> str:
    return name.split(".", 1)[0]


class _Collector:
    """Walks a function's globals and writes the module Lambda will import.

    ``environment`` names the Lambda environment variables the function will have: a global
    read from one of them is written as the same read (``os.environ[...]``), evaluated on Lambda,
    instead of the value it had here. ``secrets`` is "refuse" (a global read from another
    environment variable, or a literal that looks like a credential, stops packaging) or
    "allow" (copied, with a warning).
    """

    def __init__(
        self, key: str, environment: Mapping[str, str] | None = None, secrets: str = "refuse"
    ) -> None:
        self.key = key
        self.environment = dict(environment or {})
        self.secrets = secrets
        self.reads: dict[str, dict[str, EnvironmentRead]] = {}  # per module: name -> read
        self.runtime_reads: dict[str, str] = {}  # global -> expression read on Lambda
        self.imports: dict[str, str] = {}
        self.constants: dict[str, str] = {}
        self.sources: dict[str, str] = {}  # function name -> source, dependencies first
        self.aliases: dict[str, str] = {}  # global name -> the function it names
        self.warnings: list[str] = []
        self._seen: set[str] = set()

    def add_function(self, fn: Callable[..., Any], name: str) -> None:
        if name in self._seen:
            return
        self._seen.add(name)
        fn = inspect.unwrap(fn)
        code = getattr(fn, "__code__", None)
        if code is None or not isinstance(fn, types.FunctionType):
            raise PackagingError(
                f"task function '{self.key}' uses {name!r}, a {type(fn).__name__}, which cannot "
                "be packaged. Fix: register a plain `def` function"
            )
        if fn.__name__ == "<lambda>":
            raise PackagingError(
                f"task function '{self.key}' is a lambda expression. Fix: define it with `def`"
            )
        if code.co_freevars:
            raise PackagingError(
                f"task function '{self.key}' ({fn.__name__}) uses variables of an enclosing "
                f"function ({', '.join(code.co_freevars)}). Fix: define it at the top level of "
                "a cell or module"
            )
        source = _source_of(fn, self.key)
        module_globals = fn.__globals__
        for global_name in dict.fromkeys(_global_names(code)):
            self._add_global(global_name, module_globals, fn)
        self.sources[fn.__name__] = source

    def _add_global(self, name: str, module_globals: Mapping[str, Any], fn: Any) -> None:
        if name not in module_globals:
            if hasattr(builtins, name):
                return
            raise PackagingError(
                f"task function '{self.key}' uses '{name}', which is not defined where "
                f"{fn.__name__} was defined. Fix: define or import it"
            )
        value = module_globals[name]
        if isinstance(value, types.ModuleType):
            self._add_import(name, value.__name__, None)
        elif isinstance(value, types.FunctionType) and (
            value.__module__ in (fn.__module__, "__main__")
        ):
            self.add_function(value, name)
            if value.__name__ != name:
                self.aliases[name] = value.__name__
        elif isinstance(value, (types.FunctionType, type)) and value.__module__ not in (
            "__main__",
            None,
        ):
            self._add_import(name, value.__module__, value.__qualname__)
        elif _literal(value):
            if not self._from_environment(name, value, fn):
                self.constants[name] = repr(value)
        else:
            raise PackagingError(
                f"task function '{self.key}' uses the global '{name}' (a "
                f"{type(value).__name__}), which cannot be packaged. Fix: create it inside the "
                "function, or import it from a module"
            )

    def _from_environment(self, name: str, value: Any, fn: Any) -> bool:
        """Whether global ``name`` is written as an environment read; refuses a secret."""
        module = getattr(fn, "__module__", None) or "__main__"
        if module not in self.reads:
            self.reads[module] = environment_reads(fn)
        read = self.reads[module].get(name)
        fix = (
            "Fix: give the value to Lambda as an environment variable instead: deploy with "
            "lambda_environment={{{var!r}: ...}}{how} (or secrets='allow' to copy it anyway)"
        )
        if read is not None:
            if read.variables and all(v in self.environment for v in read.variables):
                self.runtime_reads[name] = read.source
                if "os." in read.source:
                    self._add_import("os", "os", None)
                for bare in sorted(read.bare):
                    self._add_import(bare, "os", bare)
                return True
            variable = read.variables[0] if read.variables else name
            message = (
                f"task function '{self.key}' uses the global '{name}', read from the environment "
                f"({name} = {read.source}): packaging would copy the value it has here into the "
                "Lambda zip. "
                + fix.format(var=variable, how=", and the package reads it there at run time")
            )
        else:
            kind = next(filter(None, map(secret_kind, strings_in(value))), None)
            if kind is None:
                return False
            message = (
                f"task function '{self.key}' uses the global '{name}', which holds what looks "
                f"like {kind}: packaging would copy it into the Lambda zip. "
                + fix.format(var=name, how=f" and read os.environ[{name!r}] in the function")
            )
        if self.secrets != "allow":
            raise PackagingError(message)
        self.warnings.append(f"'{self.key}': {name} is copied into the zip (secrets='allow')")
        return False

    def _add_import(self, alias: str, module: str, attribute: str | None) -> None:
        top = _top_module(module)
        if top not in sys.stdlib_module_names and top not in LAMBDA_PROVIDED:
            self.warnings.append(
                f"'{self.key}' imports {module}, which Lambda's Python runtime does not have: "
                "add it as a Lambda layer"
            )
        if attribute is None:
            line = f"import {module}" if alias == module else f"import {module} as {alias}"
            if alias != module and "." in module and module.rsplit(".", 1)[1] == alias:
                line = f"from {module.rsplit('.', 1)[0]} import {alias}"
        else:
            line = (
                f"from {module} import {attribute}"
                if attribute == alias
                else f"from {module} import {attribute} as {alias}"
            )
        self.imports[alias] = line

    def module_text(self) -> str:
        parts = [
            f'"""Task function \'{self.key}\', packaged by sfn-notebook from its source."""',
            "",
            *sorted(set(self.imports.values())),
        ]
        if self.constants:
            parts += ["", *(f"{k} = {v}" for k, v in self.constants.items())]
        if self.runtime_reads:
            parts += ["", *(f"{k} = {v}" for k, v in self.runtime_reads.items())]
        for source in self.sources.values():
            parts += ["", "", source.rstrip()]
        if self.aliases:
            parts += ["", "", *(f"{k} = {v}" for k, v in self.aliases.items())]
        return "\n".join(parts).lstrip("\n") + "\n"


def package_function(
    fn: Callable[..., Any],
    key: str,
    function_name: str,
    *,
    runtime: str | None = None,
    environment: Mapping[str, str] | None = None,
    secrets: str = "refuse",
) -> FunctionPackage:
    """Package one task function (called as ``fn(event, context)``, as locally and on Lambda).

    A global the function uses that was read from the environment, or that looks like a
    credential, is refused (``PackagingError`` naming it) unless ``secrets="allow"``; one read
    from a variable listed in ``environment`` (the Lambda function's environment variables) is
    packaged as that read, so the value stays out of the zip.
    """
    if secrets not in ("refuse", "allow"):
        raise PackagingError(f"secrets must be 'refuse' or 'allow', not {secrets!r}")
    if not _NAME.match(function_name):
        raise PackagingError(
            f"'{function_name}' is not a valid Lambda function name (letters, digits, - and _, "
            "at most 64). Fix: pass function_names= or a shorter function_prefix="
        )
    collector = _Collector(key, environment, secrets)
    target = inspect.unwrap(fn)
    collector.add_function(target, getattr(target, "__name__", key))
    entry = target.__name__
    if inspect.iscoroutinefunction(target):
        call = "asyncio.run(_task(event, context))"
        header = "import asyncio\n\n"
    else:
        call = "_task(event, context)"
        header = ""
    handler = (
        f'"""Lambda handler generated by sfn-notebook for task function \'{key}\'."""\n\n'
        f"{header}from {TASK_MODULE} import {entry} as _task\n\n\n"
        "def handler(event, context):\n"
        f"    return {call}\n"
    )
    return FunctionPackage(
        key=key,
        function_name=function_name,
        files={f"{TASK_MODULE}.py": collector.module_text(), f"{HANDLER_MODULE}.py": handler},
        runtime=runtime or lambda_python(),
        warnings=collector.warnings,
    )


# Definitions: which functions they use, and rewriting their Resources ---------------------------


@dataclass
class FunctionUse:
    """A Task state's reference to a registered function."""

    key: str  # the registered name
    pointer: str  # JSON pointer of the field that names it
    value: str  # what the field says now


def _tasks(doc: Any, pointer: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    """Every Task state object in a definition (branches and processors included)."""
    states = doc.get("States") if isinstance(doc, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = f"{pointer}/States/{name.replace('~', '~0').replace('/', '~1')}"
        if state.get("Type") == "Task":
            yield state, here
        for i, branch in enumerate(state.get("Branches") or []):
            yield from _tasks(branch, f"{here}/Branches/{i}")
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from _tasks(state[key], f"{here}/{key}")


def _key_for(reference: str, functions: Mapping[str, Any]) -> str | None:
    """The registered name a Resource or FunctionName refers to (the engine's lookup rules)."""
    if reference in functions:
        return reference
    match = LAMBDA_ARN.match(reference)
    name = match.group("name") if match else None
    if name is None and ":" in reference:  # "123456789012:function:name" or "name:alias"
        parts = reference.split(":")
        name = parts[2] if len(parts) >= 3 and parts[1] == "function" else parts[0]
    if name is not None and name in functions:
        return name
    return None


def function_uses(doc: Mapping[str, Any], functions: Mapping[str, Any]) -> list[FunctionUse]:
    """The Task fields naming one of ``functions``: a Lambda ARN Resource, or the FunctionName
    of ``arn:aws:states:::lambda:invoke`` (in Parameters or Arguments)."""
    found = []
    for state, pointer in _tasks(doc):
        resource = state.get("Resource")
        if not isinstance(resource, str):
            continue
        if _INVOKE.match(resource):
            for field_name in ("Parameters", "Arguments"):
                block = state.get(field_name)
                name = block.get("FunctionName") if isinstance(block, dict) else None
                key = _key_for(name, functions) if isinstance(name, str) else None
                if key is not None and isinstance(name, str):
                    found.append(FunctionUse(key, f"{pointer}/{field_name}/FunctionName", name))
        else:
            key = _key_for(resource, functions)
            if key is not None:
                found.append(FunctionUse(key, f"{pointer}/Resource", resource))
    return found


def rewrite_resources(
    doc: Mapping[str, Any], functions: Mapping[str, Any], arns: Mapping[str, str]
) -> dict[str, Any]:
    """A copy of ``doc`` whose references to registered functions name ``arns[key]`` instead.

    >>> doc = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True,
    ...        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Double"}}}
    >>> arn = "arn:aws:lambda:eu-west-1:999999999999:function:orders-Double"
    >>> rewrite_resources(doc, {"Double": len}, {"Double": arn})["States"]["T"]["Resource"]
    'arn:aws:lambda:eu-west-1:999999999999:function:orders-Double'
    """
    result = copy.deepcopy(dict(doc))
    for use in function_uses(result, functions):
        if use.key not in arns:
            continue
        target: Any = result
        *parents, last = use.pointer.strip("/").split("/")
        for raw in parents:
            token = raw.replace("~1", "/").replace("~0", "~")
            target = target[int(token)] if isinstance(target, list) else target[token]
        target[last] = arns[use.key]
    return result
