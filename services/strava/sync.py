"""The Strava sync consumer: Strava's push events (hints, taken from the bus) become
attendance and activity summaries on the riders' participations.

A push event is never trusted: the activity is read from Strava with the athlete's own
token, so a forged event can at most cause that read. Strava's rate limits are respected:
a 429 postpones the message to the next window (its visibility on this consumer's queue),
so nothing waits or loops."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.sealed_secrets import SecretSealer
from shared.adapters.strava import (
    Activity,
    RateLimited,
    StravaClient,
    StravaNotFound,
    StravaUnauthorized,
    pool_manager,
)
from shared.adapters.work_queue import WorkQueue
from shared.domain.strava import ActivitySummary, StravaLink
from shared.events import DomainEvent
from shared.flags import Flag, enabled
from shared.observability import instrumented, logger
from shared.store.client import aws_client
from shared.store.table import app_table
from strava.credentials import read_app
from strava.logic import fresh_tokens
from strava.matching import best_match, ride_window, with_activity, without_activity
from strava.schemas import StravaPush
from strava.settings import StravaSettings, get_strava_settings
from strava.store import StravaStore

# Postponed messages are expected (a rate limit), not a failure of this function: reported per
# record, never as a failed invocation (whose Errors metric rolls deployments back).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


class Postponed(Exception):
    """Rate-limited: the message was postponed to Strava's next window."""


def summary_of(activity: Activity) -> ActivitySummary:
    return ActivitySummary(
        activity_id=activity.activity_id,
        start_at=activity.start,
        distance_km=round(activity.distance_m / 1000, 2),
        moving_time_s=activity.moving_time_s,
        elevation_gain_m=round(activity.elevation_gain_m, 1),
        url=activity.url,
    )


@dataclass
class Sync:
    store: StravaStore
    strava: StravaClient
    sealer: SecretSealer
    settings: StravaSettings

    def handle(self, push: StravaPush) -> str:
        """What the event did: matched, unmatched, unlinked, or ignored."""
        if push.object_type == "athlete":
            if str(push.updates.get("authorized", "")).lower() != "false":
                return "ignored"
            return self._unlink(push.owner_id)
        if push.aspect_type == "delete":
            return self._unmatch(push.object_id)
        return self._match(push.owner_id, push.object_id)

    def _read(self, link: StravaLink, activity_id: int) -> Activity:
        """With a fresh token; one refresh and retry if Strava refuses it anyway."""
        tokens = fresh_tokens(link, self.store, self.strava, self.sealer)
        try:
            return self.strava.activity(tokens.access_token, activity_id)
        except StravaUnauthorized:
            tokens = fresh_tokens(link, self.store, self.strava, self.sealer, force=True)
            return self.strava.activity(tokens.access_token, activity_id)

    def _unlink(self, athlete_id: int) -> str:
        user_id = self.store.user_of_athlete(athlete_id)
        link = self.store.link(user_id) if user_id else None
        if link is None or link.athlete_id != athlete_id:
            return "ignored"
        self.store.delete_link(link)  # revoked at Strava already: tokens are useless
        return "unlinked"

    def _unmatch(self, activity_id: int) -> str:
        match = self.store.match_of(activity_id)
        if match is None:
            return "ignored"
        _, participation = self.store.ride_and_participation(*match)
        if participation is None or participation.strava_activity is None:
            self.store.forget_match(activity_id)
            return "ignored"
        self.store.clear_match(participation, without_activity(participation), activity_id)
        return "unmatched"

    def _match(self, athlete_id: int, activity_id: int) -> str:
        user_id = self.store.user_of_athlete(athlete_id)
        link = self.store.link(user_id) if user_id else None
        if link is None:
            return "ignored"  # not (or no longer) linked
        try:
            activity = self._read(link, activity_id)
        except StravaUnauthorized:
            return "unauthorized"  # revoked at Strava: its deauthorization event follows
        except StravaNotFound:
            # Deleted, or made private to us, since: what it added goes too.
            return self._unmatch(activity_id)
        if activity.athlete_id and activity.athlete_id != athlete_id:
            return "ignored"
        earliest, latest = ride_window(
            activity.start, self.settings.match_before_minutes, self.settings.match_after_minutes
        )
        candidates = []
        for club_id in self.store.active_club_ids(link.user_id):
            for ride in self.store.rides_starting_between(club_id, earliest, latest):
                ride_now, mine = self.store.ride_and_participation(ride.ride_id, link.user_id)
                if ride_now is not None and mine is not None:
                    candidates.append((ride_now, mine))
        match = best_match(
            activity.start,
            candidates,
            self.settings.match_before_minutes,
            self.settings.match_after_minutes,
        )
        previous = self.store.match_of(activity_id)
        if previous and (match is None or previous[0] != match[0].ride_id):
            self._unmatch(activity_id)  # an edited start time moved it off that ride
        if match is None:
            return "no ride"
        _, participation = match
        summary = summary_of(activity)
        if participation.strava_activity == summary:
            return "matched"  # a duplicate delivery
        self.store.record_match(participation, with_activity(participation, summary), activity_id)
        return "matched"


@cache
def get_sync() -> Sync:
    settings = get_strava_settings()
    app = read_app(settings.app_secret_name)
    return Sync(
        store=StravaStore(app_table()),
        strava=StravaClient(pool_manager(), app.client_id, app.client_secret, settings.base_url),
        sealer=SecretSealer(partial(aws_client, "kms"), settings.secrets_key_id),
        settings=settings,
    )


@cache
def get_queue() -> WorkQueue:
    return WorkQueue(partial(aws_client, "sqs"), get_strava_settings().sync_queue_url)


def _record_handler(record: SQSRecord) -> None:
    event = DomainEvent.from_eventbridge(json.loads(record.body))
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


def _consume(event: Mapping[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=dict(event), record_handler=_record_handler, processor=processor, context=context
    )


handler = instrumented(_consume)
