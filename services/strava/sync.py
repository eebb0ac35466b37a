"""The Strava sync consumer: Strava's push events (hints, taken from the bus) become
attendance and activity summaries on the riders' participations.

A push event is never trusted, whatever its kind: a created or updated activity is read
from Strava with the athlete's own token, a deleted one is taken back only when that token
no longer reads it, and a deauthorization unlinks only when Strava refuses the athlete's
tokens. What events can cost is bounded: the same change to the same object is taken once
per window, events of athletes nobody linked read nothing, and each athlete has a small
budget of reads per 15 minutes. Strava's rate limits are respected:
a 429 postpones the message to the next window (its visibility on this consumer's queue),
so nothing waits or loops."""

import hashlib
import json
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.adapters.sealed_secrets import SecretSealer
from shared.adapters.strava import (
    WINDOW_SECONDS,
    Activity,
    RateLimited,
    StravaClient,
    StravaNotFound,
    StravaUnauthorized,
    pool_manager,
)
from shared.adapters.work_queue import WorkQueue
from shared.authz import Principal
from shared.aws_clients import aws_client
from shared.batch import batch_handler, domain_event
from shared.domain.errors import NotFound
from shared.domain.ride import Participation, Ride
from shared.domain.strava import ActivitySummary, StravaLink
from shared.flags import Flag, enabled
from shared.kpis import ATTENDANCE_MARKED, STRAVA_SYNC_LAG
from shared.observability import MetricUnit, count, logger, measure
from shared.settings import StravaSyncSettings
from shared.store.deletion import record_strava_unlinked
from shared.store.table import app_table
from strava.credentials import read_app
from strava.logic import disconnect, fresh_tokens
from strava.matching import best_match, ride_window, with_activity, without_activity
from strava.schemas import StravaPush
from strava.store import StravaStore

# Postponed messages are expected (a rate limit), not a failure of this function: reported per
# record, never as a failed invocation (whose Errors metric rolls deployments back).


# Outcomes of an event that changed nothing because it was not believed or not affordable
# (counted by outcome: a rise means forged or flooding events).
NOT_TAKEN = frozenset({"unknown_athlete", "duplicate", "over_budget", "kept", "still_authorized"})


class Postponed(Exception):
    """Rate-limited: the message was postponed to Strava's next window."""


def _says_deauthorized(push: StravaPush) -> bool:
    return str(push.updates.get("authorized", "")).lower() == "false"


def summary_of(activity: Activity) -> ActivitySummary:
    return ActivitySummary(
        activity_id=activity.activity_id,
        start_at=activity.start,
        distance_km=round(activity.distance_m / 1000, 2),
        moving_time_s=activity.moving_time_s,
        elevation_gain_m=round(activity.elevation_gain_m, 1),
        url=activity.url,
    )


def change_of(push: StravaPush) -> str:
    """What an event says changed, as one short key: the same change to the same object is
    taken once per window."""
    updates = json.dumps(push.updates, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(updates.encode()).hexdigest()[:16]
    return f"{push.aspect_type}#{digest}"


@dataclass
class Sync:
    store: StravaStore
    strava: StravaClient
    sealer: SecretSealer
    settings: StravaSyncSettings

    def handle(self, push: StravaPush) -> str:
        """What the event did: matched, unmatched, unlinked, kept, no ride, or why it was
        ignored (unknown athlete, duplicate, over budget). An event is only ever a hint:
        nothing changes unless Strava, asked with the athlete's own token, agrees."""
        now = int(time.time())
        if push.object_type == "athlete" and not _says_deauthorized(push):
            return "ignored"
        user_id = self.store.user_of_athlete(push.owner_id)
        link = self.store.link(user_id) if user_id else None
        if link is None or link.athlete_id != push.owner_id:
            return "unknown_athlete"  # nothing is read for athletes nobody linked
        sighting = (push.object_type, push.object_id, change_of(push))
        if not self.store.first_sighting(*sighting, now, self.settings.event_window_seconds):
            return "duplicate"
        try:
            if not self.store.spend_read(
                link.athlete_id,
                now // WINDOW_SECONDS,
                self.settings.reads_per_athlete_window,
                now + 2 * WINDOW_SECONDS,
            ):
                return "over_budget"
            return self._act(link, push)
        except Exception:
            # Not done (rate-limited, Strava or the table unavailable): the queue delivers
            # it again, and then it must not count as a duplicate.
            self.store.forget_sighting(*sighting)
            raise

    def _act(self, link: StravaLink, push: StravaPush) -> str:
        if push.object_type == "athlete":
            return self._unlink_if_revoked(link)
        if push.aspect_type == "delete":
            return self._unmatch_if_gone(link, push.object_id)
        return self._match(link, push.object_id, push.event_time)

    def _with_token[Answer](self, link: StravaLink, call: Callable[[str], Answer]) -> Answer:
        """`call(access token)` with a fresh token; one refresh and retry if Strava refuses
        it anyway. StravaUnauthorized after that: the athlete revoked the platform."""
        tokens = fresh_tokens(link, self.store, self.strava, self.sealer)
        try:
            return call(tokens.access_token)
        except StravaUnauthorized:
            tokens = fresh_tokens(link, self.store, self.strava, self.sealer, force=True)
            return call(tokens.access_token)

    def _read(self, link: StravaLink, activity_id: int) -> Activity:
        return self._with_token(link, partial(self.strava.activity, activity_id=activity_id))

    def _unlink_if_revoked(self, link: StravaLink) -> str:
        """A deauthorization event is believed only when Strava refuses the athlete's own
        tokens (the access token, then a refresh)."""
        try:
            self._with_token(link, self.strava.athlete)
        except StravaUnauthorized:
            self.store.delete_link(link)  # revoked at Strava: the tokens are useless
            return "unlinked"
        return "still_authorized"

    def _unmatch_if_gone(self, link: StravaLink, activity_id: int) -> str:
        """A delete event is believed only when the athlete's own token no longer reads
        the activity."""
        match = self.store.match_of(activity_id)
        if match is None or match[1] != link.user_id:
            return "ignored"  # nothing of this athlete's to take back
        try:
            self._read(link, activity_id)
        except StravaNotFound:
            return self._unmatch(activity_id)
        except StravaUnauthorized:
            return "unauthorized"  # revoked: its deauthorization event follows
        return "kept"  # still there at Strava: the event was not true

    def _unmatch(self, activity_id: int) -> str:
        match = self.store.match_of(activity_id)
        if match is None:
            return "ignored"
        ride, participation = self.store.ride_and_participation(*match)
        if ride is None or participation is None or participation.strava_activity is None:
            self.store.forget_match(activity_id)
            return "ignored"
        self.store.clear_match(ride, participation, without_activity(participation), activity_id)
        return "unmatched"

    def _candidates(self, user_id: str, start: datetime) -> list[tuple[Ride, Participation]]:
        """The rider's places on rides of their clubs starting around `start`."""
        earliest, latest = ride_window(
            start, self.settings.match_before_minutes, self.settings.match_after_minutes
        )
        candidates = []
        for club_id in self.store.active_club_ids(user_id):
            for ride in self.store.rides_starting_between(club_id, earliest, latest):
                ride_now, mine = self.store.ride_and_participation(ride.ride_id, user_id)
                if ride_now is not None and mine is not None:
                    candidates.append((ride_now, mine))
        return candidates

    def _match(self, link: StravaLink, activity_id: int, event_time: int) -> str:
        athlete_id = link.athlete_id
        try:
            activity = self._read(link, activity_id)
        except StravaUnauthorized:
            return "unauthorized"  # revoked at Strava: its deauthorization event follows
        except StravaNotFound:
            # Deleted, or made private to us, since: what it added goes too.
            previous = self.store.match_of(activity_id)
            if previous is None or previous[1] != link.user_id:
                return "ignored"
            return self._unmatch(activity_id)
        if activity.athlete_id and activity.athlete_id != athlete_id:
            return "ignored"
        match = best_match(
            activity.start,
            self._candidates(link.user_id, activity.start),
            self.settings.match_before_minutes,
            self.settings.match_after_minutes,
        )
        previous = self.store.match_of(activity_id)
        if previous and (match is None or previous[0] != match[0].ride_id):
            self._unmatch(activity_id)  # an edited start time moved it off that ride
        if match is None:
            return "no ride"
        ride, participation = match
        summary = summary_of(activity)
        if participation.strava_activity == summary:
            return "matched"  # a duplicate delivery
        matched = with_activity(participation, summary)
        self.store.record_match(ride, participation, matched, activity_id)
        record_sync(participation, matched, event_time)
        return "matched"


def record_sync(before: Participation, after: Participation, event_time: int) -> None:
    """KPIs of a new match: how long after Strava's event it came, and the attendance it
    marked (none when a ride manager's stands)."""
    measure(STRAVA_SYNC_LAG, max(0.0, time.time() - event_time), MetricUnit.Seconds)
    if after.attendance is not before.attendance:
        count(ATTENDANCE_MARKED, source="strava")


@cache
def get_sync() -> Sync:
    settings = StravaSyncSettings.from_environment()
    app = read_app(settings.strava_app_secret_name)
    return Sync(
        store=StravaStore(app_table()),
        strava=StravaClient(
            pool_manager(), app.client_id, app.client_secret, settings.strava_base_url
        ),
        sealer=SecretSealer(partial(aws_client, "kms"), settings.secrets_key_id),
        settings=settings,
    )


@cache
def get_queue() -> WorkQueue:
    return WorkQueue(
        partial(aws_client, "sqs"), StravaSyncSettings.from_environment().strava_sync_queue_url
    )


def forget_deleted_account(user_id: str, sync: Sync) -> None:
    """An account being deleted: revoke the platform's access at Strava and forget the
    tokens (as the rider's own disconnect does), then tell the deletion saga this step is
    done. Not linked (or forgotten by a redelivery): just the latter."""
    with suppress(NotFound):
        disconnect(Principal(user_id), sync.store, sync.strava, sync.sealer)
    record_strava_unlinked(sync.store.table, user_id)


def _record_handler(record: SQSRecord) -> None:
    event = domain_event(record)
    if event.event_type == "user_deletion_requested":
        forget_deleted_account(str(event.data["user_id"]), get_sync())
        return
    push = StravaPush.model_validate(event.data)
    if not enabled(Flag.STRAVA_SYNC):  # paused: pushes are acknowledged, not applied
        logger.info("strava event skipped: sync is off", extra={"aspect": push.aspect_type})
        return
    try:
        outcome = get_sync().handle(push)
    except RateLimited as limited:
        get_queue().postpone(record.receipt_handle, limited.retry_after)
        raise Postponed(f"Strava rate limit: retry in {limited.retry_after} s") from None
    logger.info("strava event", extra={"aspect": push.aspect_type, "outcome": outcome})
    if outcome in NOT_TAKEN:
        count("StravaEventNotTaken", outcome=outcome)


handler = batch_handler(_record_handler, settles_failures=True, expected=(Postponed,))
