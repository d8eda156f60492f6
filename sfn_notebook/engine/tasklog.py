"""Lambda's execution log for Python task functions invoked with ``LogType: Tail``.

Lambda returns the last 4 KB of an invocation's log, base64-encoded, as ``LogResult`` (the
``X-Amz-Log-Result`` header) when the caller asks for ``LogType: Tail``. The log is what Lambda's
Python runtime writes for one invocation::

    START RequestId: <id> Version: $LATEST
    <what the function printed to stdout/stderr, and its logging records>
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 1.52 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t...

Here task functions run concurrently in a thread pool (or as coroutines on the loop), so one
invocation's output is told apart from another's, and from the notebook's own prints, by a
context variable: :func:`capture` sets it around the call, and ``sys.stdout``/``sys.stderr`` are
wrapped once in a router that copies a write to the log of the invocation the writing thread (or
task) is serving. The router passes every write on unchanged, so what a notebook shows does not
depend on ``LogType``. Logging records reach the log through a handler on the root logger, in
Lambda's text format (``[LEVEL]\\t<time>Z\\t<request id>\\t<message>``); it is attached only
while a capture runs, and the root logger's level decides what is logged, as on Lambda.

Nothing is installed or measured for invocations without ``LogType: Tail``. Threads a function
starts itself are not followed (their output goes where it always goes).

>>> from datetime import datetime, timezone
>>> now = lambda: datetime(2024, 1, 1, tzinfo=timezone.utc)
>>> log = TaskLog("11111111-2222-3333-4444-555555555555", now)
>>> with capture(log):
...     print("hello")
hello
>>> for line in log.finish().splitlines()[:3]:
...     print(line)
START RequestId: 11111111-2222-3333-4444-555555555555 Version: $LATEST
hello
END RequestId: 11111111-2222-3333-4444-555555555555
>>> decode_tail(tail_base64(log.text())) == log.text()
True
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TextIO

TAIL_BYTES = 4096  # Lambda returns the last 4 KB of the log
MEMORY_SIZE_MB = 128  # the LambdaContext's memory_limit_in_mb

_current: contextvars.ContextVar[TaskLog | None] = contextvars.ContextVar(
    "sfn_task_log", default=None
)
_lock = threading.Lock()
_active = 0  # captures running; the logging handler is attached while this is above 0


class TaskLog:
    """The log of one invocation: what it wrote, kept to the tail Lambda can return."""

    __slots__ = ("_chars", "_parts", "_started", "clock", "request_id", "result")

    def __init__(self, request_id: str, clock: Callable[[], datetime]) -> None:
        self.request_id = request_id
        self.clock = clock
        self._parts: list[str] = []
        self._chars = 0
        self._started = time.perf_counter()
        self.result: str | None = None  # the whole log, once the invocation ended

    def write(self, text: str) -> None:
        if not text:
            return
        self._parts.append(text)
        self._chars += len(text)
        if self._chars > 4 * TAIL_BYTES:
            # Only the tail is ever returned; a character is at least one byte in UTF-8, so the
            # last TAIL_BYTES characters always cover the last TAIL_BYTES bytes.
            kept = "".join(self._parts)[-TAIL_BYTES:]
            self._parts = [kept]
            self._chars = len(kept)

    def error(self, report: dict[str, Any]) -> None:
        """Log a handler's failure as Lambda's Python runtime does: one record whose lines are
        joined by carriage returns (so CloudWatch keeps them as one event)."""
        head = "[ERROR]"
        if report.get("errorType"):
            head += f" {report['errorType']}"
        if report.get("errorMessage"):
            head += f"{':' if report.get('errorType') else ''} {report['errorMessage']}"
        lines = [head]
        if report.get("stackTrace") is not None:
            lines.append("Traceback (most recent call last):")
            for element in report["stackTrace"]:
                lines.extend(str(element).splitlines() or [""])
        self.write("\r".join(lines) + "\n")

    def finish(self) -> str:
        """Close the log with Lambda's END and REPORT lines; returns the whole text."""
        if self.result is not None:
            return self.result
        millis = (time.perf_counter() - self._started) * 1000
        rid = self.request_id
        body = "".join(self._parts)
        if body and not body.endswith("\n"):
            body += "\n"
        self.result = (
            f"START RequestId: {rid} Version: $LATEST\n{body}END RequestId: {rid}\n"
            f"REPORT RequestId: {rid}\tDuration: {millis:.2f} ms\t"
            f"Billed Duration: {max(1, math.ceil(millis))} ms\tMemory Size: {MEMORY_SIZE_MB} MB\t"
            f"Max Memory Used: {_peak_memory_mb()} MB\t\n"
        )
        return self.result

    def text(self) -> str:
        """The log so far (the finished log once the invocation ended)."""
        if self.result is not None:
            return self.result
        return f"START RequestId: {self.request_id} Version: $LATEST\n" + "".join(self._parts)


def _peak_memory_mb() -> int:
    """The process's peak resident memory: a notebook kernel cannot tell one function's own."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(1, round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024)))


def tail_base64(text: str) -> str:
    """``LogResult``: the last 4 KB of the log's UTF-8 bytes, base64-encoded."""
    return base64.b64encode(text.encode("utf-8")[-TAIL_BYTES:]).decode("ascii")


def decode_tail(log_result: Any) -> str | None:
    """A ``LogResult`` back to text for reading (None when it is not base64); the carriage
    returns inside error records become line breaks.

    >>> decode_tail("aGk=")
    'hi'
    """
    if not isinstance(log_result, str):
        return None
    try:
        raw = base64.b64decode(log_result, validate=True)
    except ValueError:
        return None
    # The 4 KB cut may split a character.
    return raw.decode("utf-8", "replace").replace("\r", "\n")


@contextlib.contextmanager
def capture(log: TaskLog) -> Iterator[TaskLog]:
    """Copy what the current thread (or asyncio task) prints and logs to ``log`` until the block
    ends; :meth:`TaskLog.finish` closes the log afterwards.

    Enter it in the thread or task that runs the function: context variables do not follow work
    handed to another thread.
    """
    _start()
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)
        _stop()


def _start() -> None:
    global _active
    with _lock:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            # Wrapped again if someone replaced the stream since (pytest, a redirect).
            if stream is not None and not isinstance(stream, _Router):
                setattr(sys, name, _Router(stream))
        _active += 1
        if _active == 1:
            logging.getLogger().addHandler(_HANDLER)


def _stop() -> None:
    global _active
    with _lock:
        _active -= 1
        if _active == 0:
            logging.getLogger().removeHandler(_HANDLER)


class _Router:
    """``sys.stdout``/``sys.stderr``: every write passes on, and is copied to the log of the
    invocation the writing thread or task serves, if any."""

    def __init__(self, target: TextIO) -> None:
        self._target = target

    def write(self, text: str) -> int:
        log = _current.get()
        if log is not None and isinstance(text, str):
            log.write(text)
        return self._target.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


class _LambdaLogHandler(logging.Handler):
    """Logging records of a capturing invocation, in the Python runtime's text format."""

    def emit(self, record: logging.LogRecord) -> None:
        log = _current.get()
        if log is not None:
            moment = log.clock()
            stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
            try:
                message = record.getMessage()
            except Exception:  # a bad format string: let logging report it as it does
                self.handleError(record)
                return
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                message = f"{message}\n{record.exc_text}"
            log.write(f"[{record.levelname}]\t{stamp}\t{log.request_id}\t{message}\n")
        last = logging.lastResort
        if last is not None and record.levelno >= last.level and _alone(self, record):
            # Without this handler the record would have gone to logging's last resort
            # (stderr, WARNING and above): keep that, but don't copy it to the log twice.
            token = _current.set(None)
            try:
                last.handle(record)
            finally:
                _current.reset(token)


def _alone(handler: logging.Handler, record: logging.LogRecord) -> bool:
    """Whether ``handler`` is the only handler the record's logger chain reaches."""
    logger: logging.Logger | None = logging.getLogger(record.name)
    while logger is not None:
        if any(h is not handler for h in logger.handlers):
            return False
        logger = logger.parent if logger.propagate else None
    return True


_HANDLER = _LambdaLogHandler()
