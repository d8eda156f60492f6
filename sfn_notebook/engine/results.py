"""A Distributed Map's ResultWriter: the child executions' results, exported as AWS exports them.

With ``Resource`` ``arn:aws:states:::s3:putObject`` and ``Parameters`` (``Bucket``, ``Prefix``)
the map run writes, under ``<Prefix>/<map run id>/``, one or more ``SUCCEEDED_<n>.json``,
``FAILED_<n>.json`` and ``PENDING_<n>.json`` files and a ``manifest.json`` naming them; the Map's
result is then ``{"MapRunArn": ..., "ResultWriterDetails": {"Bucket": ..., "Key": <manifest>}}``.
``WriterConfig`` shapes the results: ``Transformation`` ``NONE`` (each child's execution record:
ExecutionArn, Input, Output, Status, dates ...; the default when exporting), ``COMPACT`` (the
outputs; the default otherwise) or ``FLATTEN`` (outputs, arrays flattened), and ``OutputType``
``JSON`` (an array per file) or ``JSONL`` (a line per result). A WriterConfig without a Resource
shapes the state's result without writing anything. A failed child's result is always its record,
whatever the Transformation (AWS's documented rule).
"""

from __future__ import annotations

import json
import random
import tempfile
import uuid
from array import array
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import IO, Any

from sfn_notebook.engine.frame import iso_millis
from sfn_notebook.engine.items import BucketError, BucketStore, resource_action, s3_cause
from sfn_notebook.engine.pipeline import JsonataValue, Payload, jsonata_states
from sfn_notebook.errors import StatesError

WRITER_FAILED = "States.ResultWriterFailed"
# AWS splits a status's results over several files past this size (5 GB, as its documentation
# states the largest result file); a module constant so the split can be seen in tests.
RESULT_FILE_BYTES = 5 * 1024**3
STATUSES = ("FAILED", "PENDING", "SUCCEEDED")  # the manifest's key order (AWS's samples)


# One encoder for every record: json.dumps with options builds a new encoder on each call.
_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class ResultWriter:
    """One Map state's compiled ``ResultWriter``.

    >>> ResultWriter({"WriterConfig": {"OutputType": "JSONL"}}, jsonata=False).transformation
    'COMPACT'
    >>> ResultWriter({"Resource": "arn:aws:states:::s3:putObject"}, jsonata=False).transformation
    'NONE'
    """

    def __init__(self, spec: Mapping[str, Any], jsonata: bool) -> None:
        self.exports = "Resource" in spec
        self.action = resource_action(spec.get("Resource"))
        params = spec.get("Arguments") if jsonata else spec.get("Parameters")
        self.params: JsonataValue | Payload | None = None
        if params is not None:
            self.params = (
                JsonataValue(params, "Arguments") if jsonata else Payload(params, "Parameters")
            )
        config = spec.get("WriterConfig") or {}
        self.transformation = config.get("Transformation") or (
            "NONE" if self.exports else "COMPACT"
        )
        self.output_type = config.get("OutputType") or "JSON"

    def start(
        self, data: Any, scope: Any, map_run_arn: str, rng: random.Random, standard: bool
    ) -> ResultSink:
        """A sink for one map run (``data``: the effective input the parameters read; ``rng``
        names the child executions; ``standard``: STANDARD children, which AWS can redrive)."""
        params: Any = {}
        if isinstance(self.params, JsonataValue):
            params = self.params.apply(jsonata_states(data, scope), scope)
        elif self.params is not None:
            params = self.params.apply(data, scope)
        params = params if isinstance(params, dict) else {}
        return ResultSink(self, params, map_run_arn, rng, standard)


class ResultSink:
    """Collects one map run's child results.

    Each result is compact JSON text appended to a temporary file (a map run of a million
    children must not hold their results in memory); only (index, offset, length) stay here.
    """

    def __init__(
        self,
        writer: ResultWriter,
        params: dict[str, Any],
        map_run_arn: str,
        rng: random.Random,
        standard: bool,
    ) -> None:
        self.writer = writer
        self.params = params
        self.map_run_arn = map_run_arn
        # A child's state machine is the map run's (AWS's documented sample records).
        self.machine_arn = map_run_arn.replace(":mapRun:", ":stateMachine:", 1)
        self.run_id = map_run_arn.rsplit(":", 1)[-1]
        self.rng = rng
        self.standard = standard
        self._spill: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by finish
        self._spilled = 0
        self._where: dict[str, array[int]] = {status: array("q") for status in STATUSES}

    def _keep(self, status: str, index: int, text: str) -> None:
        data = text.encode("utf-8")
        self._spill.write(data)
        self._where[status].extend((index, self._spilled, len(data)))
        self._spilled += len(data)

    def _texts(self, statuses: tuple[str, ...]) -> Iterator[str]:
        """The kept texts of ``statuses`` in item order (a FLATTEN entry gives several)."""
        entries = sorted(
            (where[i], where[i + 1], where[i + 2])
            for where in (self._where[status] for status in statuses)
            for i in range(0, len(where), 3)
        )
        self._spill.flush()
        for _index, offset, length in entries:
            self._spill.seek(offset)
            text = self._spill.read(length).decode("utf-8")
            if text:  # a FLATTEN of an empty array adds nothing
                yield from text.split("\n")
        self._spill.seek(0, 2)

    def _name(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def succeeded(
        self,
        index: int,
        input_value: Any,
        started: datetime,
        stopped: datetime,
        output: Any,
        name: str | None = None,
    ) -> None:
        """A child execution that succeeded with ``output`` (``name``: the child's, if known)."""
        self.add(
            index,
            name or self._name(),
            input_value,
            started,
            stopped,
            output=output,
            standard=self.standard,
        )

    def failed(
        self,
        index: int,
        input_value: Any,
        started: datetime,
        stopped: datetime,
        failure: Any,
        name: str | None = None,
    ) -> None:
        """A child execution that failed (``failure``: its error and cause)."""
        self.add(
            index,
            name or self._name(),
            input_value,
            started,
            stopped,
            error=failure.error or None,
            cause=failure.cause_or_none,
            status="FAILED",
            standard=self.standard,
        )

    def add(
        self,
        index: int,
        name: str,
        input_value: Any,
        started: datetime,
        stopped: datetime,
        *,
        output: Any = None,
        error: str | None = None,
        cause: str | None = None,
        status: str = "SUCCEEDED",
        standard: bool = True,
    ) -> None:
        """One child execution's result (``status``: SUCCEEDED, FAILED, or PENDING for a child
        that had not finished when the map run ended)."""
        bucket = (
            "SUCCEEDED" if status == "SUCCEEDED" else "FAILED" if status == "FAILED" else "PENDING"
        )
        transformation = self.writer.transformation
        if status == "SUCCEEDED" and transformation != "NONE":
            if transformation == "FLATTEN" and isinstance(output, list):
                # Compact JSON never holds a raw newline: it separates the flattened values.
                self._keep(bucket, index, "\n".join(_compact(v) for v in output))
                return
            self._keep(bucket, index, _compact(output))
            return
        # A child's record, as DescribeExecution names its fields (AWS's documented sample).
        record: dict[str, Any] = {
            "ExecutionArn": self.machine_arn.replace(":stateMachine:", ":execution:", 1)
            + f":{name}",
            "Input": _compact(input_value),
            "InputDetails": {"Included": True},
            "Name": name,
        }
        if status == "SUCCEEDED":
            record["Output"] = _compact(output)
            record["OutputDetails"] = {"Included": True}
        if error is not None:
            record["Error"] = error
        if cause is not None:
            record["Cause"] = cause
        if standard:  # Express executions cannot be redriven
            record["RedriveCount"] = 0
            if status == "FAILED":
                record["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
            else:
                record["RedriveStatus"] = "NOT_REDRIVABLE"
                record["RedriveStatusReason"] = f"Execution is {status} and cannot be redriven"
        record["StartDate"] = iso_millis(started)
        record["StateMachineArn"] = self.machine_arn
        record["Status"] = status
        if status != "PENDING":
            record["StopDate"] = iso_millis(stopped)
        self._keep(bucket, index, _compact(record))

    def preview(self) -> list[Any]:
        """The state's result when nothing is exported: the results in item order."""
        return [json.loads(text) for text in self._texts(STATUSES)]

    def finish(self, store: BucketStore | None) -> Any:
        """Write the result files and the manifest; the Map's result."""
        try:
            if not self.writer.exports:
                return self.preview()
            return self._export(store)
        finally:
            self._spill.close()

    def _export(self, store: BucketStore | None) -> Any:
        bucket = self.params.get("Bucket")
        if self.writer.action != "putObject" or not isinstance(bucket, str) or not bucket:
            raise StatesError(WRITER_FAILED, "The ResultWriter needs a Bucket (a string).")
        if store is None:
            raise StatesError(WRITER_FAILED, "No bucket store is configured for this execution.")
        prefix = str(self.params.get("Prefix") or "")
        base = f"{prefix.rstrip('/')}/{self.run_id}/" if prefix else f"{self.run_id}/"
        files: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUSES}
        try:
            for status in STATUSES:
                for number, (body, size) in enumerate(self._files(self._texts((status,)))):
                    # JSONL output keeps AWS's .json file names (reported by other emulators).
                    key = f"{base}{status}_{number}.json"
                    with body:
                        store.put(bucket, key, body)
                    files[status].append({"Key": key, "Size": size})
            manifest = {
                "DestinationBucket": bucket,
                "MapRunArn": self.map_run_arn,
                "ResultFiles": files,
            }
            store.put(bucket, f"{base}manifest.json", _compact(manifest).encode("utf-8"))
        except BucketError as exc:
            raise StatesError(WRITER_FAILED, s3_cause(exc)) from None
        return {
            "MapRunArn": self.map_run_arn,
            "ResultWriterDetails": {"Bucket": bucket, "Key": f"{base}manifest.json"},
        }

    def _files(self, texts: Iterator[str]) -> Iterator[tuple[IO[bytes], int]]:
        """One status's files (temporary files, rewound) and their sizes, each file at most
        RESULT_FILE_BYTES: a JSON array, or a line per result (JSONL)."""
        jsonl = self.writer.output_type == "JSONL"
        current: IO[bytes] | None = None
        size = 0
        for text in texts:
            data = text.encode("utf-8")
            if current is not None and size + len(data) + 1 > RESULT_FILE_BYTES:
                yield _closed(current, size, jsonl)
                current = None
            if current is None:
                current = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller
                size = 0 if jsonl else 1
                if not jsonl:
                    current.write(b"[")
            elif not jsonl:
                current.write(b",")
                size += 1
            current.write(data)
            size += len(data)
            if jsonl:
                current.write(b"\n")
                size += 1
        if current is not None:
            yield _closed(current, size, jsonl)


def _closed(handle: IO[bytes], size: int, jsonl: bool) -> tuple[IO[bytes], int]:
    if not jsonl:
        handle.write(b"]")
        size += 1
    handle.seek(0)
    return handle, size
