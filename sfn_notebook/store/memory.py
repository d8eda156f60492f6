"""The store of a Runtime without a file: it keeps nothing beyond the Runtime's own memory.

:class:`MemoryStore` answers the calls the Runtime's ledger makes on a
:class:`~sfn_notebook.store.sqlite.Store`, so the ledger is written once, as a listener over
"a store", with no branch for the in-memory case. Writes are dropped (the Runtime's registry
holds the state machines and executions), reads find nothing to reopen, and there is no
durable boundary before a Task (``boundary`` is None, so the engine's hook stays unset).

>>> store = MemoryStore()
>>> store.add_execution(arn="arn:x"), store.add_execution(arn="arn:y"), store.executions()
(1, 2, [])
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sfn_notebook.engine.history import Event, History
    from sfn_notebook.store.rows import ExecutionRow

__all__ = ["MemoryStore"]


class MemoryStore:
    """A :class:`~sfn_notebook.store.sqlite.Store` that keeps nothing (see the module)."""

    path = ":memory:"
    boundary = None  # no durable boundary before a Task

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    # Writing: dropped (the Runtime's registry is the only copy) ------------------------------

    def put_state_machine(self, **fields: Any) -> None:
        pass

    def put_version(
        self, arn: str, number: int, definition: str, description: str | None, created: datetime
    ) -> None:
        pass

    def delete_version(self, arn: str, number: int) -> None:
        pass

    def delete_state_machine(self, arn: str) -> None:
        pass

    def add_execution(self, **fields: Any) -> int:
        return next(self._ids)

    def track(self, execution_id: int, history: History, stages: Any = None) -> None:
        pass

    def settle(self, execution_id: int) -> None:
        pass

    def close(self) -> None:
        pass

    # Reading: nothing to reopen -------------------------------------------------------------

    def recover(self, now: datetime) -> list[str]:
        return []

    def state_machines(self) -> list[dict[str, Any]]:
        return []

    def versions(self, arn: str) -> list[dict[str, Any]]:
        return []

    def executions(self) -> list[ExecutionRow]:
        return []

    def definition(self, definition_id: int) -> str | None:
        return None

    def events(self, execution_id: int) -> list[Event]:
        return []

    def map_runs(self, execution_id: int) -> list[dict[str, Any]]:
        return []

    def stage_record(self, execution_id: int) -> tuple[str, int, int | None] | None:
        return None

    def stage_record_ids(self) -> set[int]:
        return set()
