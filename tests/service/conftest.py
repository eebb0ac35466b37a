"""Handlers in-process against moto, driven with API Gateway-shaped events."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bench.in_process import LambdaContext
from local.provision import create_table
from local.proxy_event import build_proxy_event
from shared.api.revoked_accounts import revoked_accounts
from shared.events import DomainEvent
from shared.store.table import Table

TABLE = "sydney-cycling-test"
ADMIN = {"sub": "11111111-1111-4111-8111-111111111111", "custom:system_role": "SiteAdmin"}
RIDER = {"sub": "22222222-2222-4222-8222-222222222222", "custom:system_role": "User"}


@dataclass
class ApiAnswer:
    status: int
    body: Any
    headers: dict[str, str]


# The attributes of a Lambda context the Powertools logger reads (the benches' own).
LambdaContextStub = LambdaContext


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture(autouse=True)
def _fresh_revocation_list() -> Iterator[None]:
    """Each test's functions read the deleted accounts afresh (from its own table), as a
    new execution environment would."""
    revoked_accounts.cache_clear()
    yield
    revoked_accounts.cache_clear()


@pytest.fixture
def dynamodb(aws: None) -> Any:
    client = boto3.client("dynamodb")
    create_table(client, TABLE)
    return client


@pytest.fixture
def table(dynamodb: Any) -> Table:
    return Table(dynamodb, TABLE)


Invoke = Callable[..., ApiAnswer]


def make_invoker(handler: Callable[[dict[str, Any], Any], dict[str, Any]]) -> Invoke:
    def invoke(
        method: str,
        resource: str,
        *,
        path_params: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        body: Any = None,
        raw_body: str | None = None,
        claims: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiAnswer:
        path = resource
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", value)
        event = build_proxy_event(
            method=method,
            resource=resource,
            path=path,
            path_parameters=path_params,
            query={k: [v] for k, v in (query or {}).items()},
            headers={"Content-Type": "application/json", **(headers or {})},
            body=raw_body if raw_body is not None else (None if body is None else json.dumps(body)),
            claims=claims,
        )
        answer = handler(event, LambdaContextStub())
        text = answer.get("body") or "null"
        answered = dict(answer.get("headers") or {})
        for name, values in (answer.get("multiValueHeaders") or {}).items():
            answered[name] = ",".join(values)
        try:
            body_value = json.loads(text)
        except ValueError:  # not JSON (an HTML page, a calendar): the text itself
            body_value = text
        return ApiAnswer(answer["statusCode"], body_value, answered)

    return invoke


def snapshot(table: Table) -> list[dict[str, Any]]:
    """Every item of the table, in key order: equal snapshots before and after a refused
    request prove that it wrote nothing."""
    items = table.client.scan(TableName=table.name, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def add_profiles(table: Table, *subs: str) -> None:
    """Profiles for users a test refers to by id (a club's first admin must exist)."""
    from shared.domain.clock import utc_now
    from shared.domain.user import new_profile
    from shared.store.users import create_profile

    for sub in subs:
        create_profile(table, new_profile(sub, None, utc_now()))


def emitted_metrics(output: str) -> list[tuple[str, dict[str, str]]]:
    """The metrics in EMF lines: name and dimensions (values of the dimension keys)."""
    found = []
    for line in output.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            keys = {key for dimension_set in directive["Dimensions"] for key in dimension_set}
            for metric in directive["Metrics"]:
                found.append((metric["Name"], {key: document[key] for key in keys}))
    return found


def sqs_batch(*events: DomainEvent) -> dict[str, Any]:
    """What a consumer's queue hands its function: EventBridge envelopes in SQS records."""
    return {
        "Records": [
            {
                "messageId": f"m{n}",
                "receiptHandle": f"r{n}",
                "body": json.dumps(
                    {"detail-type": e.event_type, "detail": e.model_dump(mode="json")}
                ),
                "attributes": {},
                "eventSource": "aws:sqs",
            }
            for n, e in enumerate(events)
        ]
    }
