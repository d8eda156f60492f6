"""A Distributed Map's ItemReader: items read, one at a time, from S3 objects.

The reader is compiled once per Map state; each visit evaluates its ``Parameters`` (JSONPath) or
``Arguments`` (JSONata) and ``MaxItems``/``MaxItemsPath``, then yields items lazily, so a file of a
million lines is never held whole. Objects come from the execution's bucket store
(``ResourceRegistry.buckets``): any object with ``open``/``list``/``put`` as
:class:`sfn_notebook.integrations.buckets.Buckets` has them. The engine never imports boto3.

Supported as AWS documents them (``input-output-itemreader``):

* ``arn:aws:states:::s3:getObject`` with ``ReaderConfig.InputType`` ``JSON`` (an array, or the
  array ``ItemsPointer`` points at), ``JSONL``, ``CSV`` (``CSVHeaderLocation`` ``FIRST_ROW`` or
  ``GIVEN`` with ``CSVHeaders``; ``CSVDelimiter``; every value a string), ``PARQUET`` (through
  the optional ``pyarrow``) and ``MANIFEST`` (an S3 Inventory ``manifest.json``);
* ``arn:aws:states:::s3:listObjectsV2``: one item per object (Etag, Key, LastModified in epoch
  seconds, Size, StorageClass), or with ``ReaderConfig.Transformation`` ``LOAD_AND_FLATTEN`` the
  items of every listed object read as its ``InputType``.

Failures while reading are ``States.ItemReaderFailed`` (AWS's words where recorded).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
from collections.abc import Generator, Iterator, Mapping
from typing import IO, Any, Protocol

from sfn_notebook.engine.fields import Kind, NumberField
from sfn_notebook.engine.pipeline import JsonataValue, Payload, jsonata_states
from sfn_notebook.errors import StatesError

READER_FAILED = "States.ItemReaderFailed"
MAX_ITEMS_LIMIT = 100_000_000  # AWS: "The Distributed Map state stops reading items beyond" this
RESOURCE_PREFIX = "arn:aws:states:::s3:"
DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
INPUT_TYPES = ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")
# MaxItemsPath: a value that is no integer is States.Runtime (recorded); the sign is checked
# after the map run started, as AWS does (below).
ANY_INTEGER = Kind(integer=True, minimum=float("-inf"), maximum=None, out_of_range="")


class BucketError(Exception):
    """An S3 failure from a bucket store: ``code`` as S3 names it, ``message`` as S3 words it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class BucketStore(Protocol):
    """What the engine needs from the buckets of a Runtime."""

    def open(self, bucket: str, key: str, version_id: str | None = None) -> IO[bytes]: ...

    def list(self, bucket: str, prefix: str = "", **extra: Any) -> Iterator[dict[str, Any]]: ...

    def put(self, bucket: str, key: str, data: bytes | IO[bytes]) -> None: ...


def reader_failed(cause: str) -> StatesError:
    return StatesError(READER_FAILED, cause)


def s3_cause(error: BucketError) -> str:
    # AWS's wording for an S3 failure inside ItemReader/ResultWriter is unknown: S3's own words.
    return f"{error.message} (Service: S3, Error Code: {error.code})"


def resource_action(resource: Any) -> str | None:
    """``getObject`` for ``arn:<partition>:states:::s3:getObject``; None for any other ARN.

    >>> resource_action("arn:aws:states:::s3:listObjectsV2")
    'listObjectsV2'
    """
    if not isinstance(resource, str):
        return None
    parts = resource.split(":")
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "states" or parts[5] != "s3":
        return None
    return parts[6]


class ItemReader:
    """One Map state's compiled ``ItemReader``."""

    def __init__(self, spec: Mapping[str, Any], jsonata: bool, state_name: str) -> None:
        self.action = resource_action(spec.get("Resource"))
        self.state_name = state_name
        self.jsonata = jsonata
        config = spec.get("ReaderConfig") or {}
        self.config = config
        self.input_type = config.get("InputType")
        params = spec.get("Arguments") if jsonata else spec.get("Parameters")
        self.params: JsonataValue | Payload | None = None
        if params is not None:
            self.params = (
                JsonataValue(params, "Arguments") if jsonata else Payload(params, "Parameters")
            )
        self.max_items = NumberField(
            ANY_INTEGER, "MaxItems", config.get("MaxItems"), config.get("MaxItemsPath")
        )

    def prepare(self, data: Any, scope: Any) -> ItemSource:
        """Evaluate the parameters and MaxItems for this visit (``data``: the effective input).

        Raises ``States.Runtime`` (bad MaxItemsPath) before the map run starts, as AWS does.
        """
        if isinstance(self.params, JsonataValue):
            states = jsonata_states(data, scope)
            params = self.params.apply(states, scope)
            max_items = self.max_items.value(data, scope, states)
        else:
            params = self.params.apply(data, scope) if self.params is not None else {}
            max_items = self.max_items.value(data, scope)
        return ItemSource(self, params if isinstance(params, dict) else {}, max_items)


class ItemSource:
    """The items of one visit; :meth:`items` reads them (again) from the start."""

    def __init__(self, reader: ItemReader, params: dict[str, Any], max_items: int | None) -> None:
        self.reader = reader
        self.params = params
        self.max_items = max_items

    def items(self, store: BucketStore | None) -> Iterator[Any]:
        """The items, lazily; failures are ``States.ItemReaderFailed``."""
        if self.max_items is not None and self.max_items < 0:
            raise reader_failed("field MaxItems must be positive")  # AWS's words (recorded)
        limit = min(self.max_items or MAX_ITEMS_LIMIT, MAX_ITEMS_LIMIT)
        if store is None:
            raise reader_failed("No bucket store is configured for this execution.")
        produced = self._produce(store)
        try:
            for count, item in enumerate(produced):
                if count >= limit:
                    return
                yield item
        except BucketError as exc:
            raise reader_failed(s3_cause(exc)) from None
        finally:
            produced.close()

    def count(self, store: BucketStore | None) -> int:
        """How many items there are (reads them once; for ToleratedFailurePercentage)."""
        return sum(1 for _ in self.items(store))

    def _produce(self, store: BucketStore) -> Generator[Any, None, None]:
        reader, params = self.reader, self.params
        bucket = params.get("Bucket")
        if not isinstance(bucket, str) or not bucket:
            raise reader_failed("The ItemReader's Parameters need a Bucket (a string).")
        if reader.action == "listObjectsV2":
            extra = {k: v for k, v in params.items() if k not in ("Bucket", "Prefix")}
            listing = store.list(bucket, str(params.get("Prefix") or ""), **extra)
            if reader.config.get("Transformation") == "LOAD_AND_FLATTEN":
                # The developer guide: read each listed object, parse it by InputType (CSV,
                # JSON, JSONL, PARQUET) and make items of its rows/records, not its metadata.
                for entry in listing:
                    yield from read_object(
                        store, bucket, entry["Key"], None, reader.input_type, reader.config
                    )
                return
            for entry in listing:
                # The developer guide's child input (ItemReader, "Input passed to a child
                # workflow execution"): {"Etag", "Key", "LastModified": 1668699881, "Size",
                # "StorageClass"} -- LastModified in whole epoch seconds, in that order. (The
                # recordings rebuild these items in their own order with a "<date>" stand-in.)
                yield {
                    "Etag": entry["ETag"],
                    "Key": entry["Key"],
                    "LastModified": _epoch_seconds(entry["LastModified"]),
                    "Size": entry["Size"],
                    "StorageClass": entry["StorageClass"],
                }
            return
        if reader.action != "getObject":
            raise reader_failed(f"The ItemReader resource {reader.action!r} is not supported.")
        key = params.get("Key")
        if not isinstance(key, str) or not key:
            raise reader_failed("The ItemReader's Parameters need a Key (a string).")
        version = params.get("VersionId")
        input_type = reader.input_type
        manifest_type = reader.config.get("ManifestType")
        if input_type == "MANIFEST" and manifest_type in (None, "S3_INVENTORY"):
            yield from _inventory(store, bucket, key, version)
        elif manifest_type == "ATHENA_DATA" and input_type in ("CSV", "JSONL", "PARQUET"):
            yield from _athena(store, bucket, key, version, reader.config)
        elif manifest_type is not None or input_type == "MANIFEST":
            # Never guess at a layout: a wrong run is worse than a clear failure.
            raise reader_failed(
                f"sfn-notebook does not read ManifestType {manifest_type} with InputType "
                f"{input_type}."
            )
        else:
            yield from read_object(store, bucket, key, version, input_type, reader.config)


def read_object(
    store: BucketStore,
    bucket: str,
    key: str,
    version: Any,
    input_type: Any,
    config: Mapping[str, Any],
) -> Iterator[Any]:
    """The items of one object of ``input_type``."""
    handle = store.open(bucket, key, version if isinstance(version, str) else None)
    try:
        if input_type == "JSON":
            yield from _json_items(handle, config.get("ItemsPointer"))
        elif input_type == "JSONL":
            yield from _jsonl_items(handle)
        elif input_type == "CSV":
            yield from csv_items(_text_lines(handle), config)
        elif input_type == "PARQUET":
            yield from _parquet_items(handle)
        else:
            raise reader_failed(f"The ItemReader InputType {input_type!r} is not supported.")
    finally:
        handle.close()


def _text_lines(handle: IO[bytes]) -> Iterator[str]:
    # Decoded piece by piece: a large object is never read whole.
    # Lines end at "\n" only: str.splitlines would also cut at U+2028 and other characters a
    # JSON string or a quoted CSV field may hold.
    decoder = codecs.getincrementaldecoder("utf-8-sig")("replace")
    pending = ""
    for block in iter(lambda: handle.read(1 << 16), b""):
        pending += decoder.decode(block)
        lines = pending.split("\n")
        pending = lines.pop()
        for line in lines:
            yield line + "\n"
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _json_items(handle: IO[bytes], pointer: Any) -> Iterator[Any]:
    try:
        document = json.loads(handle.read().decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        # AWS's wording for a malformed JSON object is unknown.
        raise reader_failed(f"The object is not valid JSON: {exc}") from None
    if isinstance(pointer, str) and pointer:
        document = _resolve_pointer(document, pointer)
    if not isinstance(document, list):
        raise reader_failed("Attempting to map over non-iterable node.")  # AWS (recorded)
    yield from document


def _resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: ``/data/items`` selects ``document["data"]["items"]``."""
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict) and token in document:
            document = document[token]
        elif isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        else:
            # AWS's wording is unknown.
            raise reader_failed(f"The ItemsPointer {pointer} does not match the JSON object.")
    return document


def _jsonl_items(handle: IO[bytes]) -> Iterator[Any]:
    for number, line in enumerate(_text_lines(handle), 1):
        if not line.strip():
            continue  # blank lines carry no item (AWS's handling of them is unknown)
        try:
            yield json.loads(line)
        except ValueError as exc:
            # AWS's wording for a malformed line is unknown.
            cause = f"Line {number} of the JSONL object is not valid JSON: {exc}"
            raise reader_failed(cause) from None


def java_hash_order(headers: list[str]) -> list[int]:
    """Column order of AWS's CSV items: a Java HashMap's iteration order over the headers.

    AWS returns ``{"0": .., "{}": .., "True": ..}`` for headers ``0,True,{}`` and
    ``{"": .., "H1": ..}`` for ``H1,`` (recorded): the buckets of a HashMap of that size.

    >>> java_hash_order(["0", "True", "{}"])
    [0, 2, 1]
    """
    capacity = 16
    while len(headers) > capacity * 3 // 4:
        capacity *= 2

    def bucket(text: str) -> int:
        h = 0
        for unit in text.encode("utf-16-be").hex(" ", 2).split():
            h = (31 * h + int(unit, 16)) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(range(len(headers)), key=lambda i: (bucket(headers[i]), i))


def csv_items(lines: Iterator[str], config: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    r"""CSV rows as objects of strings (AWS gives every value as text, ``"1"`` not ``1``).

    >>> list(csv_items(iter(["a|b\n", "1|x|extra\n", "2\n"]), {"CSVDelimiter": "PIPE"}))
    [{'a': '1', 'b': 'x'}, {'a': '2', 'b': ''}]
    """
    delimiter = DELIMITERS.get(config.get("CSVDelimiter") or "COMMA", ",")
    rows = csv.reader(lines, delimiter=delimiter)
    if config.get("CSVHeaderLocation") == "GIVEN":
        headers = [str(h) for h in config.get("CSVHeaders") or []]
    else:
        headers = next(rows, [])
    if len(set(headers)) < len(headers):
        raise reader_failed("CSV headers cannot contain duplicates.")  # AWS (recorded)
    order = java_hash_order(headers)
    for row in rows:
        if not row:
            continue  # an empty line is no row (AWS's handling is unknown)
        # AWS (recorded): missing fields are "", fields beyond the headers are dropped.
        yield {headers[i]: (row[i] if i < len(row) else "") for i in order}


def _parquet_items(handle: IO[bytes]) -> Iterator[Any]:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        raise reader_failed(
            "Reading PARQUET needs pyarrow: pip install 'sfn-notebook[parquet]'"
        ) from None
    data = io.BytesIO(handle.read())  # Parquet's footer comes last: the file is read whole
    try:
        table = pq.ParquetFile(data)
        for batch in table.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                yield json.loads(json.dumps(row, default=str))
    except Exception as exc:  # pyarrow's own errors: the object is no Parquet file
        raise reader_failed(f"The object is not a readable Parquet file: {exc}") from None


def _inventory(store: BucketStore, bucket: str, key: str, version: Any) -> Iterator[Any]:
    """An S3 Inventory report: its ``manifest.json`` names CSV files (gzip) of objects."""
    with store.open(bucket, key, version if isinstance(version, str) else None) as handle:
        try:
            manifest = json.loads(handle.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise reader_failed("The S3 Inventory manifest is not valid JSON.") from None
    if not isinstance(manifest, dict) or manifest.get("fileFormat") != "CSV":
        # AWS reads CSV inventories only; its wording is unknown.
        raise reader_failed("Only S3 Inventory manifests of fileFormat CSV can be read.")
    schema = [name.strip() for name in str(manifest.get("fileSchema") or "").split(",")]
    destination = str(manifest.get("destinationBucket") or f"arn:aws:s3:::{bucket}")
    data_bucket = destination.rsplit(":", 1)[-1]
    for entry in manifest.get("files") or []:
        with store.open(data_bucket, str(entry.get("key"))) as raw:
            text = io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8")
            for row in csv.reader(text):
                if row:
                    yield {name: row[i] if i < len(row) else "" for i, name in enumerate(schema)}


def _athena(
    store: BucketStore, bucket: str, key: str, version: Any, config: Mapping[str, Any]
) -> Iterator[Any]:
    """An Athena data manifest (UNLOAD's): one ``s3://bucket/key`` of a data file per line, each
    read as ``InputType``."""
    handle = store.open(bucket, key, version if isinstance(version, str) else None)
    try:
        locations = [line.strip() for line in _text_lines(handle) if line.strip()]
    finally:
        handle.close()
    for location in locations:
        if not location.startswith("s3://") or "/" not in location[5:]:
            # AWS's wording is unknown.
            raise reader_failed(f"The Athena manifest names {location!r}, not an s3:// object.")
        data_bucket, _, data_key = location[5:].partition("/")
        yield from read_object(store, data_bucket, data_key, None, config["InputType"], config)


def _epoch_seconds(value: Any) -> Any:
    """S3's LastModified (a datetime from boto3 or a local folder) as whole epoch seconds.

    >>> from datetime import datetime, timezone
    >>> _epoch_seconds(datetime(2022, 11, 17, 15, 44, 41, 500000, tzinfo=timezone.utc))
    1668699881
    """
    if hasattr(value, "timestamp"):
        return int(value.timestamp())
    return value
