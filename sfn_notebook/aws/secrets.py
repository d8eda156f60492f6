"""Secrets a task function would carry into its Lambda zip, found before it is packaged.

Packaging copies the values of a function's module constants into the zip (``package.py``). A
constant read from the environment (``API_KEY = os.environ["API_KEY"]``, ``os.getenv``,
``os.environ.get``) would be copied with the value it had when the notebook cell ran, and so
would a literal that looks like a credential. :func:`environment_reads` finds the first kind in
the source of the function's module (the notebook's cells for a function defined in one);
:func:`secret_kind` recognises the second by the value alone.

>>> secret_kind("AKIAIOSFODNN7EXAMPLE")
'an AWS access key id'
>>> secret_kind("https://example.com/api/v1/items") is None
True
"""

from __future__ import annotations

import ast
import inspect
import linecache
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}"), "a GitHub token"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), "a GitHub token"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"), "an API secret key (sk-...)"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "a Google API key"),
)
_TOKEN = re.compile(r"^[A-Za-z0-9+/=_.-]{32,}$")
_ENTROPY_BITS = 4.0  # per character: random base64 is ~5-6, hex digests and UUIDs stay below


def secret_kind(value: str) -> str | None:
    """What kind of credential ``value`` looks like, or None.

    >>> secret_kind("-----BEGIN RSA PRIVATE KEY-----\\nMIIE...")
    'a private key'
    >>> secret_kind("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    'a long random token'
    >>> secret_kind("d41d8cd98f00b204e9800998ecf8427e") is None   # an MD5 digest: hex
    True
    """
    for pattern, kind in _PATTERNS:
        if pattern.search(value):
            return kind
    if _TOKEN.match(value) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
        counts = Counter(value)
        entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
        if entropy >= _ENTROPY_BITS:
            return "a long random token"
    return None


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON-like constant (keys and values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from strings_in(item)


@dataclass(frozen=True)
class EnvironmentRead:
    """A module-level assignment whose value comes from the environment."""

    name: str  # the global assigned
    variables: tuple[str, ...]  # the environment variables it reads (literal names only)
    source: str  # the assigned expression, as it can be written into the packaged module
    bare: frozenset[str]  # names imported from os it uses unqualified (environ, getenv)


_OS_READERS = {"environ", "getenv", "getenvb", "environb"}


def _reads_environment(node: ast.AST) -> tuple[list[str], set[str]] | None:
    """The variable names an expression reads from the environment, or None when it reads none.

    Recognises ``os.environ[...]``, ``os.environ.get(...)``, ``os.getenv(...)`` and the same
    through ``from os import environ, getenv``.
    """
    bare = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in _OS_READERS}
    qualified = any(
        isinstance(n, ast.Attribute)
        and n.attr in _OS_READERS
        and isinstance(n.value, ast.Name)
        and n.value.id == "os"
        for n in ast.walk(node)
    )
    if not bare and not qualified:
        return None
    variables: list[str] = []
    for sub in ast.walk(node):
        # The string literal subscript or first argument names the variable.
        if isinstance(sub, ast.Subscript):
            key: ast.expr | None = sub.slice if _mentions_environ(sub.value) else None
        elif isinstance(sub, ast.Call) and sub.args and _is_env_call(sub.func):
            key = sub.args[0]
        else:
            key = None
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            variables.append(key.value)
    return list(dict.fromkeys(variables)), bare


def _is_env_call(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr in ("getenv", "get", "getenvb") and (
            func.attr != "get" or _mentions_environ(func.value)
        )
    return isinstance(func, ast.Name) and func.id in ("getenv", "getenvb")


def _mentions_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in ("environ", "environb")) or (
        isinstance(node, ast.Name) and node.id in ("environ", "environb")
    )


def _module_sources(fn: Callable[..., Any]) -> list[str]:
    """The source texts that may define ``fn``'s globals: its module's file, and for a function
    defined in a notebook every cell the kernel has run (they share one folder of cell files)."""
    filenames: list[str] = []
    code = getattr(fn, "__code__", None)
    if code is not None:
        filenames.append(code.co_filename)
    module = inspect.getmodule(fn)
    module_file = getattr(module, "__file__", None)
    if module_file:
        filenames.append(module_file)
    if code is not None and getattr(module, "__name__", None) == "__main__":
        folder = os.path.dirname(code.co_filename)
        filenames.extend(
            name
            for name in list(linecache.cache)
            if name.startswith("<ipython-input-") or (folder and os.path.dirname(name) == folder)
        )
    texts = []
    for name in dict.fromkeys(filenames):
        lines = linecache.getlines(name)
        if lines:
            texts.append("".join(lines))
    return texts


def environment_reads(fn: Callable[..., Any]) -> dict[str, EnvironmentRead]:
    """The module-level globals of ``fn``'s module assigned from the environment, by name."""
    found: dict[str, EnvironmentRead] = {}
    for text in _module_sources(fn):
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in _module_statements(tree.body):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            reads = _reads_environment(value)
            if reads is None:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    variables, bare = reads
                    found[target.id] = EnvironmentRead(
                        target.id, tuple(variables), ast.unparse(value), frozenset(bare)
                    )
    return found


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, including those inside if/try/with blocks (not functions)."""
    for node in body:
        yield node
        for field_name in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(node, field_name, None)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                break
            if isinstance(inner, list):
                yield from _module_statements([n for n in inner if isinstance(n, ast.stmt)])
                for handler in inner:
                    if isinstance(handler, ast.ExceptHandler):
                        yield from _module_statements(handler.body)
