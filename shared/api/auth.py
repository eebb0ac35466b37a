"""The caller, from the claims the Cognito authorizer put in the event: the dependencies
every route declares (`CallerDep`, and the name and e-mail on the token)."""

from collections.abc import Mapping
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Request
from aws_lambda_powertools.event_handler.depends import Depends

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


def event_claims(event: Mapping[str, Any]) -> dict[str, Any]:
    """The verified token's claims in a proxy event (API Gateway checked the token before
    the function runs); empty on a signed-out route."""
    context = event.get("requestContext") or {}
    claims: dict[str, Any] = (context.get("authorizer") or {}).get("claims") or {}
    return claims


def request_claims(request: Request) -> dict[str, Any]:
    return event_claims(request.resolved_event)


def current_principal(request: Request) -> Principal:
    """Dependency for routes: the verified caller."""
    return principal_from_claims(request_claims(request))


def caller_display_name(request: Request) -> str | None:
    """Dependency: the name on the caller's token (profiles take over once they exist)."""
    claims = request_claims(request)
    name = " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
    return name[:80] or None


def caller_email(request: Request) -> str | None:
    """Dependency: the e-mail address on the caller's token."""
    email = request_claims(request).get("email")
    return email if isinstance(email, str) else None


def caller_signed_in_at(request: Request) -> object:
    """Dependency: when the caller last signed in (the token's `auth_time`, seconds)."""
    return request_claims(request).get("auth_time")


CallerDep = Annotated[Principal, Depends(current_principal)]
SignedInAtDep = Annotated[object, Depends(caller_signed_in_at)]
CallerNameDep = Annotated[str | None, Depends(caller_display_name)]
CallerEmailDep = Annotated[str | None, Depends(caller_email)]
