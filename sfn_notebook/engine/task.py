"""Task states, and Retry/Catch, which Task, Parallel and Map share.

A Task's attempt evaluates its parameters (so ``$$.State.RetryCount`` is current), calls the
resolved resource under its timeout, and processes the result. Errors from the attempt go to the
retriers (first match decides; an exhausted match goes straight to the catchers), then the
catchers; ``States.Runtime`` fails the execution whatever the state says.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.engine.fields import POSITIVE, NumberField
from sfn_notebook.engine.history import (
    PAYLOAD_LIMIT,
    EventLimitExceeded,
    dumps,
    payload,
    unencodable,
)
from sfn_notebook.engine.interpreter import Failure, Transition, Visit, runner
from sfn_notebook.engine.pipeline import (
    Assign,
    JsonataValue,
    Payload,
    ResultPath,
    jsonata_states,
)
from sfn_notebook.engine.resources import (
    HeartbeatTimeout,
    ResourceRegistry,
    TaskCall,
    TaskFailure,
    TaskResource,
    new_task_token,
)
from sfn_notebook.engine.states import IOState
from sfn_notebook.errors import StatesError

DEFAULT_TASK_TIMEOUT = 99_999_999


def error_matches(names: tuple[str, ...], error: str) -> bool:
    """Whether a retrier's or catcher's ErrorEquals covers ``error``, with AWS's wildcards."""
    if error in names:
        return True
    if "States.ALL" in names and error != "States.Runtime":
        # AWS's recordings show States.ALL catching States.DataLimitExceeded from a task.
        return True
    return (
        "States.TaskFailed" in names
        and error != "States.Timeout"
        and not error.startswith("States.")
    )


def failure_matches(names: tuple[str, ...], failure: Failure) -> bool:
    """Whether ErrorEquals covers a failure, by its error or one of its aliases."""
    return error_matches(names, failure.error) or any(alias in names for alias in failure.aliases)


@dataclass
class Recovery:
    """What Retry and Catch make of one failure: retry (which retrier, after what delay), catch
    (which catcher, and the catcher's exit), or neither (the failure leaves the state)."""

    retry_index: int | None = None
    delay: float | None = None
    catch_index: int | None = None
    transition: Transition | None = None


class Recoverable(IOState):
    """A state with Retry and Catch; subclasses implement ``attempt``."""

    sync = False
    retryable = True

    def __init__(self, state: m.TaskState | m.ParallelState | m.MapState) -> None:
        super().__init__(state)
        self.retriers = state.retry
        self.catchers = [
            (
                catcher,
                ResultPath(catcher.result_path) if not self.jsonata else None,
                JsonataValue(catcher.output, "Output")
                if self.jsonata and "Output" in catcher.raw
                else None,
                Assign(catcher.assign, "Assign", self.jsonata) if catcher.assign else None,
            )
            for catcher in state.catch
        ]
        if not self.jsonata:
            self.result_selector = (
                Payload(state.result_selector, "ResultSelector")
                if state.result_selector is not None
                else None
            )
            self.result_path = ResultPath(state.result_path)

    async def attempt(self, visit: Visit) -> Transition:
        raise NotImplementedError

    def compile_arguments(self, state: m.TaskState | m.ParallelState) -> None:
        """Task and Parallel take JSONata Arguments, or JSONPath Parameters after InputPath."""
        if self.jsonata:
            self.arguments = (
                JsonataValue(state.arguments, "Arguments") if state.arguments is not None else None
            )
        else:
            self.parameters = (
                Payload(state.parameters, "Parameters") if state.parameters is not None else None
            )

    def effective_input(
        self, data: Any, scope: Any, note: Callable[[str, Any], None] | None = None
    ) -> Any:
        """What the work gets: Arguments, or InputPath then Parameters; ``note`` (the visit's)
        is told each stage."""
        if self.jsonata:
            value = (
                self.arguments.apply(jsonata_states(data, scope), scope) if self.arguments else data
            )
            if note is not None:
                note("afterArguments", value)
            return value
        value = self.input_path.apply(data, scope)
        if note is not None:
            note("afterInputPath", value)
        if self.parameters is not None:
            value = self.parameters.apply(value, scope)
        if note is not None:
            note("afterParameters", value)
        return value

    async def run(self, visit: Visit) -> Transition:
        counts = [0] * len(self.retriers)
        while True:
            try:
                return await self.attempt(visit)
            except EventLimitExceeded:
                raise  # the history is full: no Retry or Catch can run (see interpreter.run)
            except StatesError as raised:
                failure = self.runtime_error(visit, raised)
            if visit.note is not None:
                visit.note("error", failure.error_output())
            debugger = visit.frame.execution.debugger
            if debugger is not None and debugger.on_error and visit.key is not None:
                await debugger.on_failure(
                    visit.frame, self.name, visit.key, failure, visit.retry_count
                )
            recovery = self.recover(visit, failure, counts)
            if recovery.delay is not None:
                visit.retry_count += 1
                if recovery.delay > 0:
                    await asyncio.sleep(recovery.delay)
                if debugger is not None and self.name in debugger.retries and visit.key:
                    await debugger.before_retry(visit.frame, self.name, visit.key, visit)
                continue
            if recovery.transition is not None:
                return recovery.transition
            raise failure

    def recover(self, visit: Visit, failure: Failure, counts: list[int]) -> Recovery:
        """Apply Retry (``counts`` are the retriers' attempts so far), then Catch, to a failure.

        A failure that is not retried is reported (its failure events are written) here.
        """
        if failure.error != "States.Runtime":
            for index, retrier in enumerate(self.retriers):
                if not failure_matches(retrier.error_equals, failure):
                    continue
                if counts[index] >= retrier.max_attempts:
                    break  # an exhausted match goes straight to the catchers
                delay = retrier.interval_seconds * retrier.backoff_rate ** counts[index]
                if retrier.max_delay_seconds is not None:
                    delay = min(delay, retrier.max_delay_seconds)
                if retrier.jitter_strategy == "FULL":
                    delay = visit.frame.execution.rng.uniform(0, delay)
                counts[index] += 1
                return Recovery(retry_index=index, delay=float(delay))
        self.report(visit, failure)
        if failure.error == "States.Runtime":
            return Recovery()
        for index, (catcher, result_path, output, assign) in enumerate(self.catchers):
            if failure_matches(catcher.error_equals, failure):
                transition = self._caught(visit, catcher, result_path, output, assign, failure)
                return Recovery(catch_index=index, transition=transition)
        return Recovery()

    def _caught(
        self,
        visit: Visit,
        catcher: m.Catcher,
        result_path: ResultPath | None,
        output: JsonataValue | None,
        assign: Assign | None,
        failure: Failure,
    ) -> Transition:
        error_output = failure.error_output()
        scope = self.scope(visit)
        if self.jsonata:
            states = jsonata_states(visit.input, scope, error_output=error_output)
            value = output.apply(states, scope) if output is not None else error_output
            assigned = assign.evaluate(error_output, scope, states) if assign else None
        else:
            assert result_path is not None
            assigned = assign.evaluate(error_output, scope, None) if assign else None
            value = result_path.apply(visit.input, error_output)
            if visit.note is not None:
                visit.note("afterResultPath", value)
        return self.exit(visit, value, assigned, catcher.next)

    def finish(self, visit: Visit, scope: Any, result: Any) -> Transition:
        """ResultSelector, Assign, ResultPath and OutputPath (or Output/Assign) on a result."""
        note = visit.note
        if note is not None:
            note("result", result)
        if self.jsonata:
            states = jsonata_states(visit.input, scope, result=result)
            output = self.jsonata_output(visit, scope, states, result)
            assigned = self.assign.evaluate(result, scope, states) if self.assign else None
            return self.exit(visit, output, assigned)
        if self.result_selector is not None:
            result = self.result_selector.apply(result, scope)
        if note is not None:
            note("afterResultSelector", result)
        assigned = self.assign.evaluate(result, scope, None) if self.assign else None
        placed = self.result_path.apply(visit.input, result)
        if note is not None:
            note("afterResultPath", placed)
        return self.exit(visit, self.output_path.apply(placed, scope), assigned)


@runner("Task")
class TaskRunner(Recoverable):
    def __init__(self, state: m.TaskState) -> None:
        super().__init__(state)
        self.resource_arn = state.resource
        self.compile_arguments(state)
        self.timeout = NumberField(
            POSITIVE, "TimeoutSeconds", state.timeout_seconds, state.timeout_seconds_path
        )
        self.heartbeat = NumberField(
            POSITIVE, "HeartbeatSeconds", state.heartbeat_seconds, state.heartbeat_seconds_path
        )
        self._resource: tuple[ResourceRegistry, TaskResource] | None = None
        # ``Credentials``: the role the Task's AWS calls assume (a template, like Parameters).
        self.credentials: Payload | JsonataValue | None = None
        if state.credentials is not None:
            self.credentials = (
                JsonataValue(state.credentials, "Credentials")
                if self.jsonata
                else Payload(state.credentials, "Credentials")
            )

    def resource(self, visit: Visit) -> TaskResource:
        """The resolved Resource; kept per registry, as executions may bring their own (mocks)."""
        registry = visit.frame.execution.resources
        cached = self._resource
        if cached is not None and cached[0] is registry:
            return cached[1]
        resource = registry.resolve(self.resource_arn)
        if resource.reusable:
            self._resource = (registry, resource)
        return resource

    async def attempt(self, visit: Visit) -> Transition:
        resource = self.resource(visit)
        token = new_task_token() if resource.needs_token else None
        scope = self.scope(visit, token)
        data = visit.input
        params = self.effective_input(data, scope, visit.note)
        states = jsonata_states(data, scope) if self.jsonata else None
        timeout = self.timeout.value(data, scope, states)
        heartbeat = self.heartbeat.value(data, scope, states)
        credentials = self.task_credentials(data, scope, states)
        result = await self.call(
            visit, resource, params, timeout, heartbeat, scope, token, credentials=credentials
        )
        return self.finish(visit, scope, result)

    def task_credentials(self, data: Any, scope: Any, states: Any) -> dict[str, Any] | None:
        """The evaluated ``Credentials`` (``{"RoleArn": ...}``), or None without the field."""
        if self.credentials is None:
            return None
        if isinstance(self.credentials, JsonataValue):
            value = self.credentials.apply(states or jsonata_states(data, scope), scope)
        else:
            value = self.credentials.apply(data, scope)
        role = value.get("RoleArn") if isinstance(value, dict) else None
        if not isinstance(role, str) or not role:
            raise StatesError(
                "States.Runtime",
                f"An error occurred while executing the state '{self.name}'. The value of the "
                f"field 'Credentials.RoleArn' must be a non-empty string, not {dumps(role)}",
            )
        return {"RoleArn": role}

    async def call(
        self,
        visit: Visit,
        resource: TaskResource,
        params: Any,
        timeout: int | None,
        heartbeat: int | None,
        scope: Any,
        token: str | None,
        *,
        credentials: dict[str, Any] | None = None,
    ) -> Any:
        """Emit the scheduled/started events, invoke, emit the outcome event."""
        execution = visit.frame.execution
        history = execution.history
        cursor = visit.frame.cursor
        params_text = dumps(params)
        if resource.style == "lambda":
            details: dict[str, Any] = {"resource": self.resource_arn}
            details["input"], details["inputDetails"] = payload(params_text)
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if credentials is not None:
                details["taskCredentials"] = {"roleArn": credentials["RoleArn"]}
            history.add(
                cursor, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", details
            )
            prefix, key = "LambdaFunction", "lambdaFunction"
            started: dict[str, Any] | None = None
            tag: dict[str, Any] = {}
        elif resource.style == "activity":
            details = {"resource": self.resource_arn}
            details["input"], details["inputDetails"] = payload(params_text)
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if heartbeat is not None:
                details["heartbeatInSeconds"] = heartbeat
            history.add(cursor, "ActivityScheduled", "activityScheduledEventDetails", details)
            # ActivityStarted comes when a worker takes the task (through ``emit``).
            prefix, key = "Activity", "activity"
            started = None
            tag = {}
        else:
            tag = {"resourceType": resource.resource_type, "resource": resource.resource_name}
            details = {**tag, "region": execution.region, "parameters": params_text}
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            if heartbeat is not None:
                details["heartbeatInSeconds"] = heartbeat
            if credentials is not None:
                details["taskCredentials"] = {"roleArn": credentials["RoleArn"]}
            history.add(cursor, "TaskScheduled", "taskScheduledEventDetails", details)
            prefix, key = "Task", "task"
            started = dict(tag)
        if execution.on_task is not None:
            execution.on_task(self.name)
        if resource.style != "activity":
            history.add(
                cursor,
                f"{prefix}Started",
                f"{key}StartedEventDetails" if started else None,
                started,
            )

        def emit(suffix: str, extra: dict[str, Any] | None) -> None:
            history.add(
                cursor, f"{prefix}{suffix}", f"{key}{suffix}EventDetails", {**tag, **(extra or {})}
            )

        call = TaskCall(
            state_name=self.name,
            resource=self.resource_arn,
            payload=params,
            timeout=float(timeout if timeout is not None else DEFAULT_TASK_TIMEOUT),
            heartbeat=None if heartbeat is None else float(heartbeat),
            context=scope.context,
            region=execution.region,
            account=execution.account,
            clock=execution.clock,
            token=token,
            emit=emit,
            credentials=credentials,
        )
        try:
            result = await asyncio.wait_for(resource.invoke(call), call.timeout)
        except (asyncio.TimeoutError, TimeoutError, HeartbeatTimeout) as timed_out:
            history.add(
                cursor,
                f"{prefix}TimedOut",
                f"{key}TimedOutEventDetails",
                {**tag, "error": "States.Timeout"},
            )
            aliases = (
                ("States.HeartbeatTimeout",) if isinstance(timed_out, HeartbeatTimeout) else ()
            )
            raise Failure("States.Timeout", None, self.name, aliases=aliases) from None
        except TaskFailure as failure:
            failed = dict(tag)
            if failure.error:  # SendTaskFailure may give neither error nor cause
                failed["error"] = failure.error
            if failure.cause is not None:
                failed["cause"] = failure.cause
            history.add(
                cursor, f"{prefix}Failed", f"{key}FailedEventDetails", failed, log=failure.log
            )
            raise Failure(failure.error, failure.cause, self.name, sent=failure.sent) from None
        text = dumps(result)
        label = self.resource_arn if resource.style != "task" else resource.resource_type
        problem = unencodable(text)
        if problem is not None:
            # Not UTF-8 JSON, which AWS would not take (Python functions already fail with
            # Lambda's Runtime.MarshalError; this is any other integration's result).
            error = "States.Runtime"
            cause = f"The state/task '{label}' returned a result that is not UTF-8 JSON: {problem}."
        elif len(text) > PAYLOAD_LIMIT // 4 and len(text.encode("utf-8")) > PAYLOAD_LIMIT:
            # The result itself is over the quota: the task fails, named as AWS names it.
            error = "States.DataLimitExceeded"
            cause = (
                f"The state/task '{label}' returned a result with a size exceeding the maximum "
                "number of bytes service limit."
            )
        else:
            error = None
        if error is not None:
            history.add(
                cursor,
                f"{prefix}Failed",
                f"{key}FailedEventDetails",
                {**tag, "error": error, "cause": cause},
            )
            raise Failure(error, cause, self.name)
        succeeded = dict(tag)
        succeeded["output"], succeeded["outputDetails"] = payload(text)
        history.add(cursor, f"{prefix}Succeeded", f"{key}SucceededEventDetails", succeeded)
        return result
