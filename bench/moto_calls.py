"""DynamoDB calls against moto: its own serializer against `local/moto_serializer.py`.

The same reads (a point read and a partition query of 50 items, each item shaped like a
ride) run in one process, first with moto's serializer, then with the local one; the
figure is the ratio, since these machines are noisy.
"""

import os
import time
from collections.abc import Callable
from typing import Any

import boto3
from moto import mock_aws
from moto.core import serialize

from local import moto_serializer
from local.provision import create_table

TABLE = "bench-moto"
ITEMS = 50


def _item(index: int) -> dict[str, Any]:
    return {
        "PK": {"S": "CLUB#bench"},
        "SK": {"S": f"RIDE#{index:04d}"},
        "title": {"S": "Saturday bunch ride to Cronulla"},
        "starts_at": {"S": "2027-01-02T06:00:00+11:00"},
        "capacity": {"N": "20"},
        "confirmed": {"N": str(index % 20)},
        "tags": {"SS": ["road", "social"]},
        "route": {"M": {"distance_km": {"N": "62.5"}, "climb_m": {"N": "410"}}},
    }


def _calls(client: Any) -> Callable[[], None]:
    def run() -> None:
        for index in range(ITEMS):
            client.get_item(TableName=TABLE, Key={k: _item(index)[k] for k in ("PK", "SK")})
        client.query(
            TableName=TABLE,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "CLUB#bench"}},
        )

    return run


def _best_of(run: Callable[[], None], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def measure(rounds: int = 5) -> dict[str, float]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-2")
    with mock_aws():
        client = boto3.client("dynamodb")
        create_table(client, TABLE)
        for index in range(ITEMS):
            client.put_item(TableName=TABLE, Item=_item(index))
        run = _calls(client)
        saved = serialize.SERVICE_SPECIFIC_SERIALIZERS.pop("dynamodb", None)
        try:
            stock = _best_of(run, rounds)
            moto_serializer.install()
            local = _best_of(run, rounds)
        finally:
            serialize.SERVICE_SPECIFIC_SERIALIZERS.pop("dynamodb", None)
            if saved is not None:
                serialize.SERVICE_SPECIFIC_SERIALIZERS["dynamodb"] = saved
    return {"moto_ms": stock * 1000, "local_ms": local * 1000}


def report(figures: dict[str, float]) -> str:
    ratio = figures["moto_ms"] / figures["local_ms"]
    return (
        f"  {ITEMS} GetItem + 1 Query of {ITEMS} items: moto's serializer "
        f"{figures['moto_ms']:.0f} ms, local {figures['local_ms']:.0f} ms ({ratio:.1f}x faster)"
    )


if __name__ == "__main__":
    print(report(measure()))
