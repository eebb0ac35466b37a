"""Users API: thin HTTP layer over `users.logic`."""

import os
from functools import cache, partial
from typing import Annotated

from aws_lambda_powertools.event_handler import Request, Response, content_types
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from shared.api.auth import current_principal
from shared.api.resolver import ERROR_RESPONSES, build_resolver, lambda_handler
from shared.authz import Principal
from shared.config import get_settings
from shared.domain.user import UserProfile
from shared.observability import metrics
from shared.store.client import aws_client, dynamodb_client
from shared.store.table import Table
from users import logic
from users.schemas import (
    UUID_PATTERN,
    AvatarConfirmation,
    AvatarUpload,
    AvatarUploadRequest,
    ProfileUpdate,
    PublicProfile,
    Registration,
    UserContext,
)
from users.store import UserStore

app = build_resolver()

CallerDep = Annotated[Principal, Depends(current_principal)]
UserId = Annotated[str, Path(pattern=UUID_PATTERN, description="The user's id (Cognito sub)")]
TAGS = ["users"]


@cache
def get_store() -> UserStore:
    """One store per execution environment; tests replace it via `dependency_overrides`."""
    return UserStore(
        Table(dynamodb_client(), get_settings().table_name),
        partial(aws_client, "cognito-idp"),
        os.environ.get("USER_POOL_ID"),
        partial(aws_client, "s3"),
        get_settings().assets_bucket_name,
    )


StoreDep = Annotated[UserStore, Depends(get_store)]


def caller_email(request: Request) -> str | None:
    context = request.resolved_event.get("requestContext") or {}
    claims = (context.get("authorizer") or {}).get("claims") or {}
    email = claims.get("email")
    return email if isinstance(email, str) else None


EmailDep = Annotated[str | None, Depends(caller_email)]


@app.post(
    "/users",
    summary="Create your profile if the sign-up trigger has not (201), else return it (200)",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def register(
    caller: CallerDep,
    store: StoreDep,
    email: EmailDep,
    body: Annotated[Registration, Body()] = Registration(),  # noqa: B008 - immutable default
) -> Response[UserProfile]:
    profile, created = logic.register(caller, email, body, store)
    if created:
        metrics.add_metric(name="UserRegistered", unit="Count", value=1)
    return Response(
        status_code=201 if created else 200,
        content_type=content_types.APPLICATION_JSON,
        body=profile,
        headers={"Location": f"/users/{profile.user_id}"},
    )


@app.get(
    "/users/me",
    summary="The current user: profile, system role, memberships",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def me(caller: CallerDep, store: StoreDep) -> UserContext:
    return logic.me(caller, store)


@app.get(
    "/users/<user_id>",
    summary="A profile (full for yourself and SiteAdmins, public part for others)",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def read_user(user_id: UserId, caller: CallerDep, store: StoreDep) -> UserProfile | PublicProfile:
    return logic.read(caller, user_id, store)


@app.put(
    "/users/<user_id>",
    summary="Edit your profile; SiteAdmins change others' system role",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def update_user(
    user_id: UserId, body: Annotated[ProfileUpdate, Body()], caller: CallerDep, store: StoreDep
) -> UserProfile:
    return logic.update(caller, user_id, body, store)


@app.post(
    "/users/me/avatar",
    summary="A presigned S3 POST for a new avatar (JPEG, PNG or WebP, at most 5 MB)",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def avatar_upload(
    body: Annotated[AvatarUploadRequest, Body()], caller: CallerDep, store: StoreDep
) -> AvatarUpload:
    return logic.avatar_upload(caller, body.content_type, store)


@app.put(
    "/users/me/avatar",
    summary="Record the uploaded avatar on your profile",
    responses=ERROR_RESPONSES,
    tags=TAGS,
)
def confirm_avatar(
    body: Annotated[AvatarConfirmation, Body()], caller: CallerDep, store: StoreDep
) -> UserProfile:
    return logic.confirm_avatar(caller, body.key, store)


handler = lambda_handler(app)
