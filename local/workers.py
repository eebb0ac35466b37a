"""Runs the real Lambda handlers in worker processes, one request at a time per worker.

Each worker is like a Lambda execution environment: handlers keep their module state
(clients, resolver) between requests, and concurrency comes from several workers, so
requests race in DynamoDB exactly as concurrent Lambda invocations do.
"""

import importlib
import multiprocessing
import os
import signal
import sys
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
INVOKE_TIMEOUT_SECONDS = 30


@dataclass
class LocalLambdaContext:
    """The attributes of a Lambda context that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:ap-southeast-2:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return INVOKE_TIMEOUT_SECONDS * 1000


# In a worker: what every function shares, each function's own variables, and whose are
# set now. A worker hosts every function (Lambda gives each its own environments), so it
# swaps the variables before each invocation: a function sees its own and no other's.
_BASE: dict[str, str] = {}
_FUNCTIONS: dict[str, dict[str, str]] = {}
_CURRENT: list[str] = [""]


def _init_worker(env: Mapping[str, str], functions: Mapping[str, Mapping[str, str]]) -> None:
    # Ctrl-C reaches the whole process group; the platform shuts the workers down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _BASE.update(os.environ)
    _BASE.update(env)
    _FUNCTIONS.update({handler: dict(variables) for handler, variables in functions.items()})
    # The Lambda layout: layers put `shared` on the path, the asset root holds the service.
    sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "services")]


def _enter(handler: str) -> None:
    """The environment of `handler`'s function; an undeclared function has none here."""
    if _CURRENT[0] != handler:
        variables = _FUNCTIONS[handler]
        os.environ.clear()
        os.environ.update(_BASE)
        os.environ.update(variables)
        _CURRENT[0] = handler


@cache
def _load(handler: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    module, _, name = handler.rpartition(".")
    function: Callable[[dict[str, Any], Any], dict[str, Any]] = getattr(
        importlib.import_module(module), name
    )
    return function


def _invoke(handler: str, event: dict[str, Any]) -> Any:
    _enter(handler)
    return _load(handler)(event, LocalLambdaContext(function_name=handler.split(".")[0]))


def _warm(handler: str) -> None:
    _enter(handler)
    _load(handler)


class HandlerPool:
    def __init__(
        self,
        env: Mapping[str, str],
        functions: Mapping[str, Mapping[str, str]],
        workers: int = 4,
    ) -> None:
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            # spawn: a fresh interpreter per worker, nothing inherited from the gateway's
            # threads or moto's state.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(dict(env), {h: dict(v) for h, v in functions.items()}),
        )
        self.workers = workers

    def warm(self, handlers: list[str]) -> None:
        """Import every handler in every worker now rather than on the first request."""
        futures = [
            self._executor.submit(_warm, handler)
            for _ in range(self.workers)
            for handler in handlers
        ]
        for future in futures:
            future.result(timeout=120)

    def invoke(self, handler: str, event: dict[str, Any]) -> Any:
        return self._executor.submit(_invoke, handler, event).result(timeout=INVOKE_TIMEOUT_SECONDS)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
