"""Profile rules: registration, who sees what, who may change what (SystemRole included)."""

from shared.adapters.identity import IdentityDirectory
from shared.adapters.media import MediaBucket
from shared.authz import Capability, Principal, require
from shared.domain.clock import utc_now
from shared.domain.enums import MembershipStatus, SystemRole
from shared.domain.errors import Conflict, DomainError, Forbidden, NotFound
from shared.domain.media import (
    MAX_BYTES,
    UploadKind,
    avatar_prefix,
    image_files,
    new_upload,
    parse_incoming_key,
    published,
)
from shared.domain.user import UserProfile, new_profile
from shared.flags import Flag, require_enabled
from shared.observability import logger
from users.schemas import (
    AvatarConfirmation,
    AvatarUpload,
    MembershipSummary,
    ProfileUpdate,
    PublicProfile,
    Registration,
    UserContext,
)
from users.store import ProfileStore


def register(
    principal: Principal,
    email: str | None,
    data: Registration,
    store: ProfileStore,
    directory: IdentityDirectory,
) -> tuple[UserProfile, bool]:
    """The caller's own profile: created if the trigger has not (True), else returned.
    With an `email`, a SiteAdmin invites someone else (Cognito sends the invitation)."""
    if data.email is not None:
        require(Capability.MANAGE_USERS, principal)
        sub, invited_email = directory.invite(data.email)
        invited = new_profile(
            sub, invited_email, utc_now(), given_name=data.given_name, family_name=data.family_name
        )
        store.create(invited)
        return invited, True
    existing = store.get(principal.user_id)
    if existing is not None:
        return existing, False
    profile = new_profile(
        principal.user_id,
        email,
        utc_now(),
        given_name=data.given_name,
        family_name=data.family_name,
    )
    if store.create(profile):
        return profile, True
    found = store.get(principal.user_id)  # the trigger won a race with us
    assert found is not None
    return found, False


def _profile_or_404(profile: UserProfile | None, user_id: str) -> UserProfile:
    if profile is None:
        raise NotFound(f"No profile for user '{user_id}'.", code="user_not_found")
    return profile


def me(principal: Principal, store: ProfileStore) -> UserContext:
    profile = store.get(principal.user_id)
    if profile is None:
        raise NotFound("No profile yet: POST /users creates it.", code="profile_missing")
    memberships, truncated = store.memberships(principal.user_id)
    return UserContext(
        profile=profile,
        system_role=profile.system_role,
        memberships=[MembershipSummary.model_validate(m.model_dump()) for m in memberships],
        memberships_truncated=truncated,
    )


def read_profile(
    principal: Principal, user_id: str, store: ProfileStore
) -> UserProfile | PublicProfile:
    profile = _profile_or_404(store.get(user_id), user_id)
    if user_id == principal.user_id or principal.is_site_admin:
        return profile
    theirs, _ = store.memberships(user_id)
    mine, _ = store.memberships(principal.user_id)
    active = MembershipStatus.ACTIVE
    shared = {m.club_id for m in theirs if m.status is active} & {
        m.club_id for m in mine if m.status is active
    }
    return PublicProfile(
        user_id=profile.user_id,
        display_name=profile.display_name,
        avatar_key=profile.avatar_key,
        suburb=profile.suburb,
        shared_club_ids=sorted(shared),
    )


def update(
    principal: Principal,
    user_id: str,
    data: ProfileUpdate,
    store: ProfileStore,
    directory: IdentityDirectory,
) -> UserProfile:
    profile = _profile_or_404(store.get(user_id), user_id)
    changes = data.changes()
    if "system_role" in changes:
        # SystemRole: SiteAdmins only, never their own, never the last SiteAdmin.
        require(Capability.MANAGE_USERS, principal)
        if user_id == principal.user_id:
            raise Forbidden("Nobody changes their own system role.", code="own_role")
    elif user_id != principal.user_id:
        raise Forbidden("Only the user edits their own profile.", code="forbidden")
    if data.version != profile.version:
        raise Conflict(
            f"The profile is at version {profile.version}, not {data.version}.",
            code="version_conflict",
        )
    updated = UserProfile.model_validate(
        {
            **profile.model_dump(),
            **changes,
            "updated_at": utc_now(),
            "updated_by": principal.user_id,
            "version": profile.version + 1,
        }
    )
    store.update(profile, updated)
    if updated.system_role != profile.system_role:
        demoted = profile.system_role is SystemRole.SITE_ADMIN
        try:
            directory.set_system_role(
                profile.email or user_id, updated.system_role, sign_out=demoted
            )
        except DomainError as error:
            # The profile is the authority (the pre-token trigger reads it), so the change
            # stands; the Cognito mirror is repaired by the next role change.
            logger.warning(
                "system role not mirrored to Cognito",
                extra={"user_id": user_id, "code": error.code},
            )
    return updated


AVATAR_EXPIRES_SECONDS = 300


def avatar_upload(
    principal: Principal, content_type: str, store: ProfileStore, media: MediaBucket
) -> AvatarUpload:
    """A presigned POST for the caller's own avatar; the file is checked and published in
    sizes (without EXIF) by the media processor before it can be used."""
    require(Capability.LIST_CLUBS, principal)  # any signed-in user, their own avatar
    require_enabled(Flag.MEDIA_UPLOADS, "Uploading files")
    kind = UploadKind.AVATAR
    upload = new_upload(kind, principal.user_id, principal.user_id, content_type)
    store.announce_upload(upload)
    post = media.presigned_post(upload.key, content_type, MAX_BYTES[kind], AVATAR_EXPIRES_SECONDS)
    return AvatarUpload(
        upload_id=upload.upload_id,
        url=post["url"],
        fields=post["fields"],
        key=upload.key,
        max_bytes=MAX_BYTES[kind],
        expires_in=AVATAR_EXPIRES_SECONDS,
    )


def _upload_id(principal: Principal, data: AvatarConfirmation) -> str:
    if data.upload_id is not None:
        return data.upload_id
    parsed = parse_incoming_key(data.key or "")
    if parsed is None or parsed[0] is not UploadKind.AVATAR or parsed[1] != principal.user_id:
        raise Forbidden("That upload is not yours.", code="forbidden")
    return parsed[2]


def confirm_avatar(
    principal: Principal, data: AvatarConfirmation, store: ProfileStore, media: MediaBucket
) -> UserProfile:
    """Use a checked avatar; the sizes of the one it replaces are deleted."""
    upload = published(
        store.upload(_upload_id(principal, data)), UploadKind.AVATAR, principal.user_id
    )
    profile = store.get(principal.user_id)
    if profile is None:
        raise NotFound("No profile yet: POST /users creates it.", code="profile_missing")
    avatar_key = avatar_prefix(principal.user_id, upload.upload_id)
    if profile.avatar_key == avatar_key:
        return profile
    updated = profile.model_copy(
        update={"avatar_key": avatar_key, "updated_at": utc_now(), "version": profile.version + 1}
    )
    store.update(profile, updated)
    if profile.avatar_key and profile.avatar_key.endswith("/"):
        for old in image_files(profile.avatar_key):
            media.delete(old)
    return updated
