"""A small HTTP server on 127.0.0.1 in a daemon thread, for the local stand-ins of outside
parties (a club's webhook endpoint, Strava)."""

from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from local.moto_server import serving_thread


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *_: Any, **__: Any) -> None:
        pass


class LoopbackServer:
    """Subclasses set `port` (0: any free one) and answer in `_app`."""

    port: int
    _server: BaseWSGIServer | None = None

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        self._server = make_server(
            "127.0.0.1", self.port, self._app, threaded=True, request_handler=QuietRequestHandler
        )
        self.port = self._server.server_port  # the one the system picked, for port 0
        serving_thread(self._server).start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
