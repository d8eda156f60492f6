"""What a Runtime knows by ARN: its state machines (with their versions) and executions.

:class:`MachineRegistry` is plain bookkeeping, thread-safe: it answers AWS's lookups
(``StateMachineDoesNotExist``, ``ExecutionDoesNotExist``, ``ExecutionAlreadyExists``) and
nothing else; creating, running and storing belong to the Runtime's other parts.

>>> registry = MachineRegistry()
>>> registry.machine("arn:aws:states:us-east-1:123456789012:stateMachine:nope")
Traceback (most recent call last):
...
sfn_notebook.runtime.exceptions.StateMachineDoesNotExist: State Machine Does Not Exist: \
'arn:aws:states:us-east-1:123456789012:stateMachine:nope'
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.runtime.exceptions import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    StateMachineDoesNotExist,
)
from sfn_notebook.runtime.identity import check_arn

if TYPE_CHECKING:
    from sfn_notebook.asl.model import Definition
    from sfn_notebook.engine.execution import ExecutionRecord
    from sfn_notebook.engine.interpreter import CompiledMachine
    from sfn_notebook.runtime.execution import Execution


@dataclass
class StateMachineVersion:
    number: int
    definition_text: str
    description: str | None
    created: datetime


@dataclass
class StateMachine:
    """A created state machine and its published versions."""

    arn: str
    name: str
    definition_text: str
    definition: Definition
    compiled: CompiledMachine
    role_arn: str
    type: str
    created: datetime
    #: "" until an UpdateStateMachine changes something: AWS names no revision before that.
    revision_id: str = ""
    versions: list[StateMachineVersion] = field(default_factory=list)
    executions: list[str] = field(default_factory=list)
    #: The highest version number ever published: numbers of deleted versions are not reused
    #: (within a Runtime's life; a reopened store knows only the versions it kept).
    highest_version: int = 0
    #: The LoggingConfiguration as given (normalised); None: AWS's default, level OFF.
    logging: dict[str, Any] | None = None


class MachineRegistry:
    """State machines and executions by ARN (see the module docstring).

    ``lock`` is re-entrant and public: a part that must check and change several entries at
    once (create-if-absent, redrive) holds it.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._machines: dict[str, StateMachine] = {}
        self._executions: dict[str, tuple[ExecutionRecord, Execution]] = {}

    # State machines ---------------------------------------------------------------------------

    def machine(self, arn: str) -> StateMachine:
        """The state machine of an ARN, qualified (``:1``, ``:alias``) or not."""
        check_arn(arn)
        base, _, qualifier = arn.partition(":stateMachine:")
        name = qualifier.split(":")[0]
        found = self._machines.get(f"{base}:stateMachine:{name}")
        if found is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        return found

    def find_machine(self, arn: str) -> StateMachine | None:
        return self._machines.get(arn)

    def add_machine(self, machine: StateMachine) -> None:
        with self.lock:
            self._machines[machine.arn] = machine

    def remove_machine(self, arn: str) -> None:
        with self.lock:
            self._machines.pop(arn, None)

    def machines(self) -> list[StateMachine]:
        return list(self._machines.values())

    # Executions -------------------------------------------------------------------------------

    def execution(self, arn: str) -> tuple[ExecutionRecord, Execution]:
        found = self._executions.get(check_arn(arn))
        if found is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        return found

    def find_execution(self, arn: str) -> tuple[ExecutionRecord, Execution] | None:
        return self._executions.get(arn)

    def add_execution(self, record: ExecutionRecord, execution: Execution) -> None:
        """Register a new execution (and list it under its state machine, when there is one);
        ExecutionAlreadyExists when its ARN is taken."""
        arn = execution.arn
        with self.lock:
            if arn in self._executions:
                raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
            self._executions[arn] = (record, execution)
            machine = self._machines.get(execution.state_machine_arn)
            if machine is not None:
                machine.executions.append(arn)

    def all_executions(self) -> list[tuple[ExecutionRecord, Execution]]:
        """Every execution, oldest first."""
        return list(self._executions.values())

    def executions_of(self, machine: StateMachine) -> Iterator[tuple[ExecutionRecord, Execution]]:
        """The executions of a state machine, newest first."""
        for arn in reversed(machine.executions):
            yield self._executions[arn]
