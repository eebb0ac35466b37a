"""Club rules: who may do what (asked of the Authorization Service) and what changes."""

from clubs.schemas import ClubCreate, ClubUpdate
from clubs.store import ClubStore
from shared.authz import AuthzContext, Capability, Principal, require
from shared.domain.clock import utc_now
from shared.domain.club import Club, existing_club
from shared.domain.enums import ClubRole, ClubStatus, MembershipStatus
from shared.domain.errors import Conflict
from shared.domain.ids import new_id
from shared.domain.membership import Membership, membership_id


def create_club(principal: Principal, data: ClubCreate, store: ClubStore) -> Club:
    require(Capability.CREATE_CLUB, principal)
    now = utc_now()
    club = Club(
        club_id=new_id(),
        created_by=principal.user_id,
        updated_by=principal.user_id,
        created_at=now,
        updated_at=now,
        **data.model_dump(mode="json", exclude={"initial_admin_id"}),
    )
    # A club always has an active admin who exists: the one named, else its creator.
    first_admin = data.initial_admin_id or principal.user_id
    admin = Membership(
        membership_id=membership_id(club.club_id, first_admin),
        club_id=club.club_id,
        user_id=first_admin,
        club_role=ClubRole.ADMIN,
        status=MembershipStatus.ACTIVE,
        joined_at=now,
        decided_by=principal.user_id,
        decided_at=now,
        updated_at=now,
        updated_by=principal.user_id,
    )
    store.create(club, admin)
    return club


def get_club(principal: Principal, club_id: str, store: ClubStore) -> Club:
    require(Capability.VIEW_CLUB, principal, context=AuthzContext(club_id=club_id))
    return existing_club(store.get(club_id), club_id)


def list_clubs(
    principal: Principal, status: ClubStatus, limit: int, cursor: str | None, store: ClubStore
) -> tuple[list[Club], str | None]:
    require(Capability.LIST_CLUBS, principal)
    return store.list_page(status, limit, cursor)


def update_club(principal: Principal, club_id: str, data: ClubUpdate, store: ClubStore) -> Club:
    found, membership = store.get_with_membership(club_id, principal.user_id)
    club = existing_club(found, club_id)
    require(Capability.EDIT_CLUB, principal, membership, AuthzContext(club_id=club_id))
    if data.version != club.version:
        raise Conflict(
            f"The club is at version {club.version}, not {data.version}; read it again.",
            code="version_conflict",
        )
    updated = club.model_copy(
        update={
            **Club.model_validate({**club.model_dump(), **data.changes()}).model_dump(),
            "updated_at": utc_now(),
            "updated_by": principal.user_id,
            "version": club.version + 1,
        }
    )
    store.update(club, updated)
    return updated
