"""One writer per store file, enforced by the file itself: the writer lease.

The lock file (``<path>.lock``) keeps a second process from opening a store for writing, but it
can be deleted, and some filesystems (network shares) ignore advisory locks. Two writers would
then interleave their events into each other's executions. So the database holds a lease too:
one row of ``writer_lease`` naming its holder (a random owner id, the process id, the host) and
when the holder last renewed it.

The rule:

* A writer takes the lease in a write transaction (``BEGIN IMMEDIATE``: SQLite lets one writer
  in at a time, so two openers cannot both take it) and renews it every
  :data:`RENEW_SECONDS` (the store's writer thread does this, even while idle).
* Every batch the writer commits first checks, in the same transaction, that the lease is still
  its own; if another process took it over, nothing more is written and the store reports it.
* Another process may take the lease over only when the holder released it (closed the store),
  when the holder's process is gone (same host name, and its process id no longer runs or, on
  Linux, now belongs to a process that started at another time: a reused id), or when the
  holder has not renewed it for :data:`LEASE_SECONDS` (a crashed writer on another host, or a
  writer suspended that long). Otherwise opening for writing is refused with a
  :class:`StoreError` naming the holder.

Lease times are wall-clock times (``time.time()``), not the Runtime's clock: they are compared
between processes, and a virtual clock is private to one Runtime.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid

from sfn_notebook.store.schema import StoreError

LEASE_SECONDS = 60.0  # a lease not renewed for this long may be taken over
RENEW_SECONDS = 10.0  # how often the holder renews it


class LeaseLost(StoreError):
    """Another process took the store's writer lease: this one writes nothing more."""


class Lease:
    """This process's claim to write one store file (see the module docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.owner = uuid.uuid4().hex
        self.pid = os.getpid()
        self.process_start = _process_start(self.pid)
        self.host = socket.gethostname()
        self.held = False
        self._renewed = 0.0  # time.monotonic() of the last renewal

    def due(self) -> bool:
        """True when the holder should renew the lease."""
        return self.held and time.monotonic() - self._renewed >= RENEW_SECONDS

    def take(self, conn: sqlite3.Connection) -> None:
        """Take the lease, or raise StoreError naming the process that holds it."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT owner, pid, process_start, host, renewed_us FROM writer_lease"
            ).fetchone()
            if row is not None and row[0] != self.owner:
                reason = self._held_by(*row)
                if reason is not None:
                    raise StoreError(
                        f"{self.path}: in use by another writer ({reason}); open it read-only "
                        "(Store(path, readonly=True)) or use another file. The lease passes on "
                        f"when that process closes the store, ends, or stops renewing it for "
                        f"{LEASE_SECONDS:.0f} s"
                    )
            now = _now_us()
            conn.execute("DELETE FROM writer_lease")
            conn.execute(
                "INSERT INTO writer_lease (owner, pid, process_start, host, taken_us, "
                "renewed_us) VALUES (?, ?, ?, ?, ?, ?)",
                (self.owner, self.pid, self.process_start, self.host, now, now),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        self.held = True
        self._renewed = time.monotonic()

    def _held_by(
        self, owner: str, pid: int, started: str, host: str, renewed_us: int
    ) -> str | None:
        """Why the lease still belongs to its holder, or None when it may be taken over."""
        age = (_now_us() - renewed_us) / 1e6
        if age >= LEASE_SECONDS:
            return None
        if host == self.host:
            if pid == self.pid and started == self.process_start:
                return None  # left by a store of this process that was never closed
            if not _running(pid):
                return None
            now_started = _process_start(pid)
            if started and now_started and now_started != started:
                return None  # the id now belongs to another process
        where = "this host" if host == self.host else f"host {host!r}"
        return f"process {pid} on {where}, lease renewed {max(age, 0):.0f} s ago"

    def confirm(self, conn: sqlite3.Connection) -> None:
        """Inside a write transaction: check the lease is still ours, renew it when due."""
        row = conn.execute("SELECT owner, pid, host FROM writer_lease").fetchone()
        if row is None or row[0] != self.owner:
            self.held = False
            holder = "nobody" if row is None else f"process {row[1]} on host {row[2]!r}"
            raise LeaseLost(
                f"{self.path}: this process lost the writer lease (now held by {holder}), "
                "so it writes nothing more; another process took the store over after this one "
                f"did not renew its lease for {LEASE_SECONDS:.0f} s"
            )
        if time.monotonic() - self._renewed >= RENEW_SECONDS:
            conn.execute(
                "UPDATE writer_lease SET renewed_us = ? WHERE owner = ?", (_now_us(), self.owner)
            )
            self._renewed = time.monotonic()

    def release(self, conn: sqlite3.Connection) -> None:
        """Give the lease up (closing the store)."""
        if self.held:
            self.held = False
            conn.execute("DELETE FROM writer_lease WHERE owner = ?", (self.owner,))


def _now_us() -> int:
    return int(time.time() * 1_000_000)


def _process_start(pid: int) -> str:
    """When a process started, in clock ticks since boot (Linux); "" where unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return ""
    return fields[19] if len(fields) > 19 else ""


def _running(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) would send CTRL_C_EVENT there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True
