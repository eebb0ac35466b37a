"""The one shape of an adapter."""

from collections.abc import Callable
from typing import Any

ClientSource = Any | Callable[[], Any]


class Adapter:
    """Built with a client, or with a function that makes one on first use: most requests
    of a function need none of its adapters, and each botocore client costs ~70 ms of
    cold start to build. Subclasses add methods in the domain's terms and map the
    provider's errors to domain errors inside them."""

    def __init__(self, client: ClientSource) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if callable(self._client):
            self._client = self._client()
        return self._client
