"""Durable history: a SQLite store of state machines, executions and their history events.

>>> import sfn_notebook as sfn                                  # doctest: +SKIP
>>> rt = sfn.Runtime(store="sfn-history.sqlite")               # doctest: +SKIP

See :mod:`sfn_notebook.store.sqlite` for the write path (batched commits, a durable boundary
before every Task) and :mod:`sfn_notebook.store.schema` for the schema and its migrations.
"""

from sfn_notebook.store.rows import ExecutionRow
from sfn_notebook.store.schema import SCHEMA_VERSION, StoreError, migrate
from sfn_notebook.store.sqlite import INTERRUPTED, Store

__all__ = ["INTERRUPTED", "SCHEMA_VERSION", "ExecutionRow", "Store", "StoreError", "migrate"]
