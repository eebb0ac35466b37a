"""The account deletion saga (decision 37): the `AccountDeletion` consumer hears
`user_deletion_requested` and works through the steps (`shared/domain/deletion.py`) in
order, recording each one it finishes on the deletion item. A step is idempotent; one
that cannot finish yet (the Strava consumer's own step, or upcoming places the seats
consumer has not released) sends the message back to the queue to be tried again, and
one that keeps failing ends in the dead-letter queue, which is alarmed. When every step
is done the deletion is marked done, and the stream publishes `user_deleted`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.adapters.delivery_errors import RetryLater
from shared.adapters.identity import IdentityDirectory
from shared.adapters.media import MediaBucket
from shared.adapters.push import PushGateway
from shared.aws_clients import aws_client
from shared.batch import batch_handler, domain_event
from shared.domain.clock import utc_now
from shared.domain.deletion import FINAL_STEPS, STEPS, DeletionStatus, DeletionStep
from shared.domain.export import EXPORTS
from shared.domain.media import INCOMING, PUBLIC, UploadKind, parse_incoming_key
from shared.events import DomainEvent
from shared.observability import logger, metrics
from shared.settings import UsersSettings
from shared.store.deletion import mark_done, strava_unlinked
from shared.store.table import app_table
from users.deletion_store import DeletionStore, LastAdmin


class NotYet(Exception):
    """The step waits on another consumer's work."""


@dataclass
class Saga:
    store: DeletionStore
    directory: IdentityDirectory
    push: PushGateway
    media: MediaBucket

    def run(self, user_id: str) -> bool:
        """Every step not done yet, in order; True when the account is gone."""
        deletion = self.store.deletion(user_id)
        if deletion is None or deletion.status is DeletionStatus.DONE:
            return False
        waiting: list[str] = []
        for step in STEPS:
            if step in deletion.steps_done:
                continue
            if waiting and step in FINAL_STEPS:
                break
            try:
                self._steps[step](user_id)
            except NotYet as reason:
                waiting.append(f"{step}: {reason}")
                continue
            mark_done(self.store.table, user_id, step)
        if waiting:
            raise RetryLater("; ".join(waiting))
        finished = self.store.deletion(user_id)
        if finished is not None:
            self.store.finish(finished)
        return True

    @property
    def _steps(self) -> dict[DeletionStep, Callable[[str], None]]:
        return {
            DeletionStep.MEMBERSHIPS: self._memberships,
            DeletionStep.DEVICES: self._devices,
            DeletionStep.CALENDAR_FEED: self.store.forget_calendar_feed,
            DeletionStep.PREFERENCES: partial(self._forget, sort_key="NOTIFY#PREFERENCES"),
            DeletionStep.REGULARS: self._regulars,
            DeletionStep.AVATAR: self._avatar,
            DeletionStep.EXPORTS: self._exports,
            DeletionStep.STRAVA: self._strava,
            DeletionStep.PLACES: self._places,
            DeletionStep.COGNITO: self._cognito,
            DeletionStep.PROFILE: self._profile,
            DeletionStep.DELIVERIES: self.store.forget_deliveries,
            DeletionStep.IDEMPOTENCY: self.store.forget_idempotency_records,
        }

    def _memberships(self, user_id: str) -> None:
        for membership in self.store.memberships(user_id):
            try:
                self.store.end_membership(membership)
            except LastAdmin as club:
                # Became the last admin since the request: a human hands the club over,
                # then the retry finishes (the dead-letter alarm says it is stuck).
                raise NotYet(f"the last admin of club {club}") from None

    def _devices(self, user_id: str) -> None:
        for device in self.store.devices(user_id):
            self.push.unregister(device.endpoint_arn)
            self.store.forget_device(device)
        self.store.forget_user_items(user_id, "DEVICES")

    def _forget(self, user_id: str, sort_key: str) -> None:
        self.store.forget_user_items(user_id, sort_key)

    def _regulars(self, user_id: str) -> None:
        for series_id in self.store.regular_series(user_id):
            self.store.forget_regular(series_id, user_id)

    def _avatar(self, user_id: str) -> None:
        """Every size of every avatar, uploads not yet judged, and their records."""
        incoming = self.media.keys(f"{INCOMING}{UploadKind.AVATAR.value}/{user_id}/")
        published = self.media.keys(f"{PUBLIC}avatars/{user_id}/")
        upload_ids = {parsed[2] for key in incoming if (parsed := parse_incoming_key(key))}
        upload_ids |= {key.split("/")[3] for key in published if key.count("/") >= 4}
        for key in (*incoming, *published):
            self.media.delete(key)
        for upload_id in upload_ids:
            self.store.forget_upload(upload_id)

    def _exports(self, user_id: str) -> None:
        """Archives of the rider's data, and their records."""
        for key in self.media.keys(f"{EXPORTS}{user_id}/"):
            self.media.delete(key)
        self.store.forget_exports(user_id)

    def _strava(self, user_id: str) -> None:
        if not strava_unlinked(self.store.table, user_id):
            raise NotYet("the Strava consumer has not unlinked the account yet")

    def _places(self, user_id: str) -> None:
        clubs = sorted({m.club_id for m in self.store.memberships(user_id)})
        now = utc_now()
        places = self.store.places(user_id, clubs)
        if any(p.takes_part and start is not None and start > now for p, start in places):
            raise NotYet("the seats consumer has not released the upcoming places yet")
        for place, start in places:
            self.store.unname_place(place, start)

    def _cognito(self, user_id: str) -> None:
        profile = self.store.profile(user_id)
        self.directory.delete_user((profile.email if profile else None) or user_id)

    def _profile(self, user_id: str) -> None:
        profile = self.store.profile(user_id)
        suppressed = profile.email if profile and profile.email_suppressed else None
        self.store.tombstone(user_id, suppressed)


@cache
def get_saga() -> Saga:
    settings = UsersSettings.from_environment()
    return Saga(
        store=DeletionStore(app_table()),
        directory=IdentityDirectory(partial(aws_client, "cognito-idp"), settings.user_pool_id),
        push=PushGateway(partial(aws_client, "sns"), {}),
        media=MediaBucket(partial(aws_client, "s3"), settings.assets_bucket_name),
    )


def handle(event: DomainEvent, saga: Saga) -> None:
    user_id = event.data.get("user_id")
    wanted = event.event_type == "user_deletion_requested" and isinstance(user_id, str)
    if wanted and saga.run(str(user_id)):
        metrics.add_metric(name="AccountsDeleted", unit="Count", value=1)
        logger.info("account deleted")


def _record_handler(record: SQSRecord) -> None:
    handle(domain_event(record), get_saga())


# A deletion waiting on another consumer goes back to the queue by design: a batch of
# only those is not a failed invocation (whose Errors metric would roll a release back).
handler = batch_handler(_record_handler, settles_failures=True, expected=(RetryLater,))
