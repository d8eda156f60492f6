"""How an ``AwsRuntime`` reaches AWS: boto3 clients, rate-limited calls, translated errors.

:class:`AwsTransport` is the lower half of :class:`~sfn_notebook.aws.connection.AwsRuntime`
(the facade that adds executions, deploy and import on top). It knows nothing of executions,
deployments or imports: those modules sit above it, and the facade above them.

>>> t = AwsTransport(region="eu-west-1", endpoint_url="http://127.0.0.1:5000",
...                  credentials=("testing", "testing"))
>>> t.region, t.state_machine_arn("orders", account="123456789012")
('eu-west-1', 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders')
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sfn_notebook.aws.errors import check_arn_region, translate

if TYPE_CHECKING:
    import boto3

#: Calls per second one AwsRuntime allows itself. AWS refills its per-account buckets for
#: DescribeExecution and GetExecutionHistory at a few calls per second; a notebook should leave
#: most of that to the workloads sharing the account.
CALLS_PER_SECOND = 5.0
BURST = 20  # a deploy (a dozen calls) goes out at once


class RateLimiter:
    """A token bucket: ``acquire()`` blocks until a call may go out.

    >>> limiter = RateLimiter(rate=1000.0, burst=2)
    >>> limiter.acquire(); limiter.acquire(); limiter.waited >= 0
    True
    """

    def __init__(
        self,
        rate: float = CALLS_PER_SECOND,
        burst: int = BURST,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._monotonic = monotonic
        self._tokens = float(burst)
        self._stamp = monotonic()
        self._lock = threading.Lock()
        self._idle = threading.Event()  # never set: its wait() is an interruptible sleep
        self.waited = 0.0  # seconds spent waiting for tokens, for the curious

    def acquire(self) -> None:
        if self.rate <= 0:
            return
        with self._lock:
            now = self._monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1
            delay = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if delay > 0:
            self.waited += delay
            self._idle.wait(delay)


class AwsTransport:
    """The transport under :class:`~sfn_notebook.aws.connection.AwsRuntime`: boto3 clients, calls,
    the rate limit, error translation and the caller's identity.

    ``session`` (a ``boto3.Session``), ``profile``, ``region`` and ``endpoint_url`` choose where
    calls go; ``client`` passes a ready ``stepfunctions`` client instead. ``credentials`` is an
    ``(access key, secret key[, session token])`` tuple for servers that accept any key (moto,
    LocalStack). ``calls_per_second``/``burst`` bound this object's API traffic;
    ``poll_interval`` (seconds, growing to ``max_poll_interval`` while nothing happens) paces
    :meth:`RemoteExecution.wait` and live following.

    Any boto3 ``stepfunctions`` operation is a method (``aws.list_state_machines()``,
    ``aws.start_execution(stateMachineArn=..., input=...)``) returning boto3's response.
    """

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        client: Any = None,
        credentials: tuple[str, ...] | None = None,
        config: Any = None,
        calls_per_second: float = CALLS_PER_SECOND,
        burst: int = BURST,
        poll_interval: float = 1.0,
        max_poll_interval: float = 5.0,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.profile = profile
        self.endpoint_url = endpoint_url
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.limiter = RateLimiter(calls_per_second, burst)
        #: API calls made through this object, by operation name (``GetExecutionHistory`` ...).
        self.calls: Counter[str] = Counter()
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._identity: dict[str, str] | None = None
        #: Operations the server is known to lack (moto has no PublishStateMachineVersion):
        #: callers take another way round instead of calling them.
        self.unsupported: set[str] = set()
        self._config = config or Config(
            retries={"mode": "standard", "max_attempts": 5},
            user_agent_extra="sfn-notebook",
            connect_timeout=10,
            read_timeout=60,
        )
        where = {"profile": profile, "region": region, "endpoint_url": endpoint_url}
        try:
            if session is None:
                keys: dict[str, Any] = {}
                if credentials is not None:
                    keys = dict(
                        zip(
                            ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"),
                            credentials,
                            strict=False,
                        )
                    )
                session = boto3.Session(profile_name=profile, region_name=region, **keys)
            self.session = session
            if client is not None:
                self._clients["stepfunctions"] = client
                self.region = client.meta.region_name
                self.endpoint_url = endpoint_url or _custom_endpoint(client)
            else:
                self.region = region or session.region_name
                self._clients["stepfunctions"] = self._make_client("stepfunctions")
        except Exception as exc:  # botocore: profile, region, config problems
            raise translate(
                exc, service="stepfunctions", operation="connect", where=where
            ) from None
        self.client = self._clients["stepfunctions"]

    # Clients and calls ------------------------------------------------------------------------

    @property
    def where(self) -> dict[str, Any]:
        return {"profile": self.profile, "region": self.region, "endpoint_url": self.endpoint_url}

    def _make_client(self, service: str) -> Any:
        return self.session.client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            config=self._config,
        )

    def client_for(self, service: str) -> Any:
        """The boto3 client for another service (``lambda``, ``iam``, ``sts``), same settings."""
        with self._lock:
            found = self._clients.get(service)
            if found is None:
                try:
                    found = self._clients[service] = self._make_client(service)
                except Exception as exc:
                    raise translate(
                        exc, service=service, operation="connect", where=self.where
                    ) from None
            return found

    def call(
        self,
        method: str,
        *,
        service: str = "stepfunctions",
        resource: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Call a boto3 client method (``"describe_execution"``) under the rate limit.

        Failures raise :class:`~sfn_notebook.aws.errors.AwsError` subclasses (never botocore's).
        """
        client = self.client_for(service)
        operation = client.meta.method_to_api_mapping.get(method, method)
        self.limiter.acquire()
        self.calls[operation] += 1
        try:
            response: dict[str, Any] = getattr(client, method)(**kwargs)
        except Exception as exc:
            about = resource or _resource_of(kwargs)
            raise translate(
                exc, service=service, operation=operation, where=self.where, resource=about
            ) from None
        return response

    def __getattr__(self, name: str) -> Any:
        # boto3's dialect: any stepfunctions operation, rate limited, errors translated.
        clients = self.__dict__.get("_clients") or {}
        client = clients.get("stepfunctions")
        if client is None or name not in client.meta.method_to_api_mapping:
            raise AttributeError(name)

        def operation(**kwargs: Any) -> dict[str, Any]:
            return self.call(name, **kwargs)

        operation.__name__ = name
        operation.__doc__ = f"boto3 ``stepfunctions.{name}`` through this connection."
        return operation

    def __dir__(self) -> Iterable[str]:
        return sorted(set(super().__dir__()) | set(self.client.meta.method_to_api_mapping))

    # Identity -------------------------------------------------------------------------------

    def identity(self) -> dict[str, str]:
        """``{"account": ..., "arn": ...}`` of the caller (one STS call, remembered)."""
        if self._identity is None:
            found = self.call("get_caller_identity", service="sts")
            self._identity = {"account": str(found["Account"]), "arn": str(found["Arn"])}
        return self._identity

    @property
    def account(self) -> str:
        return self.identity()["account"]

    def state_machine_arn(self, name: str, *, account: str | None = None) -> str:
        """The ARN of a state machine called ``name`` here (an ARN is returned as it is)."""
        if name.startswith("arn:"):
            check_arn_region(name, self.region, "state machine ARN")
            return name
        return f"{self.arn_prefix('states', account)}:stateMachine:{name}"

    def arn_prefix(self, service: str, account: str | None = None) -> str:
        """``arn:<partition>:<service>:<region>:<account>`` for ARNs made here."""
        if account is None:
            account = self.account
        partition = self.session.get_partition_for_region(self.region)
        return f"arn:{partition}:{service}:{self.region}:{account}"


def _custom_endpoint(client: Any) -> str | None:
    url = str(client.meta.endpoint_url)
    return None if url.endswith(".amazonaws.com") or ".amazonaws.com." in url else url


def _resource_of(kwargs: Mapping[str, Any]) -> str | None:
    for key in (
        "executionArn",
        "stateMachineArn",
        "stateMachineAliasArn",
        "resourceArn",
        "FunctionName",
        "name",
    ):
        if isinstance(kwargs.get(key), str):
            return str(kwargs[key])
    return None
