"""What can go wrong talking to AWS, said so a reader knows what to fix.

Every botocore failure that reaches a user is turned into an :class:`AwsError` subclass whose
message says what happened and ends with ``Fix: ...``. The botocore exception is kept as
``.original`` but never chained, so a notebook shows one clear line instead of a botocore
traceback.

>>> from botocore.exceptions import NoRegionError
>>> err = translate(NoRegionError(), service="stepfunctions", operation="DescribeExecution")
>>> type(err).__name__, "region=" in str(err)
('AwsRegionError', True)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from botocore import exceptions as bx

from sfn_notebook.errors import SfnNotebookError

_IAM_PREFIX = {"stepfunctions": "states", "lambda": "lambda", "iam": "iam", "sts": "sts"}
_LABEL = {"stepfunctions": "Step Functions", "lambda": "Lambda", "iam": "IAM", "sts": "STS"}
_XML_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.S)
_XML_CODE = re.compile(r"<Code>(.*?)</Code>", re.S)
_HTML_TEXT = re.compile(r"<p>(.*?)</p>|<title>(.*?)</title>", re.S | re.I)


class AwsError(SfnNotebookError):
    """A call to AWS (or LocalStack, or moto's server) failed; ``code`` is AWS's error code."""

    code = "AwsError"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        operation: str | None = None,
        original: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.operation = operation
        self.original = original


class AwsCredentialsError(AwsError):
    """No credentials, or credentials AWS does not accept (unknown, expired)."""

    code = "MissingCredentials"


class AwsRegionError(AwsError):
    """No region, an unknown region, or an ARN from another region than the connection's."""

    code = "WrongRegion"


class AwsAccessDenied(AwsError):
    """The identity is not allowed to make the call (IAM)."""

    code = "AccessDeniedException"


class AwsConnectionError(AwsError):
    """The endpoint could not be reached."""

    code = "EndpointConnectionError"


class AwsThrottled(AwsError):
    """AWS kept answering ThrottlingException after botocore's retries."""

    code = "ThrottlingException"


class AwsNotFound(AwsError):
    """The state machine, execution, alias or function does not exist (here)."""

    code = "ResourceNotFound"


_CREDENTIAL_FIX = (
    "Fix: run `aws configure` (or `aws sso login --profile NAME`), set AWS_PROFILE or "
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass profile=/session= to "
    "sfn_notebook.aws.connect(). For moto's server or LocalStack any non-empty key pair works."
)
_BAD_TOKEN_CODES = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "IncompleteSignature",
}
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "403"}
_THROTTLE_CODES = {"ThrottlingException", "Throttling", "TooManyRequestsException"}
_NOT_FOUND_CODES = {
    "StateMachineDoesNotExist",
    "ExecutionDoesNotExist",
    "ResourceNotFound",
    "ResourceNotFoundException",
    "ActivityDoesNotExist",
    "NoSuchEntity",
}


def _who(where: Mapping[str, Any]) -> str:
    parts = []
    if where.get("profile"):
        parts.append(f"profile '{where['profile']}'")
    if where.get("region"):
        parts.append(f"region {where['region']}")
    if where.get("endpoint_url"):
        parts.append(f"endpoint {where['endpoint_url']}")
    return f" ({', '.join(parts)})" if parts else ""


def known_regions() -> list[str]:
    """Regions botocore knows for Step Functions (no network call)."""
    import boto3

    return sorted(boto3.session.Session().get_available_regions("stepfunctions"))


def region_hint(region: str | None) -> str:
    """' (did you mean us-east-1?)' for a region botocore does not know; '' otherwise."""
    if not region:
        return ""
    regions = known_regions()
    if not regions or region in regions:
        return ""
    close = difflib.get_close_matches(region, regions, n=2)
    guess = f"; did you mean {' or '.join(close)}?" if close else ""
    return f" ('{region}' is not a region botocore knows{guess})"


def _client_error_parts(exc: bx.ClientError) -> tuple[str, str, int]:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    # moto's IAM check answers JSON-protocol calls with an XML body botocore cannot read: the
    # code comes out as the HTTP status and the message as the raw XML.
    if "<Code>" in message:
        found_code = _XML_CODE.search(message)
        found_message = _XML_MESSAGE.search(message)
        code = found_code.group(1) if found_code else code
        message = found_message.group(1) if found_message else message
    elif "<html" in message.lower():  # an HTML error page (a proxy, or moto's 500s): its text
        found = _HTML_TEXT.search(message)
        message = " ".join((found.group(1) or found.group(2)).split()) if found else "HTML page"
    return code, message, status


def translate(
    exc: BaseException,
    *,
    service: str,
    operation: str,
    where: Mapping[str, Any] | None = None,
    resource: str | None = None,
) -> AwsError:
    """The :class:`AwsError` to raise for a botocore exception from ``service``'s ``operation``.

    ``where`` describes the connection (profile, region, endpoint_url) for the message;
    ``resource`` is the ARN or name the call was about.
    """
    where = dict(where or {})
    who = _who(where)
    action = f"{_IAM_PREFIX.get(service, service)}:{operation}"
    about = f" on {resource}" if resource else ""

    def made(cls: type[AwsError], text: str, code: str | None = None) -> AwsError:
        return cls(text, code=code, operation=operation, original=exc)

    if isinstance(exc, bx.ProfileNotFound):
        return made(
            AwsCredentialsError,
            f"AWS profile '{where.get('profile') or exc.kwargs.get('profile')}' is not configured. "
            "Fix: pick one listed by `aws configure list-profiles`, or create it with "
            "`aws configure --profile NAME`.",
            "ProfileNotFound",
        )
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return made(AwsCredentialsError, f"No AWS credentials found{who}. {_CREDENTIAL_FIX}")
    if isinstance(
        exc,
        (bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError, bx.TokenRetrievalError, bx.SSOError),
    ):
        profile = f" --profile {where['profile']}" if where.get("profile") else ""
        return made(
            AwsCredentialsError,
            f"The AWS SSO session{who} is missing or expired ({exc}). "
            f"Fix: run `aws sso login{profile}`.",
            "ExpiredToken",
        )
    if isinstance(exc, bx.CredentialRetrievalError):
        return made(
            AwsCredentialsError,
            f"AWS credentials could not be loaded{who}: {exc}. {_CREDENTIAL_FIX}",
        )
    if isinstance(exc, bx.NoRegionError):
        return made(
            AwsRegionError,
            "No AWS region is configured. Fix: pass region='us-east-1' (or yours) to "
            "sfn_notebook.aws.connect(), set AWS_DEFAULT_REGION, or give your profile a region.",
            "NoRegion",
        )
    if isinstance(exc, (bx.InvalidRegionError, bx.UnknownRegionError)):
        return made(
            AwsRegionError,
            f"{exc}. Fix: pass a region such as 'us-east-1' to sfn_notebook.aws.connect().",
        )
    if isinstance(
        exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ProxyConnectionError)
    ):
        url = getattr(exc, "kwargs", {}).get("endpoint_url") or where.get("endpoint_url") or ""
        hint = region_hint(where.get("region")) if not where.get("endpoint_url") else ""
        fix = (
            "Fix: check the region (sfn_notebook.aws.connect(region=...)) and your network"
            if not where.get("endpoint_url")
            else "Fix: start that server (moto, LocalStack) or correct endpoint_url="
        )
        return made(
            AwsConnectionError,
            f"Could not reach {_LABEL.get(service, service)} at {url or 'its endpoint'}{hint} "
            f"for {operation}. {fix}.",
        )
    if isinstance(exc, bx.ParamValidationError):
        return made(AwsError, f"Invalid parameters for {operation}: {exc}", "ValidationException")
    if isinstance(exc, bx.ClientError):
        code, message, status = _client_error_parts(exc)
        if code in _DENIED_CODES or (status == 403 and code not in _BAD_TOKEN_CODES):
            return made(
                AwsAccessDenied,
                f"AWS denied {action}{about}{who}: {message or code}. Fix: allow `{action}` "
                "for this resource in the IAM policy of the identity you use, or connect with "
                "another profile or role (sfn_notebook.aws.connect(profile=...)).",
                code if code and code != "403" else "AccessDeniedException",
            )
        if code in _BAD_TOKEN_CODES:
            return made(
                AwsCredentialsError,
                f"AWS rejected the credentials{who} for {action}: {message or code}. "
                "Fix: refresh or replace them (expired session? keys for another partition?); "
                f"{_CREDENTIAL_FIX[5:]}",
                code,
            )
        if code in _THROTTLE_CODES:
            return made(
                AwsThrottled,
                f"AWS throttled {action}{who} after retries: {message or code}. Fix: poll less "
                "often (follow fewer executions at once, or a larger poll interval) or ask AWS "
                "for a higher API quota.",
                code,
            )
        if code in _NOT_FOUND_CODES:
            region = where.get("region")
            hint = f" in region {region}" if region else ""
            return made(
                AwsNotFound,
                f"{message or code}{hint}. Fix: check the name or ARN, and that you are connected "
                "to the account and region where it lives (sfn_notebook.aws.connect(region=...)).",
                code,
            )
        return made(AwsError, f"{operation} failed{who}: {code}: {message}", code or None)
    if isinstance(exc, bx.BotoCoreError):
        return made(AwsError, f"{operation} failed{who}: {exc}", type(exc).__name__)
    return made(AwsError, f"{operation} failed{who}: {type(exc).__name__}: {exc}")


def arn_region(arn: str) -> str | None:
    """The region part of an ARN (``arn:aws:states:<region>:...``), or None.

    >>> arn_region("arn:aws:states:eu-west-1:123456789012:execution:m:e")
    'eu-west-1'
    """
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 4 and parts[0] == "arn" else None


def check_arn_region(arn: str, region: str | None, what: str = "ARN") -> None:
    """Raise :class:`AwsRegionError` when ``arn`` lives in another region than the connection."""
    found = arn_region(arn)
    if found and region and found != region:
        raise AwsRegionError(
            f"The {what} {arn} is in region {found}, but this connection is for {region}. "
            f"Fix: sfn_notebook.aws.connect(region='{found}', ...).",
        )
