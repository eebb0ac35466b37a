"""Delivery to a club's endpoint: checked again, pinned to the checked address, signed,
with short timeouts, no redirects, and only an excerpt of the answer kept.

urllib3 rather than requests or httpx: connecting to a chosen address while verifying TLS
for the URL's host name (`server_hostname`, `assert_hostname`) is a constructor argument
of its connection pools, the Lambda runtime already ships it (botocore's transport), and
the delivery needs nothing else of a client."""

import json
from dataclasses import dataclass
from typing import Any, Protocol

from shared.adapters.adapter import Adapter, ClientSource
from shared.adapters.egress import (
    Destination,
    EgressPolicy,
    RefusedDestination,
    Resolver,
    check_destination,
    system_resolver,
)
from shared.adapters.webhook_signature import headers as signed_headers

CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 5.0
EXCERPT_BYTES = 256
USER_AGENT = "SydneyCycling-Webhooks/1"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    excerpt: str


class Transport(Protocol):
    def post(
        self, destination: Destination, address: str, body: bytes, headers: dict[str, str]
    ) -> HttpAnswer: ...


class PinnedTransport:
    """One POST to `address`, TLS verified for the destination's host name (SNI and
    certificate), redirects returned as they are, the answer read up to an excerpt."""

    def __init__(self, ca_certs: str | None = None) -> None:
        self.ca_certs = ca_certs

    def post(
        self, destination: Destination, address: str, body: bytes, headers: dict[str, str]
    ) -> HttpAnswer:
        import urllib3

        timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS)
        pool: Any
        if destination.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                destination.port,
                timeout=timeout,
                retries=False,
                maxsize=1,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self.ca_certs,
                server_hostname=destination.host,
                assert_hostname=destination.host,
            )
        else:  # the local platform only (EgressPolicy.allow_local)
            pool = urllib3.HTTPConnectionPool(
                address, destination.port, timeout=timeout, retries=False, maxsize=1
            )
        default_port = 443 if destination.scheme == "https" else 80
        host = destination.host
        if destination.port != default_port:
            host = f"{host}:{destination.port}"
        with pool:
            response = pool.urlopen(
                "POST",
                destination.target,
                body=body,
                headers={**headers, "Host": host},
                redirect=False,
                retries=False,
                preload_content=False,
            )
            try:
                excerpt = response.read(EXCERPT_BYTES, decode_content=False)
            finally:
                response.release_conn()
        return HttpAnswer(response.status, excerpt.decode("utf-8", "replace"))


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None = None
    error: str | None = None
    excerpt: str = ""
    # False when retrying cannot help (the URL now points somewhere it may not).
    retryable: bool = True


class WebhookEndpoint(Adapter):
    """The client is a `Transport` (or a function that makes one)."""

    def __init__(
        self,
        client: ClientSource,
        policy: EgressPolicy,
        resolve: Resolver = system_resolver,
    ) -> None:
        super().__init__(client)
        self.policy = policy
        self.resolve = resolve

    def deliver(self, url: str, secret: str, envelope: dict[str, Any], timestamp: int) -> Outcome:
        try:
            destination = check_destination(url, self.policy, self.resolve)
        except RefusedDestination as refused:
            return Outcome(False, error=refused.message, retryable=False)
        body = json.dumps(envelope, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **signed_headers(secret, str(envelope["id"]), timestamp, body),
        }
        try:
            answer = self.client.post(destination, destination.addresses[0], body, headers)
        except Exception as error:  # timeouts, refused connections, TLS failures
            return Outcome(False, error=_describe(error))
        if 200 <= answer.status < 300:
            return Outcome(True, answer.status, excerpt=answer.excerpt)
        return Outcome(False, answer.status, error=f"HTTP {answer.status}", excerpt=answer.excerpt)


def _describe(error: Exception) -> str:
    """The kind of failure, without the message (which may quote the URL's query)."""
    name = type(error).__name__
    cause = type(error.__cause__).__name__ if error.__cause__ else None
    return f"{name} ({cause})" if cause and cause != name else name
