"""Deleting an account on the local platform over HTTP: the saga runs through the event
path (its own consumer, the seats consumer promoting the waitlist, the Strava consumer),
the club's numbers follow, and the audit log shows the former member."""

import time
import uuid
from typing import Any

import pytest

from shared.api.revoked_accounts import REFRESH_SECONDS
from shared.domain.enums import SystemRole
from tests.e2e.conftest import Api, criterium
from tests.e2e.test_event_path import PASSWORD, eventually, new_club, person

pytestmark = pytest.mark.e2e


def test_a_rider_deletes_their_account_and_the_club_and_ride_follow(api: Api) -> None:
    admin_sub, _, admin = person(api, "deletion-admin", SystemRole.SITE_ADMIN)
    club_id = new_club(api, admin_sub, admin)
    leaving_sub, leaving_email, leaving = person(api, "leaving")
    _, _, waiting = person(api, "waiting")
    for token in (leaving, waiting):
        assert api.call("POST", f"/clubs/{club_id}/memberships", token).status_code == 201
    ride = api.call("POST", f"/clubs/{club_id}/rides", admin, json=criterium("Last Ride", 2))
    ride_id = ride.json()["ride_id"]
    assert api.call("POST", f"/rides/{ride_id}/participations", leaving).json()["status"] == (
        "joined"
    )
    assert api.call("POST", f"/rides/{ride_id}/participations", waiting).json()["status"] == (
        "waitlisted"
    )
    members = eventually(
        lambda: api.call("GET", f"/clubs/{club_id}", admin).json()["member_count"] == 3 or None
    )
    assert members

    # The club's only admin is refused (and told which club); a SiteAdmin too.
    refused = api.call("DELETE", "/users/me", admin)
    assert refused.status_code == 409, refused.text

    started = time.monotonic()
    accepted = api.call("DELETE", "/users/me", leaving)
    assert accepted.status_code == 202, accepted.text
    # A retry (the first answer lost) is answered from the same record, whatever the list
    # of deleted accounts has caught up with meanwhile.
    again = api.call("DELETE", "/users/me", leaving)
    assert again.status_code == 202, again.text
    assert again.json()["requested_at"] == accepted.json()["requested_at"]

    def promoted() -> bool:
        joined = api.call("GET", f"/rides/{ride_id}/participations", admin).json()["joined"]
        return [p["user_id"] for p in joined if p["user_id"] != admin_sub] != [leaving_sub]

    eventually(promoted, seconds=30)
    # The member count is the counts consumer's, as eventual as the promotion.
    eventually(
        lambda: api.call("GET", f"/clubs/{club_id}", admin).json()["member_count"] == 2,
        seconds=30,
    )

    def gone() -> bool:
        answer = api.call("GET", f"/users/{leaving_sub}", admin)
        return answer.status_code == 404

    eventually(gone, seconds=30)
    took = time.monotonic() - started
    print(f"account deleted locally in {took:.1f} s")

    # The token issued before the deletion is refused on every route within seconds
    # (API Gateway still finds it valid: the functions' list of deleted accounts).
    def old_token_refused() -> bool:
        answer = api.call("GET", f"/clubs/{club_id}", leaving)
        return answer.status_code == 401 and answer.json()["error"]["code"] == "account_deleted"

    eventually(old_token_refused, seconds=REFRESH_SECONDS + 15)
    # No new tokens: the Cognito user is gone.
    with pytest.raises(Exception, match=r"UserNotFound|NotAuthorized"):
        api.token(leaving_email, PASSWORD)

    # The audit log (its consumer's): the membership ended by the former member themself.
    def ended_in_log() -> dict[str, Any] | None:
        log: dict[str, Any] = api.call("GET", f"/clubs/{club_id}/audit", admin).json()
        ended = [e for e in log["items"] if e["action"] == "membership_ended"]
        return log if ended and ended[0]["actor_id"] == leaving_sub else None

    log = eventually(ended_in_log, seconds=30)
    assert log["people"][leaving_sub] == "Former member"
    assert str(uuid.UUID(leaving_sub)) == leaving_sub
