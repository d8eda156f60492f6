"""What a Runtime remembers about its executions beyond memory: the store, reopening, redrive.

A :class:`Ledger` belongs to one Runtime. It writes state machines and executions to its store
(a SQLite :class:`~sfn_notebook.store.sqlite.Store`, or a
:class:`~sfn_notebook.store.memory.MemoryStore` that keeps nothing), subscribes the store to
every execution's history and sets the engine's ``on_task`` hook to the store's durable
boundary; on open it recovers interrupted executions and rebuilds the Runtime's state machines
and executions from the file. It also keeps, for every
execution, the definition it ran with: RedriveExecution reruns that definition, not a later one.

>>> import sfn_notebook as sfn
>>> rt = sfn.Runtime(clock="virtual")
>>> arn = rt.create_state_machine(name="m", definition={"StartAt": "F",
...     "States": {"F": {"Type": "Fail", "Error": "Nope"}}})["stateMachineArn"]
>>> ex = rt.start(arn).wait()
>>> sorted(rt.redrive_execution(executionArn=ex.arn))
['redriveDate']
>>> ex.wait().status, rt.describe_execution(executionArn=ex.arn)["redriveCount"]
('FAILED', 1)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.asl.parse import parse
from sfn_notebook.engine import compile_machine
from sfn_notebook.engine.execution import ExecutionRecord
from sfn_notebook.engine.frame import StopSignal
from sfn_notebook.engine.history import EVENT_LIMIT, Event, History, MapChild
from sfn_notebook.engine.maprun import MapRun
from sfn_notebook.engine.observe import Stage, StageLog
from sfn_notebook.engine.replay import replay_from_events
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.runtime.contexts import stage_log
from sfn_notebook.runtime.exceptions import ExecutionNotRedrivable
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.registry import MachineRegistry, StateMachine, StateMachineVersion
from sfn_notebook.store.memory import MemoryStore
from sfn_notebook.store.sqlite import Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from sfn_notebook.asl.model import Definition
    from sfn_notebook.engine.clock import Clock
    from sfn_notebook.engine.interpreter import CompiledMachine
    from sfn_notebook.runtime.contexts import ContextFactory
    from sfn_notebook.runtime.launcher import Launcher

REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")


class StoredHistory(History):
    """A stored execution's history, read from the store the first time it is needed; so are
    its map runs (``map_run_records`` and their children, ``map_runs``)."""

    def __init__(
        self,
        now: Callable[[], datetime],
        limit: int | None,
        load: Callable[[], list[Event]],
        count: int,
        load_runs: Callable[[], list[MapRun]] | None = None,
    ) -> None:
        self._load: Callable[[], list[Event]] | None = load
        self._loaded: list[Event] | None = None
        self._count = count
        self._load_runs = load_runs
        self._runs: dict[str, MapRun] | None = None
        self._children: dict[str, list[MapChild]] | None = None
        super().__init__(now, limit)

    def _stored_runs(self) -> None:
        if self._runs is None:
            runs = self._load_runs() if self._load_runs is not None else []
            self._runs = {run.arn: run for run in runs}
            self._children = {run.arn: run.children for run in runs}

    @property  # type: ignore[override]
    def map_run_records(self) -> dict[str, MapRun]:
        self._stored_runs()
        assert self._runs is not None
        return self._runs

    @map_run_records.setter
    def map_run_records(self, value: dict[str, MapRun]) -> None:
        if value:  # History.__init__ sets {}: stay lazy
            self._stored_runs()
            self._runs = value

    @property  # type: ignore[override]
    def map_runs(self) -> dict[str, list[MapChild]]:
        self._stored_runs()
        assert self._children is not None
        return self._children

    @map_runs.setter
    def map_runs(self, value: dict[str, list[MapChild]]) -> None:
        if value:
            self._stored_runs()
            self._children = value

    @property  # type: ignore[override]
    def events(self) -> list[Event]:
        if self._loaded is None:
            assert self._load is not None
            self._loaded, self._load = self._load(), None
        return self._loaded

    @events.setter
    def events(self, value: list[Event]) -> None:
        if value or self._load is None:  # History.__init__ sets []: stay lazy
            self._loaded = value

    def __len__(self) -> int:
        return self._count if self._loaded is None else len(self._loaded)


class StoredStageLog(StageLog):
    """A stored execution's stage record (the state inspector's), read when first needed."""

    def __init__(self, load: Callable[[], tuple[str, int, int | None] | None]) -> None:
        super().__init__()
        self._load: Callable[[], tuple[str, int, int | None] | None] | None = load

    def _loaded(self) -> None:
        if self._load is not None:
            found, self._load = self._load(), None
            if found is not None:
                text, dropped, self.limit = found
                self.load(text, dropped)

    def stages(self, state: str | None = None) -> list[Stage]:
        self._loaded()
        return super().stages(state)

    def to_json(self) -> str:
        self._loaded()
        return super().to_json()

    def __len__(self) -> int:
        self._loaded()
        return super().__len__()

    @property
    def full(self) -> bool:
        self._loaded()
        return self.dropped > 0


def live_stages(record: ExecutionRecord) -> StageLog | None:
    """The stage record an execution is adding to now (not one read back from the store)."""
    return record.stages if type(record.stages) is StageLog else None


@dataclass
class _Ran:
    """The definition an execution runs (compiled on demand) and its row in the store."""

    definition_text: str | None
    store_id: int
    definition_id: int | None = None
    compiled: CompiledMachine | None = None
    timeout_seconds: int | None = None
    redrive_date: datetime | None = None


class Ledger:
    """The Runtime's memory of state machines and executions (see the module docstring)."""

    def __init__(
        self,
        store: str | Store | None,
        *,
        clock: Clock,
        registry: MachineRegistry,
        contexts: ContextFactory,
        launcher: Launcher,
    ) -> None:
        self.clock = clock
        self.registry = registry
        self.contexts = contexts
        self.launcher = launcher
        self._ran: dict[str, _Ran] = {}
        self._definitions: dict[int, Definition | None] = {}  # stored definitions, parsed once
        self._with_stages: set[int] = set()  # stored executions with a stage record
        self._store: Store | MemoryStore
        if store is None:
            self._store = MemoryStore()
        else:
            self._store = store if isinstance(store, Store) else Store(store)
        try:
            self._load()
        except BaseException:
            self._store.close()
            raise

    @property
    def store(self) -> Store | None:
        """The SQLite store (None for a Runtime that keeps everything in memory)."""
        return self._store if isinstance(self._store, Store) else None

    def close(self) -> None:
        self._store.close()

    def settle(self, arn: str) -> None:
        """What ``Execution.wait()`` calls once an execution ended: return when its outcome is
        committed to the store (a failure to write is a warning there)."""
        ran = self._ran.get(arn)
        if ran is not None:
            self._store.settle(ran.store_id)

    def settler(self, arn: str) -> Callable[[], None] | None:
        """``Execution(settle=)`` for a new execution: None without a store (nothing to wait
        for), else :meth:`settle` of its ARN."""
        return None if self.store is None else (lambda: self.settle(arn))

    # Writing ----------------------------------------------------------------------------------

    def machine_saved(self, machine: StateMachine) -> None:
        self._store.put_state_machine(
            arn=machine.arn,
            name=machine.name,
            type=machine.type,
            role_arn=machine.role_arn,
            definition=machine.definition_text,
            revision_id=machine.revision_id,
            created=machine.created,
            updated=self.clock.now(),
        )

    def version_saved(self, machine: StateMachine) -> None:
        if machine.versions:
            v = machine.versions[-1]
            self._store.put_version(
                machine.arn, v.number, v.definition_text, v.description, v.created
            )

    def version_deleted(self, arn: str, number: int) -> None:
        self._store.delete_version(arn, number)

    def machine_deleted(self, arn: str) -> None:
        self._store.delete_state_machine(arn)

    def execution_created(self, record: ExecutionRecord, machine: StateMachine) -> None:
        ctx = record.context
        store_id = self._store.add_execution(
            arn=ctx.execution_arn,
            state_machine_arn=machine.arn,
            name=ctx.execution_name,
            input=ctx.input_text,
            start=ctx.start_time,
            definition=machine.definition_text,
            type=machine.type,
            role_arn=ctx.role_arn,
        )
        self._ran[ctx.execution_arn] = _Ran(
            machine.definition_text,
            store_id,
            compiled=machine.compiled,
            timeout_seconds=machine.definition.timeout_seconds,
        )
        self._store.track(store_id, ctx.history, live_stages(record))
        ctx.on_task = self._store.boundary

    # Reopening --------------------------------------------------------------------------------

    def _load(self) -> None:
        """Recover interrupted executions, then rebuild state machines and executions."""
        store = self._store
        store.recover(self.clock.now())
        for row in store.state_machines():
            try:
                model = parse(row["definition"])
            except SfnNotebookError as exc:
                warnings.warn(f"{store.path}: state machine {row['name']}: {exc}", stacklevel=3)
                continue
            machine = StateMachine(
                arn=row["arn"],
                name=row["name"],
                definition_text=row["definition"],
                definition=model,
                compiled=compile_machine(model),
                role_arn=row["role_arn"],
                type=row["type"],
                created=row["created"],
                revision_id=row["revision_id"],
            )
            machine.versions = [
                StateMachineVersion(v["version"], v["definition"], v["description"], v["created"])
                for v in store.versions(machine.arn)
            ]
            self.registry.add_machine(machine)
        self._with_stages = store.stage_record_ids()
        for execution_row in store.executions():
            self._load_execution(execution_row)

    def _definition(self, definition_id: int | None) -> Definition | None:
        """The parsed definition an execution ran (for its rich display), None if unreadable."""
        if definition_id is None:
            return None
        if definition_id not in self._definitions:
            text = self._store.definition(definition_id)
            try:
                self._definitions[definition_id] = None if text is None else parse(text)
            except SfnNotebookError:
                self._definitions[definition_id] = None
        return self._definitions[definition_id]

    def _load_execution(self, row: Any) -> None:
        store, row_id, arn = self._store, int(row.id), str(row.arn)
        limit = EVENT_LIMIT if row.type == "STANDARD" else None
        history = StoredHistory(
            self.clock.now,
            limit,
            lambda: store.events(row_id),
            row.event_count,
            lambda: self._map_runs(row_id, record),
        )
        context = self.contexts.reopened(
            arn=row.arn,
            name=row.name,
            machine_arn=row.state_machine_arn,
            role_arn=row.role_arn or "",
            machine_type=row.type,
            input_text=row.input,
            start_time=row.start,
            redrive_count=row.redrive_count,
            history=history,
        )
        record = ExecutionRecord(
            context,
            status=row.status,
            output_text=row.output,
            error=row.error,
            cause=row.cause,
            stop_date=row.stop,
        )
        if row_id in self._with_stages:
            record.stages = StoredStageLog(lambda: store.stage_record(row_id))
        execution = Execution(
            record,
            row.state_machine_arn,
            self._definition(row.definition_id),
            settle=lambda: self.settle(arn),
        )
        self.registry.add_execution(record, execution)
        self._ran[row.arn] = _Ran(
            None, store_id=row.id, definition_id=row.definition_id, redrive_date=row.redrive_date
        )

    def _map_runs(self, store_id: int, record: ExecutionRecord) -> list[MapRun]:
        """A reopened execution's map runs. One the store last saw running ended with its
        execution (stopped, or interrupted when the process died): AWS aborts such a map run."""
        runs = [MapRun.from_record(found) for found in self._store.map_runs(store_id)]
        for run in runs:
            if run.status == "RUNNING" and record.status != "RUNNING":
                run.status, run.stop = "ABORTED", record.stop_date
                for child in run.children:
                    if child.status == "RUNNING":
                        child.status, child.stop = "ABORTED", record.stop_date
        return runs

    # Redrive ----------------------------------------------------------------------------------

    def redrive_fields(self, record: ExecutionRecord) -> dict[str, Any]:
        """describe_execution's redriveCount, redriveDate, redriveStatus(Reason)."""
        ctx = record.context
        fields: dict[str, Any] = {"redriveCount": ctx.redrive_count}
        if ctx.state_machine_type != "STANDARD":
            fields["redriveStatus"] = "NOT_REDRIVABLE"
            return fields
        ran = self._ran.get(ctx.execution_arn)
        if ran is not None and ran.redrive_date is not None:
            fields["redriveDate"] = ran.redrive_date
        reason = self._not_redrivable(record)
        fields["redriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
        if reason:
            fields["redriveStatusReason"] = reason
        return fields

    def redrive_date(self, arn: str) -> datetime | None:
        ran = self._ran.get(arn)
        return None if ran is None else ran.redrive_date

    def _not_redrivable(self, record: ExecutionRecord) -> str | None:
        if record.status not in REDRIVABLE:
            return f"Execution is {record.status} and cannot be redriven"
        if record.context.state_machine_type != "STANDARD":
            return "Express executions cannot be redriven"
        if len(record.context.history) >= EVENT_LIMIT - 1:
            return "Execution history event limit exceeded"
        return None

    def _machine_for(self, arn: str, ran: _Ran) -> tuple[CompiledMachine, int | None]:
        if ran.compiled is None:
            text = ran.definition_text
            if text is None and ran.definition_id is not None:
                text = self._store.definition(ran.definition_id)
            if text is None:
                raise ExecutionNotRedrivable(f"The definition of '{arn}' is not in the store")
            model = parse(text)
            ran.compiled, ran.timeout_seconds = compile_machine(model), model.timeout_seconds
        return ran.compiled, ran.timeout_seconds

    def redrive(self, arn: str) -> dict[str, Any]:
        """RedriveExecution: rerun the states that did not succeed, keeping the rest."""
        record, execution = self.registry.execution(arn)
        with self.registry.lock:
            reason = self._not_redrivable(record)
            if reason:
                raise ExecutionNotRedrivable(reason)
            ran = self._ran[arn]
            compiled, timeout = self._machine_for(arn, ran)
            ctx = record.context
            ctx.replay = replay_from_events(ctx.history.events)
            ctx.redrive_count += 1
            ctx.stopped = StopSignal()
            ran.redrive_date = self.clock.now()
            record.status = "RUNNING"
            record.output_text = record.error = record.cause = record.stop_date = None
            record.abort_reason = None
            execution.mark_running()
            if self.contexts.record_stages and live_stages(record) is None:
                # Recording: the redrive adds its visits to the record kept so far.
                log = stage_log(self.contexts.limits)
                if record.stages is not None:
                    log.load(record.stages.to_json(), record.stages.dropped)
                record.stages = ctx.observer = log
            self._store.track(ran.store_id, ctx.history, live_stages(record))
            ctx.on_task = self._store.boundary
        self.launcher.launch(record, execution, compiled, timeout, redrive=True)
        return {"redriveDate": ran.redrive_date}
