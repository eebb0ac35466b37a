"""The Authorization Service against the capability table (docs/model.md):
every capability for every persona, with and without a ride in context."""

import pytest

from shared.authz import AuthzContext, Capability, MembershipView, Principal, capabilities, require
from shared.domain.enums import ClubRole, MembershipStatus, RideVisibility, SystemRole
from shared.domain.errors import Forbidden

pytestmark = pytest.mark.unit

CLUB = "club-1"
OTHER_CLUB = "club-2"
ME = "user-1"
C = Capability


def member(role: ClubRole, status: MembershipStatus, club: str = CLUB) -> MembershipView:
    return MembershipView(club_id=club, user_id=ME, club_role=role, status=status)


PERSONAS: dict[str, tuple[SystemRole, MembershipView | None]] = {
    "rider without membership": (SystemRole.USER, None),
    "pending applicant": (SystemRole.USER, member(ClubRole.MEMBER, MembershipStatus.PENDING)),
    "active member": (SystemRole.USER, member(ClubRole.MEMBER, MembershipStatus.ACTIVE)),
    "ride leader": (SystemRole.USER, member(ClubRole.RIDE_LEADER, MembershipStatus.ACTIVE)),
    "club admin": (SystemRole.USER, member(ClubRole.ADMIN, MembershipStatus.ACTIVE)),
    "suspended admin": (SystemRole.USER, member(ClubRole.ADMIN, MembershipStatus.SUSPENDED)),
    "removed member": (SystemRole.USER, member(ClubRole.MEMBER, MembershipStatus.REMOVED)),
    "rejected applicant": (SystemRole.USER, member(ClubRole.MEMBER, MembershipStatus.REJECTED)),
    "member who left": (SystemRole.USER, member(ClubRole.MEMBER, MembershipStatus.LEFT)),
    "admin of another club": (
        SystemRole.USER,
        member(ClubRole.ADMIN, MembershipStatus.ACTIVE, club=OTHER_CLUB),
    ),
    "site admin": (SystemRole.SITE_ADMIN, None),
}

EVERYONE = {C.VIEW_CLUB, C.LIST_CLUBS}
MEMBER = {C.VIEW_MEMBERS, C.JOIN_RIDE, C.LEAVE}
SITE = {
    C.CREATE_CLUB,
    C.MANAGE_USERS,
    C.EDIT_CLUB,
    C.VIEW_MEMBERS,
    C.VIEW_APPLICATIONS,
    C.MANAGE_MEMBERSHIPS,
    C.MANAGE_RIDES,
    C.MANAGE_WEBHOOKS,
}
# Expected capabilities in the club's context, without a ride.
EXPECTED: dict[str, set[Capability]] = {
    "rider without membership": EVERYONE | {C.JOIN_CLUB},
    "pending applicant": EVERYONE | {C.LEAVE},
    "active member": EVERYONE | MEMBER,
    "ride leader": EVERYONE | MEMBER | {C.MANAGE_RIDES},
    "club admin": EVERYONE
    | MEMBER
    | {C.MANAGE_RIDES, C.EDIT_CLUB, C.VIEW_APPLICATIONS, C.MANAGE_MEMBERSHIPS, C.MANAGE_WEBHOOKS},
    "suspended admin": EVERYONE | {C.LEAVE},
    "removed member": EVERYONE,
    "rejected applicant": EVERYONE | {C.JOIN_CLUB},
    "member who left": EVERYONE | {C.JOIN_CLUB},
    "admin of another club": EVERYONE | {C.JOIN_CLUB},
    "site admin": EVERYONE | SITE | {C.JOIN_CLUB},
}
# Who may view a members-only ride of the club (public rides: everyone).
VIEWS_MEMBERS_RIDE = {"active member", "ride leader", "club admin", "site admin"}


def decide(persona: str, context: AuthzContext) -> frozenset[Capability]:
    role, membership = PERSONAS[persona]
    return capabilities(Principal(ME, role), membership, context)


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("capability", list(Capability))
def test_capability_table_in_club_context(persona: str, capability: Capability) -> None:
    granted = decide(persona, AuthzContext(club_id=CLUB))

    assert (capability in granted) is (capability in EXPECTED[persona])


@pytest.mark.parametrize("persona", sorted(PERSONAS))
@pytest.mark.parametrize("visibility", list(RideVisibility))
def test_view_ride_depends_on_visibility_and_membership(
    persona: str, visibility: RideVisibility
) -> None:
    granted = decide(persona, AuthzContext(club_id=CLUB, ride_visibility=visibility))

    expected = visibility is RideVisibility.PUBLIC or persona in VIEWS_MEMBERS_RIDE
    assert (C.VIEW_RIDE in granted) is expected


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_withdraw_only_for_the_participant_themself(persona: str) -> None:
    mine = decide(persona, AuthzContext(club_id=CLUB, subject_user_id=ME))
    theirs = decide(persona, AuthzContext(club_id=CLUB, subject_user_id="someone-else"))

    assert C.WITHDRAW in mine
    assert C.WITHDRAW not in theirs


def test_someone_elses_membership_grants_nothing() -> None:
    stolen = MembershipView(CLUB, "someone-else", ClubRole.ADMIN, MembershipStatus.ACTIVE)

    granted = capabilities(Principal(ME), stolen, AuthzContext(club_id=CLUB))

    assert C.EDIT_CLUB not in granted
    assert C.JOIN_CLUB in granted


def test_require_raises_forbidden_with_the_capability() -> None:
    with pytest.raises(Forbidden) as refused:
        require(C.CREATE_CLUB, Principal(ME))
    assert refused.value.status == 403
    assert refused.value.details == {"capability": "create_club"}
    require(C.CREATE_CLUB, Principal(ME, SystemRole.SITE_ADMIN))
