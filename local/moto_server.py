"""moto in server mode, with DynamoDB requests serialized.

moto's TransactWriteItems is not safe under concurrent requests: when a transaction is
cancelled it restores a copy of the whole table taken before it started, wiping what other
threads committed meanwhile (a capacity-10 ride was seen overbooked to 25). DynamoDB itself
is linearizable per item, so serializing moto's DynamoDB requests restores the semantics the
platform relies on; other services keep serving concurrently.
"""

import socket
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from local import moto_item_order, moto_serializer, moto_transactions

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SerializedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time, everything else unchanged."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return self.app(environ, start_response)
        with self.lock, moto_transactions.serialized():
            # Drain the body inside the lock: moto may compute it lazily.
            return [b"".join(self.app(environ, start_response))]


class Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves a host.

    moto finds a request's backend anew each time, under one lock for every request of the
    server: it lists moto's package folder (a `stat` of each of its ~170 folders) and then
    tries its URL patterns one by one. A platform asks a handful of hosts thousands of
    times; the answer for a host never changes while the server runs."""

    def __init__(self, create_app: Any) -> None:
        super().__init__(create_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


def remember_event_paths() -> None:
    """moto builds a new JSONPath parser (its grammar tables included) for each of the eight
    paths it reads from every event it hands to every rule's target: a fifth of the local
    platform's CPU in a busy event path (py-spy). Each path is parsed once here."""
    import jsonpath_ng.ext

    parse = jsonpath_ng.ext.parse
    if not hasattr(parse, "cache_info"):
        jsonpath_ng.ext.parse = lru_cache(maxsize=256)(parse)


class QuietRequestHandler(MotoRequestHandler):
    """No line per request on the console; moto's own errors still surface."""

    def log_request(self, *_: Any, **__: Any) -> None:
        pass


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


# How often a server's loop looks for `shutdown()`: socketserver's default, half a second,
# was added to every stop of every stand-in a test starts.
SHUTDOWN_POLL_SECONDS = 0.05


def serving_thread(server: BaseWSGIServer) -> threading.Thread:
    """A daemon thread (not started) serving `server` until its `shutdown()`."""
    return threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True
    )


class MotoServer:
    """moto on 127.0.0.1 in a background thread; `serialize_dynamodb=False` only for the
    test that demonstrates why the lock exists."""

    def __init__(
        self,
        port: int = 0,
        *,
        serialize_dynamodb: bool = True,
        wrap: Callable[[WSGIApp], WSGIApp] | None = None,
        outer: Callable[[WSGIApp], WSGIApp] | None = None,
    ) -> None:
        """`wrap` goes inside the DynamoDB lock, `outer` outside it (where a slow answer
        does not hold up every other request)."""
        moto_serializer.install()
        remember_event_paths()
        app: WSGIApp = Dispatcher(create_backend_app)
        if wrap is not None:
            app = wrap(app)
        if serialize_dynamodb:
            moto_transactions.install()
            moto_item_order.install()
            app = SerializedDynamoDB(app)
        if outer is not None:
            app = outer(app)
        # Bound here, on the port asked for or one the system picks (a port found free and
        # bound later may be taken meanwhile).
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=QuietRequestHandler
        )
        self.port = self._server.server_port
        self._thread = serving_thread(self._server)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MotoServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
