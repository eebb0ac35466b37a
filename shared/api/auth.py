"""The caller's identity, from the claims the Cognito authorizer put in the event."""

from typing import Any

from aws_lambda_powertools.event_handler import Request

from shared.authz import Principal
from shared.domain.enums import SystemRole
from shared.domain.errors import Unauthorized

# The pre-token-generation trigger adds `system_role`; the custom attribute mirrors it.
_ROLE_CLAIMS = ("system_role", "custom:system_role")


def principal_from_claims(claims: dict[str, Any] | None) -> Principal:
    if not claims or not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Unauthorized("The request carries no verified identity.")
    role = SystemRole.USER
    for name in _ROLE_CLAIMS:
        value = claims.get(name)
        if isinstance(value, str) and value in SystemRole._value2member_map_:
            role = SystemRole(value)
            break
    return Principal(user_id=claims["sub"], system_role=role)


def _claims(request: Request) -> dict[str, Any]:
    context = request.resolved_event.get("requestContext") or {}
    claims: dict[str, Any] = (context.get("authorizer") or {}).get("claims") or {}
    return claims


def current_principal(request: Request) -> Principal:
    """Dependency for routes: the verified caller (API Gateway already checked the token)."""
    return principal_from_claims(_claims(request))


def caller_display_name(request: Request) -> str | None:
    """Dependency: the name on the caller's token (profiles take over once they exist)."""
    claims = _claims(request)
    name = " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
    return name[:80] or None
