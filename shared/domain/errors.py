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
    """Input that cannot even be read: a malformed id, cursor or body."""

    code = "bad_request"
    status = 400


class Unauthorized(DomainError):
    """No verified identity on the request."""

    code = "unauthorized"
    status = 401


class Forbidden(DomainError):
    """The caller is known but may not do this (a missing capability, or a rule about
    the caller's own membership or role)."""

    code = "forbidden"
    status = 403


class NotFound(DomainError):
    """No such resource (or none the caller may know of)."""

    code = "not_found"
    status = 404


class Conflict(DomainError):
    """The request meets the state it acts on badly: a duplicate, a stale version, a
    lost race or a rule of the domain (the last admin, a full ride)."""

    code = "conflict"
    status = 409


class Unprocessable(DomainError):
    """Well-formed input that the domain (or a provider acting for it) refuses."""

    code = "validation_error"
    status = 422


class ServiceUnavailable(DomainError):
    """A dependency is throttling or briefly unavailable; the client may retry (the answer
    says when, in Retry-After)."""

    code = "service_unavailable"
    status = 503
    retry_after_seconds = 1


class FeatureOff(ServiceUnavailable):
    """A feature operators have turned off for now (a feature flag): try again later."""

    code = "feature_off"
    retry_after_seconds = 300
