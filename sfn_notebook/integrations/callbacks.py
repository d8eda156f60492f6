"""Task tokens: Tasks that wait for an answer from outside (``.waitForTaskToken``, activities).

A :class:`TaskTokens` registry belongs to one Runtime. Every token a Task waits on is a
:class:`PendingTask` in it until it is answered, times out or its execution stops; then the token
is *spent*. ``send_task_success`` / ``send_task_failure`` / ``send_task_heartbeat`` may be called
from any thread: they validate the token under a lock and hand the answer to the event loop with
``call_soon_threadsafe``. Unknown and spent tokens raise the errors AWS raises.

>>> tokens = TaskTokens()
>>> tokens.succeed("not-a-token", "{}")
Traceback (most recent call last):
...
sfn_notebook.integrations.callbacks.InvalidToken: Invalid Token: 'Invalid token'
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import OrderedDict
from typing import Any

from sfn_notebook.engine.history import dumps, payload, unencodable
from sfn_notebook.engine.resources import (
    TASK_TOKEN,
    HeartbeatTimeout,
    TaskCall,
    TaskFailure,
    TaskResource,
)
from sfn_notebook.errors import ServiceError

SPENT_REMEMBERED = 100_000  # spent tokens kept to answer TaskTimedOut rather than DoesNotExist
ERROR_LIMIT, CAUSE_LIMIT = 256, 32_768  # SendTaskFailure's field lengths


class InvalidToken(ServiceError):
    """The token is not one Step Functions could have issued."""

    code = "InvalidToken"


class TaskDoesNotExist(ServiceError):
    """The token is well formed but no task was ever waiting on it here."""

    code = "TaskDoesNotExist"


class TaskTimedOut(ServiceError):
    """The task was answered already, timed out, or its execution ended."""

    code = "TaskTimedOut"


class InvalidOutput(ServiceError):
    """SendTaskSuccess with output that is not JSON."""

    code = "InvalidOutput"


class CallbackValidationError(ServiceError):
    code = "ValidationException"


def task_failure(error: str | None, cause: str | None) -> TaskFailure:
    """A TaskFailure as SendTaskFailure reports it: error and cause may each be missing."""
    failure = TaskFailure(error or "", cause or "")
    failure.cause = cause  # type: ignore[assignment]  # None: the event has no cause field
    failure.sent = True
    return failure


class PendingTask:
    """One token a Task waits on. Created on the event loop; settled there too."""

    def __init__(self, token: str, heartbeat: float | None) -> None:
        self.token = token
        self.loop = asyncio.get_running_loop()
        self.future: asyncio.Future[Any] = self.loop.create_future()
        self.heartbeat = heartbeat
        self.last_beat = self.loop.time()
        self._beat: asyncio.Future[None] | None = None

    def settle(self, value: Any, failure: TaskFailure | None) -> None:
        if self.future.done():
            return
        if failure is not None:
            self.future.set_exception(failure)
        else:
            self.future.set_result(value)

    def abandon(self) -> None:
        """The Task no longer waits (answered, timed out, stopped). An answer already on its way
        from another thread then lands on a cancelled future, not on one whose exception nobody
        would ever retrieve ("Future exception was never retrieved")."""
        self.future.cancel()

    def beat(self) -> None:
        self.last_beat = self.loop.time()
        if self._beat is not None and not self._beat.done():
            self._beat.set_result(None)

    async def outcome(self, clock: Any, answerer: asyncio.Future[Any] | None = None) -> Any:
        """Wait for the answer; a heartbeat that does not come in time raises HeartbeatTimeout.

        The wait is external work: virtual time runs with real time until the answer comes, so
        neither the heartbeat nor any other timer fires before someone could have answered.
        Except while ``answerer``, an execution on this loop expected to answer (the child of
        ``startExecution.waitForTaskToken``), runs: the clock's rule applies to it directly.
        """
        while True:
            beat_due = None if self.heartbeat is None else self.last_beat + self.heartbeat
            self._beat = self.loop.create_future()
            wait = None if beat_due is None else max(beat_due - self.loop.time(), 0.0)
            local = answerer is not None and not answerer.done()
            waited: set[asyncio.Future[Any]] = {self.future, self._beat}
            if answerer is not None and local:
                waited.add(answerer)
            try:
                with contextlib.nullcontext() if local else clock.external():
                    await asyncio.wait(waited, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            finally:
                self._beat.cancel()
            if self.future.done():
                return self.future.result()
            if beat_due is not None and self.last_beat + self.heartbeat <= self.loop.time():  # type: ignore[operator]
                raise HeartbeatTimeout


class TaskTokens:
    """The tokens of one Runtime, answerable from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, PendingTask] = {}
        self._spent: OrderedDict[str, None] = OrderedDict()

    def open(self, pending: PendingTask) -> bool:
        """Make a token answerable (any thread); False when its task has gone already."""
        with self._lock:
            if pending.token in self._spent:
                return False
            self._pending[pending.token] = pending
            return True

    def close(self, token: str) -> None:
        """The task no longer waits (answered, timed out, stopped): the token is spent."""
        with self._lock:
            self._retire(token)

    def _retire(self, token: str) -> PendingTask | None:
        pending = self._pending.pop(token, None)
        self._spent[token] = None
        while len(self._spent) > SPENT_REMEMBERED:
            self._spent.popitem(last=False)
        return pending

    def _check(self, token: object) -> str:
        """The token, if it names a pending task; a JSON value from a workflow may be anything."""
        if not isinstance(token, str) or not TASK_TOKEN.match(token):
            raise InvalidToken("Invalid Token: 'Invalid token'")
        if token in self._spent:
            raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
        if token not in self._pending:
            raise TaskDoesNotExist("Task Does Not Exist: 'Provided task does not exist'")
        return token

    def succeed(self, token: object, output: str) -> None:
        """SendTaskSuccess: ``output`` is JSON text."""
        if not isinstance(output, str):
            raise InvalidOutput("Invalid Output: output must be JSON text")
        try:
            value = json.loads(output)
        except (ValueError, RecursionError):
            raise InvalidOutput(f"Invalid Output: '{output[:200]}'") from None
        if not output.isascii() or "\\ud" in output:
            # An unpaired surrogate, as a character or escaped ("\\udcff"): not UTF-8 JSON.
            with contextlib.suppress(ValueError, RecursionError):
                problem = unencodable(dumps(value))
                if problem:
                    raise InvalidOutput(f"Invalid Output: the output holds {problem}")
        self._answer(token, value, None)

    def fail(self, token: object, error: str | None = None, cause: str | None = None) -> None:
        """SendTaskFailure: both fields are optional, as on AWS."""
        if error is not None and len(error) > ERROR_LIMIT:
            raise CallbackValidationError(f"error is longer than {ERROR_LIMIT} characters")
        if cause is not None and len(cause) > CAUSE_LIMIT:
            raise CallbackValidationError(f"cause is longer than {CAUSE_LIMIT} characters")
        for field, text in (("error", error), ("cause", cause)):
            problem = None if text is None else unencodable(text)
            if problem:  # boto3 could not even send it: the API takes UTF-8
                raise CallbackValidationError(f"{field} holds {problem}")
        self._answer(token, None, task_failure(error, cause))

    def _answer(self, token: object, value: Any, failure: TaskFailure | None) -> None:
        with self._lock:
            pending = self._retire(self._check(token))
        assert pending is not None
        try:
            pending.loop.call_soon_threadsafe(pending.settle, value, failure)
        except RuntimeError:  # the runtime was closed meanwhile
            raise TaskDoesNotExist("Task Does Not Exist: the runtime is closed") from None

    def heartbeat(self, token: object) -> None:
        """SendTaskHeartbeat: restarts the task's HeartbeatSeconds clock."""
        with self._lock:
            pending = self._pending[self._check(token)]
        with contextlib.suppress(RuntimeError):
            pending.loop.call_soon_threadsafe(pending.beat)

    def __len__(self) -> int:
        return len(self._pending)


class CallbackResource(TaskResource):
    """``<integration>.waitForTaskToken``: call the service, then wait for the token's answer.

    The service's response is recorded as ``TaskSubmitted``; the Task's result is the output
    given to SendTaskSuccess.
    """

    needs_token = True

    def __init__(self, base: TaskResource, tokens: TaskTokens) -> None:
        self.base = base
        self.tokens = tokens
        self.resource_type = base.resource_type
        self.resource_name = f"{base.resource_name}.waitForTaskToken"

    async def invoke(self, call: TaskCall) -> Any:
        loop = asyncio.get_running_loop()
        assert call.token is not None
        # Open the token before the call: a quick worker may answer while it is in flight.
        pending = PendingTask(call.token, call.heartbeat)
        self.tokens.open(pending)
        try:
            submitted = await self.base.invoke(call)
            if call.emit is not None:
                text, details = payload(dumps(submitted))
                call.emit("Submitted", {"output": text, "outputDetails": details})
            pending.last_beat = loop.time()  # the heartbeat clock starts once submitted
            return await pending.outcome(call.clock, call.answerer)
        finally:
            self.tokens.close(call.token)
            pending.abandon()


class SyncTokenResource(TaskResource):
    """A ``.sync`` / ``.sync:2`` Task: its context object has a ``$$.Task.Token`` too.

    AWS issues a task token to Run a Job Tasks as well, and SendTaskSuccess / SendTaskFailure
    with it ends the Task before the job does (AWS-recorded in LocalStack's
    ``test_callback.py::test_sync_with_task_token``: the Task succeeds with the SendTaskSuccess
    output while the child execution still runs). Until someone answers, the job's own wait
    decides; an answer cancels that wait, as a stop or a timeout does.
    """

    needs_token = True

    def __init__(self, base: TaskResource, tokens: TaskTokens) -> None:
        self.base = base
        self.tokens = tokens
        self.style, self.reusable = base.style, base.reusable
        self.resource_type, self.resource_name = base.resource_type, base.resource_name

    async def invoke(self, call: TaskCall) -> Any:
        if call.token is None:  # a caller that issues no token (TestState's mocks)
            return await self.base.invoke(call)
        pending = PendingTask(call.token, None)  # no heartbeat clock: the job's rules apply
        self.tokens.open(pending)
        job = asyncio.ensure_future(self.base.invoke(call))
        try:
            await asyncio.wait({job, pending.future}, return_when=asyncio.FIRST_COMPLETED)
            if job.done():
                return job.result()
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await job
            return pending.future.result()
        finally:
            if not job.done():  # this Task itself was cancelled (stop, timeout)
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await job
            self.tokens.close(call.token)
            pending.abandon()
