"""Users API: thin HTTP layer over `users.logic`."""

from functools import cache, partial
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body

from shared.adapters.identity import IdentityDirectory
from shared.adapters.media import MediaBucket
from shared.api.auth import CallerDep, CallerEmailDep, SignedInAtDep
from shared.api.params import UserId
from shared.api.resolver import build_resolver, documented, make_handler
from shared.api.responses import created
from shared.aws_clients import aws_client
from shared.domain.user import UserProfile
from shared.observability import metrics
from shared.settings import UsersSettings
from shared.store.table import app_table
from users import logic
from users.deletion_request import DeletionAccepted, request_deletion
from users.deletion_store import DeletionStore
from users.export_request import ExportState, export_state, request_export
from users.export_store import ExportStore
from users.schemas import (
    AvatarConfirmation,
    AvatarUpload,
    AvatarUploadRequest,
    ProfileUpdate,
    PublicProfile,
    Registration,
    UserContext,
)
from users.store import ProfileStore

app = build_resolver()
TAG = "users"


# One of each per execution environment; tests replace them via `dependency_overrides`.
@cache
def get_store() -> ProfileStore:
    return ProfileStore(app_table())


@cache
def get_directory() -> IdentityDirectory:
    return IdentityDirectory(
        partial(aws_client, "cognito-idp"), UsersSettings.from_environment().user_pool_id
    )


@cache
def get_media() -> MediaBucket:
    return MediaBucket(
        partial(aws_client, "s3"), UsersSettings.from_environment().assets_bucket_name
    )


@cache
def get_deletion_store() -> DeletionStore:
    return DeletionStore(app_table())


@cache
def get_export_store() -> ExportStore:
    return ExportStore(app_table())


StoreDep = Annotated[ProfileStore, Depends(get_store)]
ExportStoreDep = Annotated[ExportStore, Depends(get_export_store)]
DeletionStoreDep = Annotated[DeletionStore, Depends(get_deletion_store)]
DirectoryDep = Annotated[IdentityDirectory, Depends(get_directory)]
MediaDep = Annotated[MediaBucket, Depends(get_media)]


@app.post(
    "/users",
    **documented(
        TAG,
        "Create your profile if the sign-up trigger has not (201), else return it (200)",
        success=(201, 200),
    ),
)
def register(
    caller: CallerDep,
    store: StoreDep,
    directory: DirectoryDep,
    email: CallerEmailDep,
    body: Annotated[Registration, Body()] = Registration(),  # noqa: B008 - immutable default
) -> Response[UserProfile]:
    profile, is_new = logic.register(caller, email, body, store, directory)
    if is_new:
        metrics.add_metric(name="UserRegistered", unit="Count", value=1)
    return created(profile, f"/users/{profile.user_id}", status=201 if is_new else 200)


@app.get("/users/me", **documented(TAG, "The current user: profile, system role, memberships"))
def me(caller: CallerDep, store: StoreDep) -> UserContext:
    return logic.me(caller, store)


@app.get(
    "/users/<user_id>",
    **documented(TAG, "A profile (full for yourself and SiteAdmins, public part for others)"),
)
def read_user(user_id: UserId, caller: CallerDep, store: StoreDep) -> UserProfile | PublicProfile:
    return logic.read_profile(caller, user_id, store)


@app.put(
    "/users/<user_id>",
    **documented(TAG, "Edit your profile; SiteAdmins change others' system role"),
)
def update_user(
    user_id: UserId,
    body: Annotated[ProfileUpdate, Body()],
    caller: CallerDep,
    store: StoreDep,
    directory: DirectoryDep,
) -> UserProfile:
    return logic.update(caller, user_id, body, store, directory)


@app.post(
    "/users/me/avatar",
    **documented(TAG, "A presigned S3 POST for a new avatar (JPEG, PNG or WebP, at most 5 MB)"),
)
def avatar_upload(
    body: Annotated[AvatarUploadRequest, Body()],
    caller: CallerDep,
    store: StoreDep,
    media: MediaDep,
) -> AvatarUpload:
    return logic.avatar_upload(caller, body.content_type, store, media)


@app.put(
    "/users/me/avatar",
    **documented(TAG, "Use your uploaded avatar once it has been checked (sizes, no EXIF)"),
)
def confirm_avatar(
    body: Annotated[AvatarConfirmation, Body()],
    caller: CallerDep,
    store: StoreDep,
    media: MediaDep,
) -> UserProfile:
    return logic.confirm_avatar(caller, body, store, media)


@app.delete(
    "/users/me",
    **documented(
        TAG,
        "Delete your account (signed in within 15 minutes); done within minutes",
        success=(202,),
    ),
)
def delete_me(
    caller: CallerDep,
    store: DeletionStoreDep,
    directory: DirectoryDep,
    auth_time: SignedInAtDep,
) -> Response[DeletionAccepted]:
    accepted = request_deletion(caller, auth_time, store, directory)
    return Response(status_code=202, content_type="application/json", body=accepted)


@app.post(
    "/users/me/export",
    **documented(
        TAG,
        "Ask for an archive of what is held about you (one a day; e-mailed when ready)",
        success=(202,),
    ),
)
def ask_for_export(caller: CallerDep, store: ExportStoreDep) -> Response[ExportState]:
    state = request_export(caller, store)
    return Response(status_code=202, content_type="application/json", body=state)


@app.get("/users/me/export", **documented(TAG, "Your latest export, and a link to download it"))
def get_export(caller: CallerDep, store: ExportStoreDep, media: MediaDep) -> Response[ExportState]:
    state = export_state(caller, store, media)
    # The link is a short-lived key to the archive: no cache may keep it.
    return Response(
        status_code=200,
        content_type="application/json",
        body=state,
        headers={"Cache-Control": "no-store"},
    )


# A retried deletion request (its first answer lost) answers the same 202, whether or not
# the list of deleted accounts has caught up with the first.
handler = make_handler(app, open_to_deleted_accounts=frozenset({"DELETE /users/me"}))
