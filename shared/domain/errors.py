"""Domain errors. Each carries a stable machine-readable code and maps to one HTTP status
in `shared.api.errors`; logic and store raise them, handlers never build error answers."""

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class BadRequest(DomainError):
    code = "bad_request"
    status = 400


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class ServiceUnavailable(DomainError):
    """A dependency is throttling or briefly unavailable; the client may retry."""

    code = "service_unavailable"
    status = 503
