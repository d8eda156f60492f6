"""``bedrock:invokeModel``: Bedrock Runtime's InvokeModel with Step Functions' extra fields.

AWS's optimized integration takes InvokeModel's parameters (``ModelId``, ``Body``,
``ContentType``, ``Accept``, ``Trace``, guardrails ...) plus two fields of its own:

* ``Input: {"S3Uri": "s3://bucket/key"}`` — the request body is that object (instead of
  ``Body``; not both). Without ``ContentType`` the object's content type is used.
* ``Output: {"S3Uri": "s3://bucket/key"}`` — the response body is written to that object and
  the result's ``Body`` is a reference to it instead of the model's answer.

Objects are read and written through the Runtime's buckets (``buckets=`` maps bucket names to
local folders; other buckets go to S3 through boto3). The result is ``{"Body": <the response
body, parsed when it is JSON>, "ContentType": ...}``; errors are ``Bedrock.<Exception>``.

A model cannot run locally: without AWS access configured (``boto3_session=`` or
``aws_endpoint_url=``) the Task fails saying what to do (a mock, or an endpoint), rather than
reaching for AWS with whatever credentials happen to be around.

>>> split_s3_uri("s3://my-bucket/prompts/a.json")
('my-bucket', 'prompts/a.json')
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
from typing import Any

from sfn_notebook.engine.items import BucketError
from sfn_notebook.engine.resources import ResourceRegistry, TaskCall, TaskFailure
from sfn_notebook.errors import StatesError
from sfn_notebook.integrations.job_table import BEDROCK_NAMING
from sfn_notebook.integrations.services import Services, _ServiceResource

# What S3 says of an object stored without a content type.
S3_DEFAULT_CONTENT_TYPE = "binary/octet-stream"


def split_s3_uri(uri: Any) -> tuple[str, str] | None:
    """``s3://bucket/key`` into (bucket, key); None when it is not such a URI."""
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        return None
    bucket, _, key = uri[5:].partition("/")
    return (bucket, key) if bucket and key else None


def bedrock_result(response: dict[str, Any]) -> dict[str, Any]:
    """InvokeModel's response as the Task's result: ``Body`` parsed when it is JSON (AWS parses
    it for the state) and ``ContentType`` (boto3 names them ``body`` and ``contentType``)."""
    body = response.get("body", response.get("Body"))
    content_type = response.get("contentType", response.get("ContentType"))
    if isinstance(body, bytes | bytearray):
        text = bytes(body).decode("utf-8", "replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = text
    return {"Body": body, "ContentType": content_type}


class BedrockInvoke(_ServiceResource):
    """``arn:aws:states:::bedrock:invokeModel``."""

    resource_type, resource_name = "bedrock", "invokeModel"

    def __init__(self, services: Services, registry: ResourceRegistry, arn: str) -> None:
        super().__init__(services, registry)
        self.arn = arn
        self.naming = BEDROCK_NAMING

    async def invoke(self, call: TaskCall) -> Any:
        if not self.services.aws.explicit:
            raise StatesError(
                "States.Runtime",
                f"The resource {self.arn} (state {call.state_name!r}) is not run locally: a "
                "Bedrock model cannot run here. Give the state a mock (a MockConfigFile test "
                "case, mocks=), or reach Bedrock Runtime through AWS or an endpoint that serves "
                "it (Runtime(boto3_session=...) or Runtime(aws_endpoint_url=...)).",
            )
        try:
            return await self.work(call)
        except (StatesError, asyncio.CancelledError):
            raise
        except Exception as exc:  # whatever goes wrong fails the Task, never the runtime
            raise TaskFailure(
                f"{self.naming.prefix}.SdkClientException", f"{type(exc).__name__}: {exc}"
            ) from None

    async def work(self, call: TaskCall) -> Any:
        params = dict(call.payload) if isinstance(call.payload, dict) else {}
        source = params.pop("Input", None)
        target = params.pop("Output", None)
        if source is not None and "Body" in params:
            self._bad(call, "Body and Input cannot both be given")
        loop = asyncio.get_running_loop()
        if source is not None:
            where = self._uri(call, source, "Input")
            body, content_type = await loop.run_in_executor(
                self.registry.executor, self._read, *where
            )
            params["Body"] = body
            params.setdefault("ContentType", content_type)
        elif "Body" not in params:
            self._bad(call, "either Body or Input is required")
        else:
            body = params["Body"]
            if not isinstance(body, str | bytes):
                # A JSON body: AWS serialises it (and Bedrock's ContentType defaults to JSON).
                params["Body"] = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        if isinstance(params["Body"], str):
            params["Body"] = params["Body"].encode("utf-8")
        placed = self._uri(call, target, "Output") if target is not None else None
        response = await self.call_api("bedrock-runtime", "InvokeModel", params, call, self.naming)
        if placed is None:
            return bedrock_result(response)
        raw = response.get("body", response.get("Body")) or b""
        await loop.run_in_executor(self.registry.executor, self._write, *placed, bytes(raw))
        result = bedrock_result(response)
        result["Body"] = {"S3Uri": target["S3Uri"]}
        return result

    def _uri(self, call: TaskCall, given: Any, field: str) -> tuple[str, str]:
        where = split_s3_uri(given.get("S3Uri") if isinstance(given, dict) else None)
        if where is None:
            self._bad(call, f"{field} must be an object with an S3Uri of the form s3://bucket/key")
        assert where is not None
        return where

    def _bad(self, call: TaskCall, problem: str) -> None:
        # As AWS rejects parameters its integration cannot use: the execution fails.
        raise StatesError(
            "States.Runtime",
            f"An error occurred while executing the state {call.state_name!r}. The Parameters "
            f"could not be used to start the Task: [{problem}]",
        )

    def _buckets(self) -> Any:
        buckets = self.registry.buckets
        if buckets is None:
            raise TaskFailure("States.TaskFailed", "No S3 buckets are available to this Runtime")
        return buckets

    def _read(self, bucket: str, key: str) -> tuple[bytes, str]:
        buckets = self._buckets()
        try:
            with buckets.open(bucket, key) as handle:
                data = handle.read()
            if buckets.is_local(bucket):
                content_type = mimetypes.guess_type(key)[0] or S3_DEFAULT_CONTENT_TYPE
            else:
                content_type = buckets.content_type(bucket, key) or S3_DEFAULT_CONTENT_TYPE
        except BucketError as exc:
            raise TaskFailure(
                "States.TaskFailed", f"Could not read the Input s3://{bucket}/{key}: {exc}"
            ) from None
        return bytes(data), str(content_type)

    def _write(self, bucket: str, key: str, data: bytes) -> None:
        try:
            self._buckets().put(bucket, key, data)
        except BucketError as exc:
            raise TaskFailure(
                "States.TaskFailed", f"Could not write the Output s3://{bucket}/{key}: {exc}"
            ) from None
