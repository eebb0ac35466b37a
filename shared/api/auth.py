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


def current_principal(request: Request) -> Principal:
    """Dependency for routes: the verified caller (API Gateway already checked the token)."""
    context = request.resolved_event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    return principal_from_claims(authorizer.get("claims"))
