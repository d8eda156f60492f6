"""TestState: run one state once and show what each stage of its data flow made of the input.

The response has AWS's shape: ``status`` (SUCCEEDED, FAILED, RETRIABLE when a Retry would run the
state again, CAUGHT_ERROR when a Catch takes the error), ``nextState``, ``output`` / ``error`` /
``cause``, and with ``inspectionLevel`` DEBUG or TRACE ``inspectionData``: ``input``,
``afterInputPath``, ``afterParameters`` (or ``afterArguments``), ``result``,
``afterResultSelector``, ``afterResultPath``, ``variables`` and ``errorDetails`` (the retrier's
index and backoff, or the catcher's index), every value as JSON text as AWS returns it; a Map
adds ``afterItemsPath``, ``maxConcurrency``, the tolerated failures, ``afterItemSelector`` and
``afterItemBatcher``.

The state comes alone (its name is then ``StateName``, as on AWS) or in a whole definition with
``stateName``. ``mock`` replaces the Task's call: ``{"result": "<JSON>"}`` or
``{"errorOutput": {"error": ..., "cause": ...}}``, optionally ``fieldValidationMode`` STRICT
(default), PRESENT or NONE for checking the result against the API's response shape.

A Distributed Map's ``ItemReader`` reads ``stateConfiguration.mapItemReaderData`` -- the text of
the object as it is stored (JSON, JSONL or CSV) -- instead of S3, or without it the Runtime's
buckets; its items then go through ItemSelector and ItemBatcher as in a run, while ``mock``
stands for what the child executions would have returned.

>>> from sfn_notebook.engine.resources import ResourceRegistry
>>> r = test_state(definition={"Type": "Pass", "InputPath": "$.a", "End": True},
...                input='{"a": {"b": 1}}', inspectionLevel="DEBUG", resources=ResourceRegistry())
>>> r["status"], r["output"], r["inspectionData"]["afterInputPath"]
('SUCCEEDED', '{"b":1}', '{"b":1}')
"""

from __future__ import annotations

import contextlib
import io
import json
import uuid
from collections.abc import Iterator, Mapping
from typing import IO, Any, cast

from sfn_notebook.asl.parse import load_document, parse
from sfn_notebook.asl.validate import format_definition_error
from sfn_notebook.engine import compile_machine
from sfn_notebook.engine.clock import VirtualClock
from sfn_notebook.engine.frame import ExecutionContext, Frame
from sfn_notebook.engine.history import Cursor, History, dumps
from sfn_notebook.engine.interpreter import Failure, Transition, Visit
from sfn_notebook.engine.items import BucketError, BucketStore
from sfn_notebook.engine.observe import Note
from sfn_notebook.engine.resources import ResourceRegistry, TaskCall, TaskResource
from sfn_notebook.engine.task import Recoverable, TaskRunner, failure_matches
from sfn_notebook.errors import DefinitionError, Diagnostic, StatesError
from sfn_notebook.integrations import http_trace
from sfn_notebook.integrations.aws import boto_service, operation_name, service_model
from sfn_notebook.integrations.callbacks import CallbackValidationError, task_failure
from sfn_notebook.integrations.mocks import _describe

STATE_NAME = "StateName"  # what AWS calls a state tested on its own
DATA_LIMIT = 262_144  # AWS's length limit on mapItemReaderData (and input, variables, context)
READER_DATA_TYPES = ("CSV", "JSON", "JSONL")  # the InputTypes whose objects are text
LEVELS = ("INFO", "DEBUG", "TRACE")
NO_MOCK_TYPES = ("Pass", "Fail", "Succeed", "Choice", "Wait")


class TestStateValidationError(CallbackValidationError):
    """A TestState request AWS would refuse."""

    __test__ = False  # not a pytest test class, despite its name
    code = "ValidationException"


def test_state(
    *,
    definition: str | Mapping[str, Any],
    resources: ResourceRegistry,
    roleArn: str | None = None,
    input: str | None = None,
    inspectionLevel: str = "INFO",
    revealSecrets: bool = False,
    variables: str | Mapping[str, Any] | None = None,
    stateName: str | None = None,
    mock: Mapping[str, Any] | None = None,
    context: str | Mapping[str, Any] | None = None,
    stateConfiguration: Mapping[str, Any] | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
) -> dict[str, Any]:
    """TestState with ``resources`` serving the Task (Python functions, AWS services ...).

    Runs on a private event loop with a virtual clock, in the calling thread.
    """
    if inspectionLevel not in LEVELS:
        raise TestStateValidationError(f"inspectionLevel must be one of {', '.join(LEVELS)}")
    name, document = _machine(definition, stateName)
    model = parse(document)
    state = model.states[name]
    _check_request(state.type, state.raw, roleArn, mock, revealSecrets, stateConfiguration or {})
    runner = compile_machine(model).states[name]
    given_context = _json(context, "context")
    if given_context is not None:
        _check_context(given_context, state.type, str(state.raw.get("Resource", "")))
    clock = VirtualClock()
    loop = clock.new_loop()
    # TRACE shows an HTTP Task's request and response: record them while the state runs.
    exchanges: list[dict[str, Any]] = []
    tracing = http_trace.trace() if inspectionLevel == "TRACE" else contextlib.nullcontext()
    try:
        session = _Session(runner, state.raw, clock, resources, mock, region, account)
        with tracing as recorded:
            exchanges = recorded if recorded is not None else []
            response = loop.run_until_complete(
                session.run(
                    input if input is not None else "{}",
                    roleArn,
                    _json(variables, "variables") or {},
                    given_context,
                    stateConfiguration or {},
                )
            )
    finally:
        loop.close()
    if exchanges and "inspectionData" in response:
        response["inspectionData"].update(http_trace.inspection(exchanges, reveal=revealSecrets))
    if inspectionLevel == "INFO":
        response.pop("inspectionData", None)
    return response


def _json(value: str | Mapping[str, Any] | None, field: str) -> Any:
    if value is None or isinstance(value, Mapping):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError, RecursionError):
        raise TestStateValidationError(f"{field} must be valid JSON") from None


def _machine(definition: str | Mapping[str, Any], state_name: str | None) -> tuple[str, Any]:
    """A definition that parses: the whole machine, or the lone state with stand-in targets."""
    document, problems = load_document(definition)
    if problems or not isinstance(document, dict):
        problems = problems or [
            Diagnostic("ERROR", "SCHEMA_VALIDATION_FAILED", "Expected value of type [OBJECT]", "/")
        ]
        raise DefinitionError(format_definition_error(problems), problems)
    if state_name == "":
        raise TestStateValidationError(
            "Invalid length for parameter stateName, value: 0, valid min length: 1"
        )
    if "States" in document:
        name = state_name or document.get("StartAt")
        machine = _machine_with(document, name)
        if machine is None:
            raise TestStateValidationError("State not found in definition")
        return str(name), machine
    targets = [document.get("Next"), document.get("Default")]
    for key in ("Choices", "Catch"):
        entries = document.get(key)
        if isinstance(entries, list):
            targets += [entry.get("Next") for entry in entries if isinstance(entry, Mapping)]
    states: dict[str, Any] = {STATE_NAME: document}
    for target in targets:
        if isinstance(target, str) and target != STATE_NAME:
            states[target] = {"Type": "Succeed"}
    return STATE_NAME, {"StartAt": STATE_NAME, "States": states}


def _machine_with(document: Mapping[str, Any], name: Any) -> Mapping[str, Any] | None:
    """The (sub-)machine whose States hold ``name``: AWS finds states inside a Map's
    ItemProcessor or a Parallel's branches too, and tests them in their own query language."""
    states = document.get("States")
    if not isinstance(states, Mapping):
        return None
    if isinstance(name, str) and name in states:
        return document
    for state in states.values():
        if not isinstance(state, Mapping):
            continue
        branches = state.get("Branches")
        inner = [
            state.get("ItemProcessor"),
            state.get("Iterator"),
            *(branches if isinstance(branches, list) else ()),
        ]
        for sub in inner:
            if isinstance(sub, Mapping):
                # ProcessorConfig belongs to the Map, not to a machine of its own.
                machine = {k: v for k, v in sub.items() if k != "ProcessorConfig"}
                found = _machine_with(machine, name)
                if found is not None:
                    language = state.get("QueryLanguage") or document.get("QueryLanguage")
                    if language and "QueryLanguage" not in found:
                        found = {**found, "QueryLanguage": language}
                    return found
    return None


def _check_request(
    kind: str,
    raw: Mapping[str, Any],
    role: str | None,
    mock: Mapping[str, Any] | None,
    reveal: bool,
    configuration: Mapping[str, Any],
) -> None:
    _check_reader_data(kind, raw, configuration.get("mapItemReaderData"))
    if mock is None and configuration.get("mapIterationFailureCount") is not None:
        raise TestStateValidationError(
            "TestState does not support MapIterationFailureCount when a mock is not specified."
        )
    if mock is not None:
        if kind in NO_MOCK_TYPES:
            raise TestStateValidationError(
                f"State type '{kind}' is not supported when a mock is specified"
            )
        if "result" in mock and "errorOutput" in mock:
            raise TestStateValidationError(
                "A test mock should have only one of the following fields: [result, errorOutput]."
            )
        if reveal:
            raise TestStateValidationError(
                "TestState does not support RevealSecrets when a mock is specified."
            )
        return
    if kind in ("Map", "Parallel"):
        raise DefinitionError(
            "TestState API does not support Map or Parallel states. Supported state types "
            "include: [Task, Wait, Pass, Succeed, Fail, Choice]"
        )
    if kind == "Task":
        resource = str(raw.get("Resource", ""))
        if not role:
            raise TestStateValidationError("RoleArn must be specified when testing a Task state")
        if (
            ":activity:" in resource
            or ".sync" in resource
            or resource.endswith(".waitForTaskToken")
        ):
            raise TestStateValidationError(
                "TestState supports activities and the .sync and .waitForTaskToken patterns "
                "only when a mock is specified"
            )


def _check_reader_data(kind: str, raw: Mapping[str, Any], data: Any) -> None:
    """Refuse a ``mapItemReaderData`` that no ItemReader of this state could have read."""
    if data is None:
        return
    if not isinstance(data, str):
        raise TestStateValidationError("stateConfiguration.mapItemReaderData must be a string")
    if len(data) > DATA_LIMIT:
        raise TestStateValidationError(
            "1 validation error detected: Value at 'stateConfiguration.mapItemReaderData' "
            f"failed to satisfy constraint: Member must have length less than or equal to "
            f"{DATA_LIMIT}"
        )
    reader = raw.get("ItemReader") if kind == "Map" else None
    if not isinstance(reader, Mapping):
        # AWS's wording for this case is not recorded.
        raise TestStateValidationError(
            "stateConfiguration.mapItemReaderData is only for a Map state with an ItemReader"
        )
    config = reader.get("ReaderConfig") or {}
    input_type = config.get("InputType")
    action = str(reader.get("Resource", "")).rsplit(":", 1)[-1]
    if action != "getObject" or input_type not in READER_DATA_TYPES or "ManifestType" in config:
        # One text stands for one object: listings, manifests and Parquet need more than that.
        raise TestStateValidationError(
            "sfn-notebook reads stateConfiguration.mapItemReaderData for an ItemReader with "
            "Resource arn:aws:states:::s3:getObject and InputType CSV, JSON or JSONL; this one "
            f"reads {action} with InputType {input_type}"
        )


class _ReaderData:
    """The bucket store of a TestState with ``mapItemReaderData``: that text is the object the
    ItemReader reads, whatever its Bucket and Key."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")

    def open(self, bucket: str, key: str, version_id: str | None = None) -> IO[bytes]:
        return io.BytesIO(self.data)

    def list(self, bucket: str, prefix: str = "", **extra: Any) -> Iterator[dict[str, Any]]:
        raise BucketError("NotImplemented", "mapItemReaderData stands for one object")

    def put(self, bucket: str, key: str, data: bytes | IO[bytes]) -> None:
        raise BucketError("NotImplemented", "TestState writes no objects")


_CONTEXT_FIELDS = {
    "Execution": ("Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"),
    "State": ("EnteredTime", "Name", "RetryCount"),
    "StateMachine": ("Id", "Name"),
    "Task": ("Token",),
}
_CONTEXT_STRINGS = ("Id", "Name", "RoleArn", "StartTime", "EnteredTime", "Token", "RedriveTime")


def _check_context(context: Any, kind: str, resource: str) -> None:
    """Refuse a context object AWS's TestState would refuse."""

    def bad(problem: str) -> TestStateValidationError:
        return TestStateValidationError(f"Invalid Context object provided: {problem}")

    if not isinstance(context, Mapping):
        raise bad("The context object must be a JSON object")
    for key, value in context.items():
        if key == "Map":
            raise bad("'Map' field is not supported when mocking a Context object")
        if key not in _CONTEXT_FIELDS:
            raise bad(f"Field '{key}' is not allowed")
        if not isinstance(value, Mapping):
            raise bad(f"{key} must be an object")
        for field, item in value.items():
            if field not in _CONTEXT_FIELDS[key]:
                raise bad(f"Field '{field}' is not allowed")
            if field in _CONTEXT_STRINGS and not isinstance(item, str):
                raise bad(f"{key}.{field} must be a string")
    patterns = (".sync", ".waitForTaskToken")
    if "Task" in context and not (kind == "Task" and any(p in resource for p in patterns)):
        raise bad(
            "Context object contains 'Task' when state is not a Task state with a '.sync' or "
            "'.waitForTaskToken' service integration pattern"
        )


class _TestFrame(Frame):
    """A Frame whose context object is TestState's: the ``context`` given, exactly, or the
    engine's with the state named ``StateName`` (AWS's name for the state under test)."""

    __slots__ = ("given_context",)

    def __init__(self, *args: Any, given_context: Mapping[str, Any] | None) -> None:
        super().__init__(*args)
        self.given_context = given_context

    def scope(
        self,
        state_name: str,
        entered: Any,
        retry_count: int | None = None,
        token: str | None = None,
    ) -> Any:
        given = self.given_context
        if given is None:
            return super().scope(STATE_NAME, entered, retry_count, token)
        scope = super().scope(state_name, entered, retry_count, token)
        scope.__dict__["context"] = json.loads(json.dumps(given))  # the cached context
        return scope


class _MockResource(TaskResource):
    """The Task's call, answered by TestState's ``mock``."""

    def __init__(self, arn: str, base: TaskResource | None, value: Any, error: Any) -> None:
        if base is not None:
            self.style, self.resource_type = base.style, base.resource_type
            self.resource_name = base.resource_name
        else:
            self.style, self.resource_type, self.resource_name = _describe(arn)
        self.needs_token = arn.endswith(".waitForTaskToken")  # $$.Task.Token in Parameters
        self.value, self.error = value, error

    async def invoke(self, call: TaskCall) -> Any:
        if self.error is not None:
            raise task_failure(self.error.get("error"), self.error.get("cause"))
        return self.value


# The stages AWS's inspectionData shows (engine/observe.py names them so).
_INSPECTED = frozenset(
    (
        "input",
        "afterInputPath",
        "afterParameters",
        "afterArguments",
        "afterItemsPath",
        "maxConcurrency",
        "toleratedFailureCount",
        "toleratedFailurePercentage",
        "afterItemSelector",
        "afterItemBatcher",
        "result",
        "afterResultSelector",
        "afterResultPath",
    )
)


class _Inspection:
    """The stage observer of a TestState run: the stages AWS shows, as JSON text, except
    ``maxConcurrency`` and the tolerated failures, which AWS gives as numbers."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def stage(self, *, stage: str, value: Any, **future_kwargs: Any) -> None:
        if stage in _INSPECTED:
            numeric = stage.startswith(("max", "tolerated"))
            self.data[stage] = value if numeric else dumps(value)


class _Session:
    """One TestState run: the engine's runner, observed."""

    def __init__(
        self,
        runner: Any,
        raw: Mapping[str, Any],
        clock: VirtualClock,
        resources: ResourceRegistry,
        mock: Mapping[str, Any] | None,
        region: str,
        account: str,
    ) -> None:
        self.runner = runner
        self.raw = raw
        self.clock = clock
        self.resources = resources
        self.mock = mock
        self.region, self.account = region, account
        self.observed = _Inspection()
        self.inspection = self.observed.data

    async def run(
        self,
        input_text: str,
        role: str | None,
        variables: dict[str, Any],
        context: Any,
        configuration: Mapping[str, Any],
    ) -> dict[str, Any]:
        try:
            data = json.loads(input_text)
        except (TypeError, ValueError, RecursionError):
            raise TestStateValidationError("input must be valid JSON") from None
        machine, execution = f"TestState-{uuid.uuid4()}", str(uuid.uuid4())
        ctx = ExecutionContext(
            clock=self.clock,
            history=History(self.clock.now, None),
            execution_arn=f"arn:aws:states:{self.region}:{self.account}:express:{machine}:{execution}",
            execution_name=execution,
            state_machine_arn=f"arn:aws:states:{self.region}:{self.account}:stateMachine:{machine}",
            state_machine_name=machine,
            role_arn=cast(str, role),  # AWS shows null when no role was given
            account=self.account,
            region=self.region,
            input_text=input_text,
            input_value=data,
            start_time=self.clock.now(),
            resources=self.resources,
            state_machine_type="EXPRESS",
            observer=self.observed,
        )
        frame = _TestFrame(ctx, Cursor(), dict(variables), given_context=context)
        visit = Visit(frame, data, dumps(data), 2, 1, self.clock.now())
        retries = int(configuration.get("retrierRetryCount", 0) or 0)
        visit.retry_count = retries
        visit.note = Note(ctx, self.runner.name, visit)
        visit.note("input", data)
        response: dict[str, Any] = {}
        try:
            step = await self.step(visit, configuration)
        except StatesError as raised:
            failure = self.runner.runtime_error(visit, raised)
            response.update(self.failed(visit, failure, retries))
        else:
            response["output"] = step.text if step.text is not None else dumps(step.output)
            if step.next is not None:
                response["nextState"] = step.next
            response["status"] = "SUCCEEDED"
        if frame.variables and (self.raw.get("Assign") is not None or variables):
            self.inspection["variables"] = dumps(dict(frame.variables))
        response["inspectionData"] = self.inspection
        return dict(sorted(response.items()))

    def failed(self, visit: Visit, failure: Failure, retries: int) -> dict[str, Any]:
        response: dict[str, Any] = {"error": failure.error}
        if failure.cause_or_none is not None:
            response["cause"] = failure.cause_or_none
        runner = self.runner
        if not isinstance(runner, Recoverable):
            response["status"] = "FAILED"
            return response
        recovery = runner.recover(visit, failure, [retries] * len(runner.retriers))
        if recovery.retry_index is not None:
            assert recovery.delay is not None
            self.inspection["errorDetails"] = {
                "retryBackoffIntervalSeconds": int(recovery.delay),
                "retryIndex": recovery.retry_index,
            }
            response["status"] = "RETRIABLE"
        elif recovery.transition is not None:
            self.inspection["errorDetails"] = {"catchIndex": recovery.catch_index}
            transition = recovery.transition
            response["output"] = transition.text or dumps(transition.output)
            if transition.next is not None:
                response["nextState"] = transition.next
            response["status"] = "CAUGHT_ERROR"
        else:
            exhausted = _exhausted_retrier(runner, failure)
            if exhausted is not None:  # AWS names the retrier that has no attempts left
                self.inspection["errorDetails"] = {"retryIndex": exhausted}
            response["status"] = "FAILED"
        return response

    async def step(self, visit: Visit, configuration: Mapping[str, Any]) -> Transition:
        """One attempt of the state (Retry and Catch are judged by ``failed``)."""
        runner = self.runner
        kind = runner.state.type
        if kind == "Task":
            if self.mock is not None:
                _MockRegistry.install(visit, runner, self.mock)
            return cast(Transition, await runner.attempt(visit))
        if kind in ("Map", "Parallel"):
            return self.mocked_result(visit, configuration)
        if kind == "Pass" and not runner.jsonata:
            return self.pass_state(visit)
        if kind == "Fail" and not runner.jsonata and "input" in self.inspection:
            # A Fail state has no InputPath, yet AWS shows the stage: the input as it came
            # (recorded: test_base_inspection_level_debug[BASE_FAIL_STATE]).
            self.inspection["afterInputPath"] = self.inspection["input"]
        if runner.sync:
            return cast(Transition, runner.run_sync(visit))
        return cast(Transition, await runner.run(visit))

    def pass_state(self, visit: Visit) -> Transition:
        """AWS shows a JSONPath Pass's Result as ``result`` (without the stages before it), or
        the effective input as ``afterParameters``; either is ``afterResultSelector`` too."""
        step = cast(Transition, self.runner.run_sync(visit))
        inspection = self.inspection
        result = inspection.pop("result")
        if self.runner.has_result:
            inspection.pop("afterInputPath")
            inspection.pop("afterParameters")
            inspection["result"] = result
        inspection["afterResultSelector"] = result
        return step

    def mocked_result(self, visit: Visit, configuration: Mapping[str, Any]) -> Transition:
        """A Map or Parallel state: the mock stands for what its branches would have made."""
        runner = self.runner
        assert self.mock is not None
        scope = runner.scope(visit)
        error = self.mock.get("errorOutput")
        value = None if error is not None else _mock_value(self.mock.get("result"))
        writer = runner.state.type == "Map" and runner.map_state.result_writer is not None
        if error is None:  # the request's checks come before the state runs
            if writer and not isinstance(value, dict):
                raise TestStateValidationError("Mocked result must be a JSON object.")
            if not writer and not isinstance(value, list):
                raise TestStateValidationError("Mocked result must be an array.")
            parallel = runner.state.type == "Parallel"
            if parallel and isinstance(value, list) and len(value) != len(runner.branches):
                raise TestStateValidationError(
                    "Mocked result must contain the same number of items as number of Parallel "
                    "branches."
                )
        tolerance: tuple[Any, Any] = (None, None)
        if runner.state.type == "Map":
            items, effective, _limit = runner.prepare(visit, scope)
            tolerance = runner.tolerated(visit, effective, scope)
            if runner.reader is not None:
                items = self.read_items(runner, effective, scope, configuration)
            runner.iteration_inputs(visit, scope, effective, items)
        if error is not None:
            # The mock stands for the iterations' failure: its cause comes unprefixed.
            raise Failure(error.get("error") or "", error.get("cause"))
        failed = configuration.get("mapIterationFailureCount")
        if runner.state.type == "Map" and failed is not None:
            if isinstance(value, list) and failed > len(value):
                raise TestStateValidationError(
                    "Map iteration failure count must be less than or equal to the number of "
                    "Map iterations"
                )
            count, percentage = tolerance
            total = len(value) if isinstance(value, list) else 0
            allowed = [count] if count is not None else []
            if percentage is not None:
                allowed.append(total * percentage / 100)
            # Without ToleratedFailure* AWS does not judge the failures at all.
            if allowed and failed > max(allowed):
                raise Failure(
                    "States.ExceedToleratedFailureThreshold",
                    "The specified tolerated failure threshold was exceeded",
                )
        step = cast(Transition, runner.finish(visit, scope, value))
        self.inspection.pop("result", None)  # AWS does not show a Map's or Parallel's result
        return step

    def read_items(
        self, runner: Any, effective: Any, scope: Any, configuration: Mapping[str, Any]
    ) -> list[Any]:
        """The ItemReader's items: from ``mapItemReaderData``, else from the buckets (as AWS
        reads S3 with the role). Failures are ``States.ItemReaderFailed``, as in a run."""
        data = configuration.get("mapItemReaderData")
        store: BucketStore | None = (
            _ReaderData(data) if data is not None else self.resources.buckets
        )
        return list(runner.reader.prepare(effective, scope).items(store))


class _MockRegistry(ResourceRegistry):
    """Resolves the Task's Resource to TestState's ``mock``."""

    def __init__(self, resource: TaskResource) -> None:
        super().__init__()
        self.mocked = resource

    def resolve(self, resource: str) -> TaskResource:
        return self.mocked

    @classmethod
    def install(cls, visit: Visit, runner: TaskRunner, mock: Mapping[str, Any]) -> None:
        try:
            base: TaskResource | None = runner.resource(visit)
        except StatesError:
            base = None
        value = None
        if "result" in mock:
            value = _mock_value(mock["result"])
            mode = str(mock.get("fieldValidationMode") or "STRICT")
            if mode != "NONE":
                check_mock_result(runner.resource_arn, value, strict=mode == "STRICT")
        mocked = _MockResource(runner.resource_arn, base, value, mock.get("errorOutput"))
        visit.frame.execution.resources = cls(mocked)


def _exhausted_retrier(runner: Any, failure: Failure) -> int | None:
    if failure.error == "States.Runtime":
        return None
    for index, retrier in enumerate(runner.retriers):
        if failure_matches(retrier.error_equals, failure):
            return index
    return None


def _mock_value(text: Any) -> Any:
    if not isinstance(text, str):
        raise TestStateValidationError("Mocked result must be valid JSON")
    try:
        return json.loads(text)
    except ValueError:
        raise TestStateValidationError("Mocked result must be valid JSON") from None


# ------------------------------------------------------------------------------------------------
# fieldValidationMode: a mocked result against the API's response shape

_OPTIMIZED_SHAPES = {
    "lambda:invoke": ("lambda", "Invoke"),
    "dynamodb:getItem": ("dynamodb", "GetItem"),
    "dynamodb:putItem": ("dynamodb", "PutItem"),
    "dynamodb:updateItem": ("dynamodb", "UpdateItem"),
    "dynamodb:deleteItem": ("dynamodb", "DeleteItem"),
    "sns:publish": ("sns", "Publish"),
    "sqs:sendMessage": ("sqs", "SendMessage"),
    "events:putEvents": ("events", "PutEvents"),
    "states:startExecution": ("stepfunctions", "StartExecution"),
    "states:startExecution.sync": ("stepfunctions", "DescribeExecution"),
    "states:startExecution.sync:2": ("stepfunctions", "DescribeExecution"),
}


def check_mock_result(arn: str, value: Any, *, strict: bool) -> None:
    """Raise TestStateValidationError when ``value`` does not fit the API's response shape.

    STRICT (``strict``) also wants the required fields; fields the API does not know are fine.
    """
    shape = _output_shape(arn)
    if shape is not None:
        _check(value, shape, None, strict)


def _output_shape(arn: str) -> Any:
    _style, kind, action = _describe(arn)
    if kind.startswith("aws-sdk:"):
        boto = boto_service(kind.split(":", 1)[1])
        op = operation_name(service_model(boto), action) if boto else None
        return service_model(boto).operation_model(op).output_shape if op else None
    found = _OPTIMIZED_SHAPES.get(f"{kind}:{action.removesuffix('.waitForTaskToken')}")
    if found is None:
        return None
    return service_model(found[0]).operation_model(found[1]).output_shape


def _check(value: Any, shape: Any, name: str | None, strict: bool) -> None:
    kind = shape.type_name
    label = f"Field '{name}'"

    def bad(problem: str) -> TestStateValidationError:
        return TestStateValidationError(f"Mock result schema validation error: {problem}")

    if kind == "structure":
        if not isinstance(value, Mapping):
            if name is None:
                raise bad("The mocked result must be a JSON object")
            raise bad(f"{label} must be an object")
        members = {key[:1].upper() + key[1:]: member for key, member in shape.members.items()}
        if strict:
            for required in shape.required_members:
                pascal = required[:1].upper() + required[1:]
                if pascal not in value:
                    raise bad(f"Required field '{pascal}' is missing")
        for key, item in value.items():
            member = members.get(key)
            # Lambda's Payload is any JSON in Step Functions, not the API's blob.
            if (
                member is not None
                and item is not None
                and not (key == "Payload" and member.type_name == "blob")
            ):
                _check(item, member, key, strict)
    elif kind == "list":
        if not isinstance(value, list):
            raise bad(f"{label} must be an array")
        for item in value:
            _check(item, shape.member, name, strict)
    elif kind == "map":
        if not isinstance(value, Mapping):
            raise bad(f"{label} must be an object")
    elif kind in ("string", "blob", "timestamp"):
        if not isinstance(value, str):
            raise bad(f"{label} must be a string")
        if getattr(shape, "enum", None) and value not in shape.enum:
            raise bad(f"{label} is not an expected value")
        minimum = shape.metadata.get("min")
        if minimum is not None and len(value) < minimum:
            raise bad(f"{label} is smaller than the minimum length")
    elif kind in ("integer", "long", "float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad(f"{label} must be a number")
        minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
        if minimum is not None and value < minimum:
            raise bad(f"{label} is less than the minimum value")
        if maximum is not None and value > maximum:
            raise bad(f"{label} exceeds the maximum value")
    elif kind == "boolean" and not isinstance(value, bool):
        raise bad(f"{label} must be a boolean")


test_state.__test__ = False  # type: ignore[attr-defined]  # an API, not a pytest test
