"""Where a Runtime's S3 buckets live: local folders for prototyping, else any S3 endpoint.

:class:`Buckets` is the one object the engine reads and writes S3 objects through (a Distributed
Map's ItemReader and ResultWriter). ``folders`` maps a bucket name to a local folder, so a
definition that will run on AWS reads ``s3://my-bucket/data.csv`` from ``data/data.csv`` here
without any S3; every other bucket goes to S3 through boto3 (AWS, LocalStack or moto's server,
as :class:`~sfn_notebook.integrations.aws.AwsConnection` is set up).

Failures are :class:`BucketError` values worded as the S3 API words them (``NoSuchKey``,
``NoSuchBucket``), so a folder bucket fails the way the real bucket would.

>>> import tempfile
>>> root = tempfile.mkdtemp()
>>> store = Buckets({"my-bucket": root})
>>> store.put("my-bucket", "in/a.txt", b"hello")
>>> store.open("my-bucket", "in/a.txt").read()
b'hello'
>>> [item["Key"] for item in store.list("my-bucket", "in/")]
['in/a.txt']
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import IO, Any

from sfn_notebook.engine.items import BucketError
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.integrations.aws import AwsConnection


class BucketsError(SfnNotebookError):
    """``buckets=`` given in a form this library cannot use."""


def folder_map(buckets: Mapping[str, Any] | None) -> dict[str, str]:
    """Check ``buckets={"name": "folder"}`` (or ``"name=folder"`` texts) and return it.

    >>> folder_map({"my-bucket": "data"})
    {'my-bucket': 'data'}
    """
    if buckets is None:
        return {}
    if not isinstance(buckets, Mapping):
        raise BucketsError(
            "buckets= must map bucket names to local folders, e.g. {'my-bucket': 'data/'}"
        )
    out: dict[str, str] = {}
    for name, folder in buckets.items():
        if not isinstance(name, str) or not name or "/" in name:
            raise BucketsError(f"buckets=: {name!r} is not a bucket name")
        if not isinstance(folder, str | os.PathLike):
            raise BucketsError(f"buckets=: the folder for {name!r} must be a path")
        out[name] = os.fspath(folder)
    return out


class Buckets:
    """S3 objects by bucket and key: ``folders`` for local buckets, ``connection`` for S3."""

    def __init__(
        self,
        folders: Mapping[str, Any] | None = None,
        connection: AwsConnection | None = None,
        region: str = "us-east-1",
    ) -> None:
        self.folders = folder_map(folders)
        self.connection = connection or AwsConnection()
        self.region = region  # used when the boto3 session names no region

    # -- local folders ---------------------------------------------------------------------------

    def _path(self, bucket: str, key: str) -> str | None:
        folder = self.folders.get(bucket)
        if folder is None:
            return None
        parts = [part for part in key.split("/") if part]
        if any(part in (".", "..") for part in parts):
            # Keys are names, not paths: "../x" must never leave the bucket's folder.
            raise BucketError("InvalidArgument", f"Key {key!r} is not usable in a local bucket")
        return os.path.join(folder, *parts)

    def _check_folder(self, bucket: str) -> None:
        if not os.path.isdir(self.folders[bucket]):
            raise BucketError("NoSuchBucket", "The specified bucket does not exist")

    # -- the three operations ---------------------------------------------------------------------

    def open(self, bucket: str, key: str, version_id: str | None = None) -> IO[bytes]:
        """The object's bytes as a stream (read it in pieces: objects can be large)."""
        path = self._path(bucket, key)
        if path is not None:
            self._check_folder(bucket)
            if not os.path.isfile(path):
                raise BucketError("NoSuchKey", "The specified key does not exist.")
            return open(path, "rb")
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        response = self._call("get_object", params)
        body: IO[bytes] = response["Body"]
        return body

    def list(self, bucket: str, prefix: str = "", **extra: Any) -> Iterator[dict[str, Any]]:
        """ListObjectsV2's ``Contents``, page after page, in key order."""
        folder = self.folders.get(bucket)
        if folder is not None:
            self._check_folder(bucket)
            unknown = sorted(set(extra) - {"StartAfter", "MaxKeys"})
            if unknown:  # never list other objects than S3 would: refuse what is not done here
                raise BucketError(
                    "NotImplemented",
                    f"ListObjectsV2 with {', '.join(unknown)} is not available for a local "
                    "bucket (Prefix, StartAfter and MaxKeys are)",
                )
            after = str(extra.get("StartAfter") or "")
            for entry in _list_folder(folder, prefix):
                if entry["Key"] > after:
                    yield entry
            return
        params: dict[str, Any] = {"Bucket": bucket, **extra}
        if prefix:
            params["Prefix"] = prefix
        while True:
            page = self._call("list_objects_v2", params)
            for entry in page.get("Contents") or []:
                yield {
                    "Key": entry["Key"],
                    "LastModified": entry["LastModified"],
                    "ETag": entry.get("ETag", ""),
                    "Size": entry.get("Size", 0),
                    "StorageClass": entry.get("StorageClass", "STANDARD"),
                }
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return
            params["ContinuationToken"] = token

    def put(self, bucket: str, key: str, data: bytes | IO[bytes]) -> None:
        """Write an object from bytes or a binary file (a local bucket's folders are made as
        needed; a file is copied in pieces, never read whole)."""
        path = self._path(bucket, key)
        if path is not None:
            self._check_folder(bucket)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                if isinstance(data, bytes | bytearray):
                    handle.write(data)
                else:
                    shutil.copyfileobj(data, handle, 1 << 20)
            return
        self._call("put_object", {"Bucket": bucket, "Key": key, "Body": data})

    def content_type(self, bucket: str, key: str) -> str | None:
        """An S3 object's ContentType (HeadObject); None for a local folder's objects."""
        if self.is_local(bucket):
            return None
        found = self._call("head_object", {"Bucket": bucket, "Key": key}).get("ContentType")
        return None if found is None else str(found)

    def is_local(self, bucket: Any) -> bool:
        """Whether ``bucket`` is served from a local folder."""
        return isinstance(bucket, str) and bucket in self.folders

    def local_api(self, op: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """An S3 API call (``aws-sdk:s3:*`` Tasks) on a local-folder bucket, answered in boto3's
        shape; S3's errors are botocore ``ClientError``s, as the SDK would raise them."""
        from botocore.exceptions import ClientError

        bucket, key = str(params.get("Bucket")), str(params.get("Key") or "")
        try:
            if op == "GetObject":
                with self.open(bucket, key) as handle:
                    body = handle.read()
                found = next(iter(self.list(bucket, key)), None)
                return {
                    "Body": body,
                    "ContentLength": len(body),
                    "ETag": found["ETag"] if found else "",
                    "LastModified": found["LastModified"] if found else None,
                }
            if op == "PutObject":
                data = params.get("Body", b"")
                raw = data if isinstance(data, bytes) else str(data).encode("utf-8")
                self.put(bucket, key, raw)
                return {"ETag": f'"{hashlib.md5(raw, usedforsecurity=False).hexdigest()}"'}
            if op == "ListObjectsV2":
                prefix = str(params.get("Prefix") or "")
                contents = list(self.list(bucket, prefix))
                response: dict[str, Any] = {
                    "IsTruncated": False,
                    "Name": bucket,
                    "Prefix": prefix,
                    "MaxKeys": 1000,
                    "KeyCount": len(contents),
                }
                if contents:
                    response["Contents"] = contents
                return response
        except BucketError as exc:
            status = 404 if exc.code.startswith("NoSuch") else 400
            error = {"Error": {"Code": exc.code, "Message": exc.message}}
            raise ClientError(
                {**error, "ResponseMetadata": {"HTTPStatusCode": status}}, op
            ) from None
        raise BucketsError(
            f"arn:aws:states:::aws-sdk:s3:{op[:1].lower()}{op[1:]} is not available for the "
            f"local-folder bucket {bucket!r} (GetObject, PutObject and ListObjectsV2 are)"
        )

    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            client = self.connection.client("s3", self.region)
            return dict(getattr(client, method)(**params))
        except Exception as exc:  # every SDK failure is S3's answer, as AWS would report it
            raise _bucket_error(exc) from None


def _list_folder(folder: str, prefix: str) -> Iterator[dict[str, Any]]:
    keys: list[str] = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            relative = os.path.relpath(os.path.join(root, name), folder)
            key = relative.replace(os.sep, "/")
            if key.startswith(prefix):
                keys.append(key)
    for key in sorted(keys):  # S3 lists in UTF-8 binary order of the keys
        path = os.path.join(folder, *key.split("/"))
        stat = os.stat(path)
        yield {
            "Key": key,
            "LastModified": datetime.fromtimestamp(stat.st_mtime, timezone.utc),
            "ETag": f'"{_md5(path)}"',  # S3's ETag of a single-part upload: the quoted MD5
            "Size": stat.st_size,
            "StorageClass": "STANDARD",
        }


def _md5(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _bucket_error(exc: BaseException) -> BucketError:
    from botocore import exceptions as bex

    if isinstance(exc, bex.ClientError):
        error = exc.response.get("Error") or {}
        code = str(error.get("Code") or "S3Exception")
        return BucketError(code, str(error.get("Message") or code))
    if isinstance(exc, bex.NoCredentialsError | bex.PartialCredentialsError):
        return BucketError("SdkClientException", f"Unable to load credentials: {exc}")
    if isinstance(exc, bex.BotoCoreError):
        return BucketError("SdkClientException", f"Unable to execute HTTP request: {exc}")
    return BucketError("SdkClientException", f"{type(exc).__name__}: {exc}")
