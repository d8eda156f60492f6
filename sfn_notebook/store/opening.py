"""Opening a store file: what its path must be, the lock file, and read-only access.

Each problem with a path is one :class:`StoreError` naming the path and saying what to do, raised
before anything is created next to it (a directory given as the path leaves no stray lock file).

Reading needs no write access: a store in a read-only directory is opened with SQLite's
``immutable=1`` when ``mode=ro`` cannot be used (a WAL database needs its ``-shm`` file, which a
reader cannot create there), and a warning says what that means.

>>> import tempfile
>>> check_path(tempfile.mkdtemp(), writing=True)
Traceback (most recent call last):
...
sfn_notebook.store.schema.StoreError: /...: is a directory; give the path of a file in it, ...
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import urllib.parse
import warnings
from typing import IO

from sfn_notebook.store.schema import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock file, the writer lease still holds
    fcntl = None  # type: ignore[assignment]


def check_path(path: str, *, writing: bool) -> str:
    """The real path of ``path`` if a store can be kept there, else a StoreError."""
    real = os.path.realpath(path)
    try:
        if os.path.isdir(real):
            example = os.path.join(path, "sfn-history.sqlite")
            raise StoreError(
                f"{path}: is a directory; give the path of a file in it, e.g. {example!r}"
            )
        if os.path.exists(real):
            if not stat.S_ISREG(os.stat(real).st_mode):
                raise StoreError(
                    f"{path}: not a regular file (a device, pipe or socket); give the path of a "
                    "file, e.g. 'sfn-history.sqlite'"
                )
        elif not writing:
            raise StoreError(f"{path}: no such store")
        if not os.path.isdir(os.path.dirname(real)):
            raise StoreError(f"{path}: no such directory")
    except OSError as exc:
        raise StoreError(f"{path}: cannot use this path ({exc.strerror})") from None
    return real


def take_lock_file(path: str, real: str) -> IO[str] | None:
    """Hold ``<path>.lock`` while writing; None where there are no advisory locks (Windows)."""
    if fcntl is None:  # pragma: no cover
        return None
    try:
        handle = open(real + ".lock", "a+")  # noqa: SIM115 - held while the store is open
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot write its lock file {real}.lock ({exc.strerror}); open the store "
            "read-only (Store(path, readonly=True)) or keep it in a directory you can write"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            # A filesystem without advisory locks (some network shares): the writer lease in
            # the database (store/lease.py) still keeps a second writer out.
            return handle
        handle.close()
        raise StoreError(
            f"{path}: in use by another process; open it read-only "
            "(Store(path, readonly=True)) or use another file"
        ) from None
    return handle


def connect(path: str, target: str, *, uri: bool = False) -> sqlite3.Connection:
    try:
        return sqlite3.connect(
            target, uri=uri, isolation_level=None, check_same_thread=False, timeout=10
        )
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the store ({exc})") from None


def connect_readonly(path: str, real: str) -> sqlite3.Connection:
    """A read-only connection; immutable (with a warning) when the directory is read-only."""
    quoted = urllib.parse.quote(real)
    conn = connect(path, f"file:{quoted}?mode=ro", uri=True)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if os.access(os.path.dirname(real), os.W_OK):  # not about the -shm file
            raise StoreError(f"{path}: cannot read the store ({exc})") from None
    except sqlite3.DatabaseError:
        return conn  # not a database: the schema check names the problem
    # SQLite cannot create the -shm file a WAL database needs beside it: read the file alone.
    wal = real + "-wal"
    unseen = os.path.exists(wal) and os.path.getsize(wal) > 0
    warnings.warn(
        f"{path}: opened as immutable because its directory is read-only (SQLite cannot create "
        f"{os.path.basename(real)}-shm there): "
        + (
            f"the latest writes, still in {os.path.basename(wal)}, are not visible, and "
            if unseen
            else ""
        )
        + "a process writing the store meanwhile would not be seen. Copy the store to a "
        "writable directory to follow a running writer.",
        stacklevel=4,
    )
    return connect(path, f"file:{quoted}?immutable=1", uri=True)
