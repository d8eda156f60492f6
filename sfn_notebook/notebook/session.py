"""The notebook's default Runtime, shared by the magics and ``@sfn.function``.

One :class:`NotebookSession` per kernel holds the Runtime the magics talk to and the Python
functions registered as Lambda stand-ins. Nothing here imports IPython: ``@sfn.function`` works in
a plain script too, and the magics (:mod:`sfn_notebook.notebook.magics`) are a thin layer on top.

The default Runtime keeps its history in ``sfn-history.sqlite`` in the kernel's working
directory, which Jupyter sets to the notebook's folder, and uses the virtual clock so Waits and
retry backoffs take no time. :meth:`NotebookSession.configure` (``%sfn runtime``) replaces it.

>>> session = NotebookSession()
>>> rt = session.configure(store=None, clock="virtual")
>>> @session.function
... def double(event, context):
...     return event * 2
>>> arn = rt.create_state_machine(name="d", definition={"StartAt": "D", "States": {"D": {
...     "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
...     "End": True}}})["stateMachineArn"]
>>> rt.start("d", 21).wait().output
42
>>> session.close()
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.runtime import Runtime

DEFAULT_STORE = "sfn-history.sqlite"
CLOCKS = ("virtual", "real")


@dataclass(frozen=True)
class Settings:
    """How the session's Runtime is built: ``Runtime(store, clock=..., ...)``'s arguments."""

    store: str | None = DEFAULT_STORE
    clock: str = "virtual"
    start_time: datetime | None = None
    seed: int | None = None
    account: str | None = None
    region: str | None = None
    aws_endpoint_url: str | None = None  # AWS service Tasks go there (moto, LocalStack)
    buckets: tuple[tuple[str, str], ...] = ()  # (bucket, local folder): S3 without S3

    def describe(self) -> str:
        """One line saying what the Runtime is.

        >>> Settings(store=None, seed=3).describe()
        'Runtime: virtual clock, in memory (no store), seed 3'
        """
        parts = [f"{self.clock} clock"]
        if self.start_time is not None and self.clock == "virtual":  # the real clock is now
            parts.append(f"starting {self.start_time.isoformat()}")
        parts.append(f"store {self.store}" if self.store else "in memory (no store)")
        if self.seed is not None:
            parts.append(f"seed {self.seed}")
        if self.account or self.region:
            parts.append(f"account {self.account or '-'} region {self.region or '-'}")
        if self.aws_endpoint_url:
            parts.append(f"AWS services at {self.aws_endpoint_url}")
        if self.buckets:
            parts.append("buckets " + ", ".join(f"{b}={f}" for b, f in self.buckets))
        return "Runtime: " + ", ".join(parts)


class NotebookSession:
    """The default Runtime of a notebook, its registered functions and its recent executions."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        #: Lambda stand-ins by name: what ``@sfn.function`` registered, latest definition wins.
        self.functions: dict[str, Callable[..., Any]] = {}
        #: Text of each state machine's latest ``%%asl`` cell (line numbers for diagnostics).
        self.sources: dict[str, str] = {}
        self.notes: list[str] = []  # said once to the user (e.g. why the store is not used)
        self.last_execution: Execution | None = None
        self.mocks: Any = None  # what load_mocks was given, for Runtimes built later
        self._runtime: Runtime | None = None
        self._other_clock: Runtime | None = None
        self._trampolines: dict[str, Callable[..., Any]] = {}
        self._lock = threading.RLock()

    # Runtimes ---------------------------------------------------------------------------------

    @property
    def runtime(self) -> Runtime:
        """The default Runtime, built on first use."""
        with self._lock:
            if self._runtime is None:
                self._runtime = self._build(self.settings)
            return self._runtime

    def configure(self, **changes: Any) -> Runtime:
        """Replace the Runtime with one whose settings are the current ones with ``changes``
        (:class:`Settings` fields; ``store=None`` keeps history in memory). State machines
        defined so far stay in the old store only; functions and mocks carry over.
        """
        unknown = set(changes) - set(Settings.__dataclass_fields__)
        if unknown:
            raise SfnNotebookError(f"unknown runtime settings: {', '.join(sorted(unknown))}")
        if changes.get("clock", self.settings.clock) not in CLOCKS:
            raise SfnNotebookError(f"clock must be 'virtual' or 'real', not {changes['clock']!r}")
        settings = replace(self.settings, **changes)
        runtime = self._build(settings, fallback=False)
        with self._lock:
            self._close_runtimes()
            self.settings, self._runtime = settings, runtime
            self.sources.clear()
            self.last_execution = None
        return runtime

    def runtime_for(self, clock: str | None) -> Runtime:
        """The Runtime running on ``clock``: the default one, or a companion in memory for the
        other clock (one Runtime owns one clock, and one store file has one writer)."""
        runtime = self.runtime
        if clock is None or clock == self.settings.clock:
            return runtime
        if clock not in CLOCKS:
            raise SfnNotebookError(f"clock must be 'virtual' or 'real', not {clock!r}")
        with self._lock:
            if self._other_clock is None:
                other = replace(self.settings, clock=clock, store=None)
                self._other_clock = self._build(other)
            return self._other_clock

    def runtimes(self) -> list[Runtime]:
        """Every Runtime of this session that exists, the default one first."""
        found = [self.runtime]
        if self._other_clock is not None:
            found.append(self._other_clock)
        return found

    def _build(self, settings: Settings, *, fallback: bool = True) -> Runtime:
        kwargs: dict[str, Any] = {
            "clock": settings.clock,
            "seed": settings.seed,
            "start_time": settings.start_time,
            # The notebook's runtime keeps every stage for the state inspector (ex.inspect).
            "record_stages": True,
        }
        if settings.account:
            kwargs["account"] = settings.account
        if settings.region:
            kwargs["region"] = settings.region
        if settings.aws_endpoint_url:
            kwargs["aws_endpoint_url"] = settings.aws_endpoint_url
        if settings.buckets:
            kwargs["buckets"] = dict(settings.buckets)
        try:
            runtime = Runtime(settings.store, **kwargs)
        except SfnNotebookError as exc:
            if settings.store is None or not fallback:
                raise
            # The default store is a convenience: another kernel using the same folder must
            # not stop this notebook from running, only from persisting.
            self.notes.append(f"History kept in memory: {exc}")
            runtime = Runtime(None, **kwargs)
        # Share one function table between the session's Runtimes, so registering (or
        # re-registering) a function reaches all of them at once.
        runtime.resources.functions = self._trampolines
        if self.mocks is not None:
            runtime.load_mocks(self.mocks)
        return runtime

    def load_mocks(self, source: Any) -> Any:
        """``rt.load_mocks(source)`` on every Runtime of the session, now and later."""
        loaded = None
        for runtime in self.runtimes():
            if not hasattr(runtime, "load_mocks"):
                raise SfnNotebookError("this version's Runtime has no MockConfigFile support")
            loaded = runtime.load_mocks(source)
        self.mocks = source
        return loaded

    def _close_runtimes(self) -> None:
        for runtime in (self._runtime, self._other_clock):
            if runtime is not None:
                runtime.close()
        self._runtime = self._other_clock = None

    def close(self) -> None:
        """Close the Runtimes (their store files are flushed and unlocked)."""
        with self._lock:
            self._close_runtimes()

    # Functions --------------------------------------------------------------------------------

    def function(self, name: str | Callable[..., Any] | None = None) -> Any:
        """Register a Lambda stand-in: ``@session.function`` or ``@session.function("Name")``.

        Registering a name again replaces the function, also for state machines that have
        already run (the Runtime keeps the resource it resolved; the trampoline it holds looks
        the function up on every call).
        """
        if callable(name):
            return self._register(name, name.__name__)
        if name is not None and not isinstance(name, str):
            raise SfnNotebookError(
                f"@sfn.function takes a function name (str), not {type(name).__name__}"
            )

        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            return self._register(fn, name or fn.__name__)

        return decorate

    def _register(self, fn: Callable[..., Any], name: str) -> Callable[..., Any]:
        if not callable(fn):
            raise SfnNotebookError(f"@sfn.function needs a function, not {type(fn).__name__}")
        with self._lock:
            self.functions[name] = fn
            self._trampolines[name] = _trampoline(self.functions, name, fn)
        return fn

    # Looking things up ------------------------------------------------------------------------

    def machine_names(self) -> list[str]:
        """Names of the state machines on the default Runtime."""
        listed = self.runtime.list_state_machines(maxResults=1000)["stateMachines"]
        return [m["name"] for m in listed]

    def all_executions(self) -> Iterator[tuple[Runtime, Execution]]:
        """Every execution the session's Runtimes know, newest first per state machine."""
        for runtime in self.runtimes():
            for machine in runtime.list_state_machines(maxResults=1000)["stateMachines"]:
                arn = machine["stateMachineArn"]
                for item in runtime.list_executions(stateMachineArn=arn, maxResults=1000)[
                    "executions"
                ]:
                    yield runtime, runtime.execution(item["executionArn"])

    def find_execution(self, key: str) -> tuple[Runtime, Execution]:
        """An execution by ARN or name; a name used by several state machines is ambiguous."""
        found = [(rt, ex) for rt, ex in self.all_executions() if key in (ex.arn, ex.name)]
        if not found:
            raise SfnNotebookError(f"no execution named {key!r} (see %sfn executions)")
        if len(found) > 1:
            arns = "\n  ".join(ex.arn for _, ex in found)
            raise SfnNotebookError(f"{key!r} names several executions; use an ARN:\n  {arns}")
        return found[0]

    def runtime_of(self, execution: Execution) -> Runtime:
        """The session Runtime an Execution object belongs to."""
        for runtime, known in self.all_executions():
            if known is execution:
                return runtime
        raise SfnNotebookError(f"execution {execution.name!r} is not from this notebook's Runtime")


def _trampoline(table: dict[str, Callable[..., Any]], name: str, fn: Callable[..., Any]) -> Any:
    """A stable callable for ``name`` that calls whatever ``table[name]`` is now.

    It is async when ``fn`` is, since the engine awaits coroutine functions on its loop and runs
    the others in its worker pool.
    """
    if inspect.iscoroutinefunction(fn):

        async def call_async(event: Any, context: Any) -> Any:
            result = table[name](event, context)
            return await result if inspect.isawaitable(result) else result

        wrapper: Callable[..., Any] = call_async
    else:

        def call(event: Any, context: Any) -> Any:
            return table[name](event, context)

        wrapper = call
    functools.update_wrapper(wrapper, fn)
    return wrapper


_SESSION: NotebookSession | None = None
_SESSION_LOCK = threading.Lock()


def session() -> NotebookSession:
    """The kernel's one NotebookSession.

    >>> session() is session()
    True
    """
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            _SESSION = NotebookSession()
        return _SESSION


def default_runtime() -> Runtime:
    """The notebook's default Runtime (the one the ``%sfn`` magics use)."""
    return session().runtime


def function(name: str | Callable[..., Any] | None = None) -> Any:
    """``@sfn.function`` / ``@sfn.function("Name")``: a Lambda stand-in on the default Runtime."""
    return session().function(name)
