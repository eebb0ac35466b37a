"""A club's webhook endpoint on this machine, to watch signed deliveries locally.

- `POST <any path>`: a delivery; kept with its headers and body. It answers 204, or, while
  failures are armed, `500` (to watch retries and the backoff).
- `GET /deliveries[?secret=whsec_...]`: what arrived, newest last; with the webhook's
  secret each delivery also says whether its signature verifies.
- `POST /fail?count=N`: the next N deliveries answer 500.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from local.loopback_server import LoopbackServer
from shared.adapters.webhook_signature import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER


@dataclass
class Received:
    path: str
    event_id: str
    timestamp: str
    signature: str
    body: bytes
    received_at: float
    answered: int

    def as_json(self, secret: str | None) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "path": self.path,
            "event_id": self.event_id,
            "timestamp": self.timestamp,
            "signature": self.signature,
            "answered": self.answered,
            "body": json.loads(self.body or b"null"),
        }
        if secret:
            shown["signature_valid"] = self.signed_with(secret)
        return shown

    def standard_headers(self) -> dict[str, str]:
        return {
            ID_HEADER: self.event_id,
            TIMESTAMP_HEADER: self.timestamp,
            SIGNATURE_HEADER: self.signature,
        }

    def signed_with(self, secret: str) -> bool:
        """Checked with the `standardwebhooks` package, as a club's receiver would (at the
        delivery's own time: the page may be read minutes later)."""
        from standardwebhooks import Webhook, WebhookVerificationError

        try:
            moment = datetime.fromtimestamp(int(self.timestamp), UTC)
            expected = Webhook(secret).sign(self.event_id, moment, self.body)
        except (ValueError, WebhookVerificationError):
            return False
        return expected in self.signature.split(" ")


@dataclass
class WebhookReceiver(LoopbackServer):
    port: int = 0
    received: list[Received] = field(default_factory=list)
    failures_left: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, count: int) -> None:
        with self._lock:
            self.failures_left = count

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method == "GET" and request.path == "/deliveries":
            with self._lock:
                shown = [r.as_json(request.args.get("secret")) for r in self.received]
            answer = Response(json.dumps(shown, indent=2), mimetype="application/json")
        elif request.method == "POST" and request.path == "/fail":
            self.fail_next(int(request.args.get("count", "1")))
            answer = Response(status=204)
        elif request.method == "POST":
            answer = Response(status=self._record(request))
        else:
            answer = Response(status=405)
        return answer(environ, start_response)

    def _record(self, request: Request) -> int:
        with self._lock:
            status = 500 if self.failures_left > 0 else 204
            self.failures_left = max(0, self.failures_left - 1)
            self.received.append(
                Received(
                    path=request.path,
                    event_id=request.headers.get(ID_HEADER, ""),
                    timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                    signature=request.headers.get(SIGNATURE_HEADER, ""),
                    body=request.get_data(),
                    received_at=time.time(),
                    answered=status,
                )
            )
        return status
