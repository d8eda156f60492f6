"""Fault injection: run a workflow once per (Task state, error it can raise) and see what
happens to the fault: retried, caught, or failing the execution.

Each run makes one Task throw the error on every invocation (a MockConfigFile ``Throw``, so the
fault goes through the real Retry and Catch machinery, backoff on the virtual clock included);
every other Task is served as usual: by ``functions``, or by the test case ``test_case`` of
``mocks``. The errors tried for a Task are those its own Retry/Catch clauses name, the errors
every Task can end with (``States.Timeout``, ``States.TaskFailed``) and the service's own errors
for its resource (``Lambda.ServiceException`` ...). Wildcards (``States.ALL``) are not injected.
A ``States.Timeout`` is thrown like any error (a TaskFailed event, where AWS would record
TaskTimedOut): Retry and Catch treat it by name either way, which is what is being tested.

>>> flow = {"StartAt": "Charge", "States": {"Charge": {"Type": "Task",
...     "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
...     "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Refund"}], "End": True},
...     "Refund": {"Type": "Pass", "End": True}}}
>>> outcomes = fault_outcomes(flow, functions={"charge": lambda event, context: {}})
>>> [(o.error, o.outcome) for o in outcomes if o.error.startswith("States.")]
[('States.TaskFailed', 'caught'), ('States.Timeout', 'failed')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sfn_notebook.asl import model as m
from sfn_notebook.engine.resources import LAMBDA_ARN, SERVICE_ARN
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.integrations.mocks import MockConfig, MockedResponse

if TYPE_CHECKING:
    import pandas as pd

    from sfn_notebook.integrations.aws import ErrorNaming

FAULT_CASE = "sfn-notebook-fault"
_FAULT_RESPONSE = "sfn-notebook-fault"
_WILDCARDS = {"States.ALL"}
_ALWAYS = ("States.TaskFailed", "States.Timeout")
# The errors AWS documents for Lambda invocations (the console's default Retry lists them).
_LAMBDA = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
FAULT_COLUMNS = (
    "state",
    "error",
    "outcome",
    "retries",
    "caught_by",
    "next_state",
    "execution_status",
    "execution_error",
)


@dataclass(frozen=True)
class FaultOutcome:
    """What one injected fault did.

    ``outcome`` is ``caught`` (a Catch took over: the failing state's own, or an enclosing
    Parallel's or Map's, named by ``caught_by``), ``failed`` (the execution failed with it,
    after ``retries`` retries) or ``not reached`` (the run never entered the state). An
    execution that fails for another reason after the catch reports ``caught`` all the same;
    ``execution_status`` tells.
    """

    state: str
    error: str
    outcome: str
    retries: int
    caught_by: str | None
    next_state: str | None
    execution_status: str
    execution_error: str | None


def service_errors(resource: str) -> tuple[str, ...]:
    """The service's own errors a Task on ``resource`` can end with (empty when unknown).

    >>> service_errors("arn:aws:states:::lambda:invoke")[0]
    'Lambda.ServiceException'
    >>> service_errors("arn:aws:states:::aws-sdk:comprehend:detectSentiment")
    ('Comprehend.ComprehendException',)
    """
    from sfn_notebook.integrations.services import V1_NAMING

    if LAMBDA_ARN.match(resource):
        return _LAMBDA
    match = SERVICE_ARN.match(resource)
    if match is None:
        return ()
    service = match.group("service")
    if service == "lambda":
        return _LAMBDA
    naming: ErrorNaming | None
    if service == "aws-sdk":  # named as the integration names an error the API does not model
        from sfn_notebook.integrations.aws import boto_service, sdk_naming, service_model

        boto = boto_service(match.group("action").partition(":")[0])
        if boto is None:
            return ()
        naming = sdk_naming(service_model(boto).service_id)
    else:
        naming = V1_NAMING.get(service)
    return () if naming is None else (f"{naming.prefix}.{naming.generic}",)


def task_faults(state: m.TaskState) -> list[str]:
    """The errors injected into one Task: its clauses' errors, the States errors, the service's."""
    clauses: list[m.Retrier | m.Catcher] = [*state.retry, *state.catch]
    named = [error for c in clauses for error in c.error_equals if error not in _WILDCARDS]
    resource = state.resource if isinstance(state.resource, str) else ""
    return list(dict.fromkeys([*named, *_ALWAYS, *service_errors(resource)]))


def fault_outcomes(
    definition: Any,
    input: Any = None,
    *,
    functions: Mapping[str, Callable[..., Any]] | None = None,
    mocks: Any = None,
    test_case: str | None = None,
    state_machine_name: str | None = None,
    states: Iterable[str] | None = None,
    errors: Iterable[str] | None = None,
) -> list[FaultOutcome]:
    """Inject every fault (see the module docstring) and report each one's outcome.

    ``states`` limits the Tasks, ``errors`` replaces the errors tried for each of them.
    """
    from sfn_notebook.asl.parse import parse
    from sfn_notebook.render.attempts import state_attempts
    from sfn_notebook.runtime.run import run

    model = definition if isinstance(definition, m.Definition) else parse(definition)
    base = None if mocks is None else MockConfig.load(mocks)
    machine = state_machine_name or _machine_of(base) or "sfn-notebook-faults"
    base_states: dict[str, str] = {}
    if base is not None and test_case is not None:
        base_states = dict(base.machines.get(machine, {}).get(test_case) or {})
        if not base_states and test_case not in base.machines.get(machine, {}):
            base.test_case(machine, test_case)  # raises MockTestCaseNotFound with AWS's words
    tasks = [s for s in model.walk() if isinstance(s, m.TaskState)]
    if states is not None:
        wanted = set(states)
        unknown = wanted - {t.name for t in tasks}
        if unknown:
            raise SfnNotebookError(f"no Task state named {', '.join(sorted(unknown))}")
        tasks = [t for t in tasks if t.name in wanted]
    chosen = None if errors is None else list(errors)
    found = []
    for task in tasks:
        for error in chosen if chosen is not None else task_faults(task):
            config = _config(base, machine, {**base_states, task.name: _FAULT_RESPONSE}, error)
            execution = run(
                model,
                input,
                functions=functions,
                mocks=config,
                test_case=FAULT_CASE,
                state_machine_name=machine,
            )
            visits = state_attempts(execution.history, model)
            found.append(_outcome(task.name, error, visits, execution))
    return found


def inject_faults(definition: Any, input: Any = None, **options: Any) -> pd.DataFrame:
    """:func:`fault_outcomes` as a DataFrame, one row per (Task, error); the columns are
    ``FAULT_COLUMNS``. The unhandled faults are the rows whose ``outcome`` is ``failed``.

    >>> flow = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True,
    ...     "Resource": "arn:aws:states:::lambda:invoke",
    ...     "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]}}}
    >>> inject_faults(flow, errors=["Boom"])[["state", "outcome", "retries"]].to_dict("records")
    [{'state': 'T', 'outcome': 'failed', 'retries': 2}]
    """
    import pandas as pd

    rows = [
        tuple(getattr(o, c) for c in FAULT_COLUMNS)
        for o in fault_outcomes(definition, input, **options)
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(FAULT_COLUMNS))
    frame["retries"] = frame["retries"].astype("int64")
    return frame


def fault_graph(definition: Any, faults: Any, *, title: str = "") -> Any:
    """The faults on the state machine's graph (a static snapshot that displays itself): each
    Task red when a fault fails the execution, orange when every fault is caught, with the
    errors that fail, are caught or retried; Catch edges bold with the faults they caught.

    ``faults`` is what :func:`inject_faults` (a DataFrame) or :func:`fault_outcomes` returned.

    >>> flow = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True,
    ...     "Resource": "arn:aws:states:::lambda:invoke"}}}
    >>> fault_graph(flow, inject_faults(flow, errors=["Boom"]))
    1 faults injected, 1 fail the execution — red: a fault fails the execution · ...
    """
    from sfn_notebook.render.overlay import fault_graph as draw

    rows = faults.to_dict("records") if hasattr(faults, "to_dict") else list(faults)
    return draw(definition, rows, title=title)


def _machine_of(config: MockConfig | None) -> str | None:
    if config is not None and len(config.machines) == 1:
        return next(iter(config.machines))
    return None


def _config(
    base: MockConfig | None, machine: str, states: dict[str, str], error: str
) -> MockConfig:
    """A mock configuration whose one test case throws ``error`` from the faulty Task."""
    config = MockConfig({})
    config.responses = dict(base.responses) if base is not None else {}
    cause = f"fault injected by sfn-notebook: {error}"
    # One response: once they are used up, the last one answers again, so every retry fails too.
    config.responses[_FAULT_RESPONSE] = [
        MockedResponse(0, 0, "Throw", {"Error": error, "Cause": cause})
    ]
    config.machines = {machine: {FAULT_CASE: states}}
    return config


def _outcome(state: str, error: str, visits: list[Any], execution: Any) -> FaultOutcome:
    mine = [v for v in visits if v.name == state]
    status, failure = execution.status, execution.error
    if not mine:
        return FaultOutcome(state, error, "not reached", 0, None, None, status, failure)
    visit = mine[0]
    retries = visit.retries
    catcher = visit if visit.status == "CAUGHT_ERROR" else None
    if catcher is None:  # an enclosing Parallel or Map may have caught it
        enclosing = {name for name, _ in visit.path}
        catcher = next(
            (v for v in visits if v.name in enclosing and v.status == "CAUGHT_ERROR"), None
        )
    if catcher is not None:
        after = _next_after(visits, catcher)
        return FaultOutcome(state, error, "caught", retries, catcher.name, after, status, failure)
    return FaultOutcome(state, error, "failed", retries, None, None, status, failure)


def _next_after(visits: list[Any], visit: Any) -> str | None:
    """The state entered after ``visit`` in the same line of work."""
    later = [v for v in visits if v.key > visit.key and v.path == visit.path]
    return later[0].name if later else None
