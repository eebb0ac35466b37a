"""Fault mode for the local platform: DynamoDB answers as it does under contention and
load (`python -m local --faults conflict=0.05,throttle=0.05,error=0.02,slow=0.05`).

- conflict: a TransactWriteItems is cancelled with `TransactionConflict` for every item,
  as DynamoDB does when another transaction holds one of them;
- throttle: `ProvisionedThroughputExceededException` (400);
- error: `InternalServerError` (500);
- slow: the answer comes 50-300 ms late.

Faults are decided before moto sees the request, so a refused request changed nothing,
exactly as in DynamoDB. Rates can change while the platform runs (`LocalPlatform.faults`).
"""

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
KINDS = ("conflict", "throttle", "error", "slow")


def parse_rates(text: str) -> dict[str, float]:
    """`conflict=0.05,throttle=0.02` -> {"conflict": 0.05, "throttle": 0.02}."""
    rates: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name not in KINDS:
            raise ValueError(f"unknown fault '{name}': choose from {', '.join(KINDS)}")
        rate = float(value)
        if not 0 <= rate <= 1:
            raise ValueError(f"the rate of {name} must be between 0 and 1")
        rates[name] = rate
    return rates


@dataclass
class Faults:
    rates: dict[str, float] = field(default_factory=dict)
    injected: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=random.Random)

    def set(self, rates: dict[str, float]) -> None:
        with self._lock:
            self.rates = dict(rates)

    def draw(self, kind: str) -> bool:
        with self._lock:
            return self._random.random() < self.rates.get(kind, 0.0)

    def count(self, operation: str, fault: str | None) -> None:
        with self._lock:
            self.requests[operation] += 1
            if fault:
                self.injected[fault] += 1


def _error(
    code: str, message: str, status: str, extra: dict[str, Any] | None = None
) -> tuple[str, bytes]:
    body = {
        "__type": f"com.amazonaws.dynamodb.v20120810#{code}",
        "message": message,
        **(extra or {}),
    }
    return status, json.dumps(body).encode()


class FaultInjector:
    """WSGI middleware in front of moto's DynamoDB."""

    def __init__(self, app: WSGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB_") or not self.faults.rates:
            return self.app(environ, start_response)
        operation = target.rpartition(".")[2]
        answer = self._fault(operation, environ)
        self.faults.count(operation, answer[0] if answer else None)
        if answer is None:
            return self.app(environ, start_response)
        _, status, body = answer
        start_response(status, [("Content-Type", "application/x-amz-json-1.0")])
        return [body]

    def _fault(self, operation: str, environ: dict[str, Any]) -> tuple[str, str, bytes] | None:
        if self.faults.draw("slow"):
            time.sleep(random.uniform(0.05, 0.3))
        if operation == "TransactWriteItems" and self.faults.draw("conflict"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length)
            items = json.loads(raw or b"{}").get("TransactItems", [])
            reasons = [
                {"Code": "TransactionConflict", "Message": "Transaction is ongoing"} for _ in items
            ]
            status, body = _error(
                "TransactionCanceledException",
                "Transaction cancelled, please refer cancellation reasons for specific reasons "
                f"[{', '.join('TransactionConflict' for _ in items)}]",
                "400 Bad Request",
                {"CancellationReasons": reasons},
            )
            return "conflict", status, body
        if self.faults.draw("throttle"):
            status, body = _error(
                "ProvisionedThroughputExceededException", "Throughput exceeded", "400 Bad Request"
            )
            return "throttle", status, body
        if self.faults.draw("error"):
            status, body = _error(
                "InternalServerError", "Internal server error", "500 Internal Server Error"
            )
            return "error", status, body
        return None
