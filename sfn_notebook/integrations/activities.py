"""Activities: Task states whose work is done by workers that poll for it.

A Task whose Resource is an activity ARN queues its input on the activity (``ActivityScheduled``);
a worker takes it with ``get_activity_task`` (``ActivityStarted``, with the worker's name) and
answers with ``send_task_success`` / ``send_task_failure`` / ``send_task_heartbeat`` and the task
token it was given. :class:`ActivityWorker` runs a Python function as such a worker in a
background thread.

>>> activities = Activities(TaskTokens(), "us-east-1", "123456789012")
>>> arn = activities.create("resize")["activityArn"]
>>> arn, activities.get_task(arn, timeout=0)
('arn:aws:states:us-east-1:123456789012:activity:resize', {})
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.resources import (
    ResourceRegistry,
    TaskCall,
    TaskResource,
    new_task_token,
)
from sfn_notebook.errors import ServiceError, SfnNotebookError, StatesError
from sfn_notebook.integrations.callbacks import PendingTask, TaskTokens

ACTIVITY_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):states:(?P<region>[\w-]+):(?P<account>\d{12}):activity:"
    r"(?P<name>[^:]+)$"
)
_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$")
LONG_POLL_SECONDS = 60.0  # GetActivityTask waits this long for a task, as on AWS


class ActivityDoesNotExist(ServiceError):
    code = "ActivityDoesNotExist"


class InvalidArn(ServiceError):
    code = "InvalidArn"


class InvalidName(ServiceError):
    code = "InvalidName"


@dataclass
class _Waiting:
    """A scheduled activity task, from ActivityScheduled until a worker takes it."""

    pending: PendingTask
    input_text: str
    started: asyncio.Event
    emit: Callable[[str, dict[str, Any] | None], None] | None

    def start(self, worker_name: str | None) -> None:  # on the loop
        if self.pending.future.done():  # the Task stopped waiting as the worker took it
            return
        if self.emit is not None:
            self.emit("Started", {"workerName": worker_name} if worker_name else None)
        self.started.set()


@dataclass
class Activity:
    arn: str
    name: str
    created: datetime
    queue: deque[_Waiting] = field(default_factory=deque)


class Activities:
    """The activities of one Runtime and the tasks waiting in them (thread-safe)."""

    def __init__(self, tokens: TaskTokens, region: str, account: str) -> None:
        self.tokens = tokens
        self.region = region
        self.account = account
        self._activities: dict[str, Activity] = {}
        self._ready = threading.Condition()

    # API ---------------------------------------------------------------------------------------

    def create(self, name: str, now: datetime | None = None) -> dict[str, Any]:
        """CreateActivity (idempotent for an existing name, as on AWS)."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidName(f"Invalid Name: '{name}'")
        arn = f"arn:aws:states:{self.region}:{self.account}:activity:{name}"
        with self._ready:
            activity = self._activities.get(arn)
            if activity is None:
                activity = Activity(arn, name, now or datetime.now(timezone.utc))
                self._activities[arn] = activity
        return {"activityArn": arn, "creationDate": activity.created}

    def describe(self, arn: str) -> dict[str, Any]:
        activity = self._get(arn)
        return {
            "activityArn": activity.arn,
            "name": activity.name,
            "creationDate": activity.created,
            "encryptionConfiguration": {"type": "AWS_OWNED_KEY"},
        }

    def list(self) -> list[dict[str, Any]]:
        """Every activity as ListActivities describes it (the runtime pages them)."""
        with self._ready:
            return [
                {"activityArn": a.arn, "name": a.name, "creationDate": a.created}
                for a in self._activities.values()
            ]

    def delete(self, arn: str) -> dict[str, Any]:
        _check_arn(arn)
        with self._ready:
            self._activities.pop(arn, None)
            self._ready.notify_all()
        return {}

    def get_task(
        self, arn: str, worker_name: str | None = None, timeout: float = LONG_POLL_SECONDS
    ) -> dict[str, Any]:
        """GetActivityTask: wait up to ``timeout`` seconds for a task; ``{}`` when none came.

        Blocks the calling thread: call it from a worker thread, never from the event loop.
        """
        end = time.monotonic() + max(timeout, 0.0)
        with self._ready:
            while True:
                activity = self._get(arn)
                while activity.queue:
                    waiting = activity.queue.popleft()
                    if self.tokens.open(waiting.pending):
                        loop = waiting.pending.loop
                        try:
                            loop.call_soon_threadsafe(waiting.start, worker_name)
                        except RuntimeError:  # the runtime is closed
                            continue
                        return {"taskToken": waiting.pending.token, "input": waiting.input_text}
                left = end - time.monotonic()
                if left <= 0:
                    return {}
                self._ready.wait(left)

    # Engine side -------------------------------------------------------------------------------

    def resolve(self, arn: str, registry: ResourceRegistry) -> TaskResource | None:
        if not ACTIVITY_ARN.match(arn):
            return None
        with self._ready:
            activity = self._activities.get(arn)
        if activity is None:
            raise StatesError("States.Runtime", f"The activity {arn} does not exist.")
        return ActivityResource(self, activity)

    def schedule(self, activity: Activity, waiting: _Waiting) -> None:
        with self._ready:
            activity.queue.append(waiting)
            self._ready.notify_all()

    def withdraw(self, activity: Activity, waiting: _Waiting) -> None:
        with self._ready, contextlib.suppress(ValueError):
            activity.queue.remove(waiting)

    def _get(self, arn: str) -> Activity:
        _check_arn(arn)
        activity = self._activities.get(arn)
        if activity is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return activity


def _check_arn(arn: Any) -> None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        raise InvalidArn(f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    if not ACTIVITY_ARN.match(arn):
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")


class ActivityResource(TaskResource):
    """An activity ARN as a Task's Resource (``Activity*`` events)."""

    style = "activity"
    reusable = False  # an activity may be deleted between attempts

    def __init__(self, activities: Activities, activity: Activity) -> None:
        self.activities = activities
        self.activity = activity

    async def invoke(self, call: TaskCall) -> Any:
        loop = asyncio.get_running_loop()
        pending = PendingTask(new_task_token(), call.heartbeat)
        waiting = _Waiting(pending, dumps(call.payload), asyncio.Event(), call.emit)
        self.activities.schedule(self.activity, waiting)
        try:
            with call.clock.external():  # a worker outside the loop may take it any time
                await waiting.started.wait()
            pending.last_beat = loop.time()  # the heartbeat clock starts with the worker
            return await pending.outcome(call.clock)
        finally:
            self.activities.withdraw(self.activity, waiting)
            self.activities.tokens.close(pending.token)
            pending.abandon()


# ------------------------------------------------------------------------------------------------
# Workers


class ActivityContext:
    """The second argument of a two-argument worker function: the token and a heartbeat."""

    def __init__(self, token: str, tokens: TaskTokens, worker_name: str | None) -> None:
        self.task_token = token
        self.worker_name = worker_name
        self._tokens = tokens

    def heartbeat(self) -> None:
        """SendTaskHeartbeat for this task."""
        self._tokens.heartbeat(self.task_token)


class ActivityWorker:
    """Runs ``fn(input)`` (or ``fn(input, context)``) for every task of an activity, in a
    background thread, and answers with its return value or the exception it raised.

    >>> from sfn_notebook import Runtime
    >>> rt = Runtime(clock="virtual")
    >>> arn = rt.create_activity(name="double")["activityArn"]
    >>> with rt.activity_worker(arn, lambda n: n * 2):
    ...     ex = rt.start(rt.create_state_machine(name="m", definition={"StartAt": "A",
    ...         "States": {"A": {"Type": "Task", "Resource": arn, "End": True}}})[
    ...         "stateMachineArn"], 21).wait(10)
    >>> ex.output
    42
    """

    def __init__(
        self,
        activities: Activities,
        arn: str,
        fn: Callable[..., Any],
        *,
        worker_name: str | None = None,
        poll_seconds: float = 1.0,
    ) -> None:
        activities.describe(arn)  # fail now, not in the thread, for an unknown activity
        self.activities = activities
        self.arn = arn
        self.fn = fn
        self.worker_name = worker_name
        self.poll_seconds = poll_seconds
        self.processed = 0
        self._with_context = _positional_count(fn) >= 2
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"activity-{arn}", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        tokens = self.activities.tokens
        while not self._stop.is_set():
            try:
                task = self.activities.get_task(self.arn, self.worker_name, self.poll_seconds)
            except SfnNotebookError:  # the activity was deleted: nothing more to do
                return
            token = task.get("taskToken")
            if not token:
                continue
            value = json.loads(task["input"])
            # The answer may find the task gone (timed out, stopped): nothing to tell anyone.
            with contextlib.suppress(SfnNotebookError):
                try:
                    if self._with_context:
                        context = ActivityContext(token, tokens, self.worker_name)
                        result = self.fn(value, context)
                    else:
                        result = self.fn(value)
                except Exception as exc:  # the worker's failure is the Task's failure
                    tokens.fail(token, type(exc).__name__, str(exc))
                else:
                    tokens.succeed(token, json.dumps(result))
            self.processed += 1

    def stop(self, timeout: float | None = None) -> None:
        """Stop polling (a task being worked on is finished first)."""
        self._stop.set()
        self._thread.join(timeout if timeout is not None else self.poll_seconds + 5)

    def __enter__(self) -> ActivityWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _positional_count(fn: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 1
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(1 for p in parameters if p.kind in kinds)
