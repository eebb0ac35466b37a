"""Deleting an account (`DELETE /users/me`, `docs/privacy.md`): a request recorded once,
then a saga that works through its steps in order, each idempotent, recording each step
it finishes, until the account is gone (decision 37).

Clubs keep what is theirs: a member's ended membership (the club's history), past places
and attendance on its rides, and audit entries, all by user id only; the profile becomes a
tombstone that reads "Former member". Everything else about the person is deleted.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from shared.domain.model import Model

# How recent a sign-in must be to delete an account (the token's `auth_time`).
RECENT_SIGN_IN = timedelta(minutes=15)
# How long an ID or access token lives (the identity stack's app client): a deleted
# account's tokens are refused for that long after the request, and then expire.
TOKEN_LIFETIME = timedelta(hours=1)


class DeletionStep(StrEnum):
    # End every membership (the seats consumer gives up upcoming places, promoting
    # waitlists, as when a member leaves).
    MEMBERSHIPS = "memberships"
    DEVICES = "devices"
    CALENDAR_FEED = "calendar_feed"
    PREFERENCES = "preferences"
    REGULARS = "regulars"
    AVATAR = "avatar"
    EXPORTS = "exports"
    # Done by the Strava consumer (it holds the tokens and the way out to Strava).
    STRAVA = "strava"
    # Names off past places, once the seats consumer has released the upcoming ones.
    PLACES = "places"
    # The Cognito user (its name is the address on the profile), then the profile.
    COGNITO = "cognito"
    PROFILE = "profile"
    # Then what was kept of the traffic: the records of which notifications went to the
    # person, and the answers remembered for their retries (Idempotency-Key).
    DELIVERIES = "deliveries"
    IDEMPOTENCY = "idempotency"


STEPS = tuple(DeletionStep)
# The account goes last, once everything else is done (no step waits on another context).
FINAL_STEPS = frozenset(
    {DeletionStep.COGNITO, DeletionStep.PROFILE, DeletionStep.DELIVERIES, DeletionStep.IDEMPOTENCY}
)


class DeletionStatus(StrEnum):
    REQUESTED = "requested"
    DONE = "done"


class AccountDeletion(Model):
    user_id: str
    status: DeletionStatus = DeletionStatus.REQUESTED
    requested_at: datetime
    finished_at: datetime | None = None
    steps_done: list[DeletionStep] = []
    updated_at: datetime
    updated_by: str
    version: int = 1

    def next_step(self) -> DeletionStep | None:
        return next((s for s in STEPS if s not in self.steps_done), None)
