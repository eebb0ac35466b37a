"""The authorization matrix against the Authorization Service and the route table.

Each case names the capability its route's handler asks for; the e2e matrix test checks
that name against the handler's real refusals, so this test reads what the code does."""

import pytest

from shared.authz import AuthzContext, Capability, Principal, capabilities
from shared.domain.enums import RideVisibility
from stacks.routes import ROUTES
from tests.authorization_matrix import MATRIX, PERSONAS, SIGNED_IN, RouteCase, persona_principal

pytestmark = pytest.mark.unit

CLUB, OTHER = "club", "other-club"


def test_the_matrix_covers_every_route_and_persona() -> None:
    api_routes = {(r.method, r.path) for r in ROUTES if r.authorized}
    assert {(case.method, case.path) for case in MATRIX} == api_routes
    for case in MATRIX:
        assert set(case.expected) == set(PERSONAS), case.path
        assert case.expected["anonymous"] == 401
        assert Capability(case.capability), case.path


# Cells whose answer is an authorization outcome (a conflict with the caller's own state,
# decided before authorization, is not one).
CELLS = [
    pytest.param(case, persona, id=f"{case.method} {case.path} as {persona}")
    for case in MATRIX
    for persona in SIGNED_IN
    if persona not in case.state_conflicts
]


@pytest.mark.parametrize(("case", "persona"), CELLS)
def test_cell_agrees_with_the_authorization_service(case: RouteCase, persona: str) -> None:
    status = case.expected[persona]
    role, membership = persona_principal(persona, CLUB, OTHER)
    subject = case.target if case.target else None
    context = AuthzContext(
        club_id=CLUB,
        subject_user_id=subject,
        ride_visibility=RideVisibility.MEMBERS if case.about_ride else None,
    )
    granted = capabilities(Principal(persona, role), membership, context)
    needed = Capability(case.capability_for(persona))

    if status == 403:
        assert needed not in granted, (persona, needed)
    else:
        assert needed in granted, (persona, needed)
