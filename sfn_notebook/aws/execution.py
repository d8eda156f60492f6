"""Executions that run on AWS, looking like local ones: ``RemoteExecution`` and its history reader.

A :class:`RemoteExecution` has the local :class:`~sfn_notebook.runtime.execution.Execution`'s
attributes (``arn``, ``name``, ``status``, ``output``, ``error``, ``cause``, ``history``,
``wait()``), so the analysis functions and the widgets take either.

Its history is read by a :class:`HistoryFollower`, which fetches each event once:

* the first read pages *forward* through GetExecutionHistory (1,000 events a call);
* later reads ask for the newest event only (``reverseOrder=True, maxResults=1``). When that is
  an event already known, nothing happened (one call, one event back). Otherwise its id says
  exactly how many are missing, and the same pagination token continues backwards for exactly
  that many. A server that refuses a changed ``maxResults`` under a token gets a fresh backwards
  read sized to the gap instead (one repeated event a read).

A server that ignores ``maxResults`` (moto's, unpatched) is noticed on the first tail read and
simply re-read whole; new events are still delivered once. Listeners (``listen(callback)``) get
every event once, in id order, from a background thread that polls while the execution runs:
every ``poll_interval`` seconds while events arrive, backing off to ``max_poll_interval`` while
nothing happens.

>>> TERMINAL_EVENTS["ExecutionSucceeded"]
'SUCCEEDED'
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.aws.errors import (
    AwsAccessDenied,
    AwsCredentialsError,
    AwsError,
    AwsNotFound,
    AwsRegionError,
)
from sfn_notebook.engine.listeners import Event, Listener, Listeners, call

if TYPE_CHECKING:
    from sfn_notebook.asl.model import Definition
    from sfn_notebook.aws.connection import AwsRuntime
    from sfn_notebook.render.svg import Graph

log = logging.getLogger(__name__)

TERMINAL_EVENTS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}
TERMINAL = frozenset(TERMINAL_EVENTS.values())
PAGE = 1000  # GetExecutionHistory's largest page
_TOKEN_REFUSED = {"InvalidToken", "ValidationException"}
_FATAL = (AwsAccessDenied, AwsCredentialsError, AwsNotFound, AwsRegionError)


@dataclass
class FetchStats:
    """What reading one history cost: API calls, events received, events received again."""

    calls: int = 0
    events: int = 0
    repeats: int = 0


class HistoryFollower:
    """One execution's history, read incrementally; shaped like the engine's ``History``
    (``events``, ``listen()``, ``len()``) so live readers treat local and remote alike."""

    def __init__(self, aws: AwsRuntime, arn: str, *, page_size: int = PAGE) -> None:
        self.aws = aws
        self.arn = arn
        self.page_size = page_size
        self.events: list[Event] = []
        self.stats = FetchStats()
        #: The terminal event is in (until a redrive reopens the history).
        self.complete = False
        #: False when the server ignores ``maxResults`` and sends everything (moto's server).
        self.paginates: bool | None = None
        #: What stopped background following, if an error did.
        self.error: AwsError | None = None
        self.ended = threading.Event()
        self._resize = True
        self._listeners = Listeners()
        self._fetch_lock = threading.Lock()
        # Delivery is separate from fetching: one thread delivers at a time, in id order, and a
        # listener that reads again (``ex.history``) re-enters and continues the same sequence.
        self._deliver_lock = threading.RLock()
        self._delivered = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._fetched_at = float("-inf")

    def __len__(self) -> int:
        return len(self.events)

    # Reading ----------------------------------------------------------------------------------

    def fetch(self) -> list[Event]:
        """Read what is new since the last read; returns the new events (also sent to listeners)."""
        with self._fetch_lock:
            if self.complete:
                return []
            self._fetched_at = time.monotonic()
            if not self.events:
                batch = self._forward()
            else:
                batch = self._tail(int(self.events[-1]["id"]))
            new = self._take(batch)
        self._deliver()
        return new

    def fetched_since(self) -> float:
        """Seconds since the last read (monotonic)."""
        return time.monotonic() - self._fetched_at

    def _get(self, **kwargs: Any) -> dict[str, Any]:
        self.stats.calls += 1
        page = self.aws.call("get_execution_history", executionArn=self.arn, **kwargs)
        self.stats.events += len(page["events"])
        return page

    def _forward(self) -> list[Event]:
        events: list[Event] = []
        token = None
        while True:
            page = self._get(maxResults=self.page_size, **({"nextToken": token} if token else {}))
            events.extend(page["events"])
            token = page.get("nextToken")
            if not token or not page["events"]:
                return events

    def _tail(self, last: int) -> list[Event]:
        probe = self._get(maxResults=1, reverseOrder=True)
        events = list(probe["events"])
        if len(events) > 1:  # the server ignores maxResults: this is the whole history
            self.paginates = False
            return events
        self.paginates = True
        token = probe.get("nextToken")
        if not events or int(events[0]["id"]) <= last + 1 or not token:
            return events
        missing = int(events[0]["id"]) - last - 1
        if self._resize:
            try:
                return events + self._back_exact(token, missing)
            except AwsError as exc:
                if exc.code not in _TOKEN_REFUSED:
                    raise
                self._resize = False  # this server wants one maxResults for a whole read
        return self._back_fixed(last, min(missing + 1, self.page_size))

    def _back_exact(self, token: str | None, missing: int) -> list[Event]:
        """Continue the probe's backwards read for exactly the ``missing`` events."""
        found: list[Event] = []
        while missing > 0 and token:
            page = self._get(
                maxResults=min(missing, self.page_size), reverseOrder=True, nextToken=token
            )
            if not page["events"]:
                break
            found.extend(page["events"])
            missing -= len(page["events"])
            token = page.get("nextToken")
        return found

    def _back_fixed(self, last: int, size: int) -> list[Event]:
        """A fresh backwards read with one page size, until it reaches event ``last + 1``."""
        found: list[Event] = []
        token = None
        while True:
            page = self._get(
                maxResults=size, reverseOrder=True, **({"nextToken": token} if token else {})
            )
            found.extend(page["events"])
            token = page.get("nextToken")
            if not token or not page["events"] or int(page["events"][-1]["id"]) <= last + 1:
                return found

    def _take(self, batch: list[Event]) -> list[Event]:
        known = int(self.events[-1]["id"]) if self.events else 0
        new = sorted((e for e in batch if int(e["id"]) > known), key=lambda e: int(e["id"]))
        unique = list({int(e["id"]): e for e in new}.values())
        self.stats.repeats += len(batch) - len(unique)
        for event in unique:
            self.events.append(event)
            kind = event["type"]
            if kind in TERMINAL_EVENTS:
                self.complete = True
                self.ended.set()
            elif kind == "ExecutionRedriven":
                self.complete = False
                self.ended.clear()
        return unique

    def _deliver(self) -> None:
        with self._deliver_lock:
            while self._delivered < len(self.events):
                event = self.events[self._delivered]
                self._delivered += 1
                self._listeners.dispatch(event)

    def reopen(self) -> None:
        """After a redrive: more events will come after the terminal one."""
        with self._fetch_lock:
            self.complete = False
            self.ended.clear()

    # Following --------------------------------------------------------------------------------

    def listen(self, listener: Listener, *, replay: bool = False) -> None:
        """Call ``listener(event)`` for every new event (``replay``: for those already read
        too, first); starts following in the background."""
        with self._deliver_lock:
            if replay:
                for event in self.events[: self._delivered]:
                    if not call(listener, event):
                        return
            self._listeners.add(listener)
        self.follow()

    def follow(self) -> None:
        """Poll in a background thread until the terminal event arrives (or :meth:`stop`)."""
        if self.complete or (self._thread is not None and self._thread.is_alive()):
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"sfn-follow {self.arn.rsplit(':', 1)[-1]}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    @property
    def following(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        interval = self.aws.poll_interval
        failures = 0
        while not self._stop.is_set() and not self.complete:
            try:
                new = self.fetch()
                failures = 0
            except AwsError as exc:
                self.error = exc
                failures += 1
                if isinstance(exc, _FATAL) or failures >= 5:
                    log.warning("stopped following %s: %s", self.arn, exc)
                    return
                new = []
            if new:
                interval = self.aws.poll_interval
            else:  # nothing happened: ask less often, up to the ceiling
                interval = min(interval * 1.5, self.aws.max_poll_interval)
            if self.complete:
                return
            self._stop.wait(interval)


class RemoteExecution:
    """An execution on AWS (or LocalStack, moto), with the local ``Execution``'s attributes.

    Attributes are read lazily: ``status`` and the outcome come from DescribeExecution (cached
    for ``poll_interval`` seconds while running, for good once finished), ``history`` from the
    :class:`HistoryFollower`. Get one from ``aws.start(...)``, ``aws.execution(arn)`` or
    ``aws.attach(arn)``.
    """

    def __init__(self, aws: AwsRuntime, arn: str) -> None:
        self.aws = aws
        self._arn = arn
        self._description: dict[str, Any] | None = None
        self._described_at = float("-inf")
        self._follower = HistoryFollower(aws, arn)
        self._definition: Definition | None = None
        self._definition_read = False
        self._lock = threading.Lock()

    # Identity -------------------------------------------------------------------------------

    @property
    def arn(self) -> str:
        return self._arn

    execution_arn = arn

    @property
    def name(self) -> str:
        return self._arn.rsplit(":", 1)[-1]

    @property
    def state_machine_arn(self) -> str:
        """The state machine's ARN (read from the execution ARN, so no call is made)."""
        if self._description is not None:
            return str(self._description["stateMachineArn"])
        head, _, rest = self._arn.partition(":execution:")
        return f"{head}:stateMachine:{rest.rsplit(':', 1)[0]}"

    @property
    def start_date(self) -> datetime:
        return self._describe(settled=False)["startDate"]  # type: ignore[no-any-return]

    @property
    def stop_date(self) -> datetime | None:
        return self._describe().get("stopDate")

    # Outcome --------------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """DescribeExecution's response (cached as explained in the class docstring)."""
        return dict(self._describe())

    def refresh(self) -> dict[str, Any]:
        """DescribeExecution now, whatever the cache holds."""
        response = self.aws.call("describe_execution", executionArn=self._arn)
        response.pop("ResponseMetadata", None)
        with self._lock:
            self._description = response
            self._described_at = time.monotonic()
        if response["status"] == "RUNNING" and self._follower.complete:
            self._follower.reopen()  # redriven elsewhere
        return response

    def _describe(self, *, settled: bool = True) -> dict[str, Any]:
        """The cached description, refreshed when stale (``settled``: also when the history has
        ended but the description does not know it yet)."""
        found = self._description
        if found is None:
            return self.refresh()
        if found["status"] in TERMINAL:
            return found
        stale = time.monotonic() - self._described_at >= self.aws.poll_interval
        if stale or (settled and self._follower.complete):
            return self.refresh()
        return found

    @property
    def status(self) -> str:
        if self._follower.complete and self._description is None:
            return TERMINAL_EVENTS[self._follower.events[-1]["type"]]
        return str(self._describe()["status"])

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    @property
    def input(self) -> Any:
        text = self._describe(settled=False).get("input")
        return None if text is None else json.loads(text)

    @property
    def output_json(self) -> str | None:
        return self._describe().get("output")

    @property
    def output(self) -> Any:
        """The parsed output (None unless SUCCEEDED)."""
        text = self.output_json
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError:  # moto's server writes a string result without its JSON quotes
            return text

    @property
    def error(self) -> str | None:
        return self._describe().get("error")

    @property
    def cause(self) -> str | None:
        return self._describe().get("cause")

    # History ----------------------------------------------------------------------------------

    @property
    def history(self) -> list[Event]:
        """The events so far, shaped like GetExecutionHistory's ``events``.

        Reads only what is new, and at most once per half ``poll_interval`` while running.
        """
        follower = self._follower
        if not follower.complete:
            description = self._description
            ended = description is not None and description["status"] in TERMINAL
            if (
                ended
                or not follower.events
                or follower.fetched_since() >= self.aws.poll_interval / 2
            ):
                follower.fetch()
        return list(follower.events)

    @property
    def live_history(self) -> HistoryFollower:
        """The :class:`HistoryFollower`: ``.events``, ``.listen(callback)``, ``.stats``."""
        return self._follower

    def listen(self, callback: Listener) -> None:
        """Call ``callback(event)`` for each event, those already read first, then new ones as
        a background poll reads them."""
        self._follower.listen(callback, replay=True)

    def follow(self) -> RemoteExecution:
        """Keep reading new events in the background until the execution ends."""
        self._follower.follow()
        return self

    def stop_following(self) -> None:
        self._follower.stop()

    # Waiting and control ----------------------------------------------------------------------

    def wait(self, timeout: float | None = None) -> RemoteExecution:
        """Poll DescribeExecution (backing off) until the execution ends or ``timeout`` seconds
        pass; returns ``self``. Ctrl-C stops the waiting, not the execution."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = max(self.aws.poll_interval / 4, 0.05)
        while True:
            if self.refresh()["status"] in TERMINAL:
                return self
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return self
            pause = delay if remaining is None else min(delay, remaining)
            self._follower.ended.wait(pause)  # a follower seeing the end wakes us early
            delay = min(delay * 1.5, self.aws.max_poll_interval)

    def stop(self, *, error: str | None = None, cause: str | None = None) -> RemoteExecution:
        """StopExecution (ABORTED), with an optional error and cause."""
        kwargs = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        self.aws.call("stop_execution", executionArn=self._arn, **kwargs)
        self._described_at = float("-inf")
        return self

    def redrive(self) -> RemoteExecution:
        """RedriveExecution: rerun the states that did not succeed."""
        self.aws.call("redrive_execution", executionArn=self._arn)
        self._follower.reopen()
        self.refresh()
        return self

    # Definition and display -------------------------------------------------------------------

    @property
    def definition(self) -> Definition | None:
        """The definition this execution runs (draws the graph); None when it does not parse."""
        if not self._definition_read:
            from sfn_notebook.asl.parse import parse
            from sfn_notebook.errors import SfnNotebookError

            self._definition_read = True
            found = self.aws.call("describe_state_machine_for_execution", executionArn=self._arn)
            try:
                self._definition = parse(found["definition"])
            except SfnNotebookError as exc:
                log.info("no graph for %s: %s", self._arn, exc)
        return self._definition

    def _started(self, state_machine_arn: str, start: datetime | None, input_text: str) -> None:
        """What StartExecution told us, so the first reads need no DescribeExecution."""
        if start is None:
            return
        with self._lock:
            self._description = {
                "executionArn": self._arn,
                "stateMachineArn": state_machine_arn,
                "name": self.name,
                "status": "RUNNING",
                "startDate": start,
                "input": input_text,
            }
            self._described_at = time.monotonic()

    def graph(self) -> Graph:
        """The graph coloured by this execution, as a local execution's ``graph()``:
        ``.save("run.svg")``, ``.save("run.png")``."""
        from sfn_notebook.render.export import execution_graph

        return execution_graph(self)

    def export_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """DescribeExecution (as AWS answers it) and the history events as one JSON text, written
        to ``path`` too when given."""
        from sfn_notebook.render.export import write_execution_json

        return write_execution_json(self, path)

    def __repr__(self) -> str:
        # No API call here: a repr must be cheap and must not fail offline.
        description = self._description or {}
        status = description.get("status", "?")
        parts = [f"name={self.name!r}", f"status={status!r}"]
        if status == "SUCCEEDED":
            text = description.get("output") or ""
            parts.append(f"output={text[:60] + '…' if len(text) > 60 else text}")
        elif description.get("error") is not None:
            parts.append(f"error={description['error']!r}")
        parts.append(f"events={len(self._follower.events)}")
        return f"<RemoteExecution {' '.join(parts)}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> Any:
        """Rich display: the same live ExecutionView and static graph as a local execution."""
        from sfn_notebook.notebook.display import execution_mimebundle

        return execution_mimebundle(self, include, exclude)
