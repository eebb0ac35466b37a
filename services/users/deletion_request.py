"""`DELETE /users/me`: the request to delete one's own account (decision 37).

Checked at once: a recent sign-in (the token's `auth_time`), no SiteAdmin role (demoted
first, by another SiteAdmin), and no club left without an admin (each club the rider is
the last admin of is named: hand it over first). Then the request is recorded once, the
Cognito user is shut out (no new tokens), and the saga does the rest; the answer is 202.
"""

from datetime import UTC, datetime

from pydantic import Field

from shared.adapters.identity import IdentityDirectory
from shared.authz import Principal
from shared.domain.clock import utc_now
from shared.domain.deletion import RECENT_SIGN_IN, AccountDeletion
from shared.domain.enums import ClubRole, MembershipStatus
from shared.domain.errors import Conflict, Unauthorized
from shared.domain.model import Model
from users.deletion_store import DeletionStore


class DeletionAccepted(Model):
    """Your account is being deleted: it is gone within minutes (`docs/privacy.md` says
    what is removed and what your clubs keep)."""

    status: str = Field(description="`requested` until the deletion is done")
    requested_at: datetime


def _signed_in_at(auth_time: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(auth_time)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def request_deletion(
    principal: Principal,
    auth_time: object,
    store: DeletionStore,
    directory: IdentityDirectory,
) -> DeletionAccepted:
    signed_in = _signed_in_at(auth_time)
    if signed_in is None or utc_now() - signed_in > RECENT_SIGN_IN:
        raise Unauthorized(
            f"Sign in again, then delete your account within "
            f"{int(RECENT_SIGN_IN.total_seconds() // 60)} minutes.",
            code="recent_sign_in_required",
        )
    if principal.is_site_admin:
        raise Conflict(
            "A SiteAdmin's account is deleted once another SiteAdmin has removed the role.",
            code="site_admin",
        )
    existing = store.deletion(principal.user_id)
    if existing is not None:
        return DeletionAccepted(status=existing.status, requested_at=existing.requested_at)
    _check_no_club_left_without_admin(principal.user_id, store)
    profile = store.profile(principal.user_id)
    moment = utc_now()
    deletion = AccountDeletion(
        user_id=principal.user_id,
        requested_at=moment,
        updated_at=moment,
        updated_by=principal.user_id,
    )
    if store.request(deletion):
        directory.shut_out((profile.email if profile else None) or principal.user_id)
    return DeletionAccepted(status=deletion.status, requested_at=deletion.requested_at)


def _check_no_club_left_without_admin(user_id: str, store: DeletionStore) -> None:
    admin_of = [
        m.club_id
        for m in store.memberships(user_id)
        if m.status is MembershipStatus.ACTIVE and m.club_role is ClubRole.ADMIN
    ]
    if not admin_of:
        return
    counts = store.admin_counts(admin_of)
    alone = sorted(club_id for club_id, (_, admins) in counts.items() if admins <= 1)
    if alone:
        names = ", ".join(f"{counts[c][0]} ({c})" for c in alone)
        raise Conflict(
            f"You are the last admin of {names}: make another member an admin first.",
            code="last_admin",
            details={"club_ids": alone},
        )
