"""What each event causes in this context: reminders scheduled, moved or dropped with
their ride, notices delivered, and e-mail suppressed after bounces and complaints."""

from typing import Any

from notifications.dispatch import Dispatcher
from notifications.planner import plan
from notifications.store import NotificationStore
from shared.adapters.reminders import ReminderScheduler
from shared.domain.clock import utc_now
from shared.event_catalog import RideChanged
from shared.events import DomainEvent
from shared.flags import Flag, flag_value
from shared.observability import logger

# SES event types after which an address gets no more e-mail.
SUPPRESSING_SES_EVENTS = frozenset({"Bounce", "Complaint"})


def keep_reminder_in_step(
    event: DomainEvent, scheduler: ReminderScheduler | None, lead_hours: int
) -> None:
    """A ride's reminder schedule follows the ride: made with it, moved with its start,
    deleted when it is cancelled or completed."""
    if scheduler is None or event.event_type not in (
        "ride_created",
        "ride_updated",
        "ride_cancelled",
    ):
        return
    ride = RideChanged.model_validate(event.data)
    if ride.status != "scheduled":
        scheduler.cancel(ride.ride_id)
    elif event.event_type == "ride_created" or "start_at" in ride.changed:
        # The flag may give this club another lead time (a rollout to some clubs); the
        # stage's setting stands when the flag says nothing usable.
        hours = flag_value(Flag.REMINDER_LEAD_HOURS, ride.club_id)
        if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= 168:
            hours = lead_hours
        scheduler.schedule(ride.ride_id, ride.club_id, ride.start_at, hours, utc_now())


def react(
    event: DomainEvent,
    store: NotificationStore,
    dispatcher: Dispatcher,
    scheduler: ReminderScheduler | None,
    lead_hours: int,
) -> int:
    """Returns how many notices the event caused."""
    keep_reminder_in_step(event, scheduler, lead_hours)
    notices = plan(event, store)
    for notice in notices:
        dispatcher.deliver(event.event_id, notice)
    return len(notices)


def suppress_after_ses_event(detail: dict[str, Any], store: NotificationStore) -> bool:
    """A permanent bounce or a complaint stops e-mail to that user (named by the message's
    `user_id` tag). Transient bounces (a full mailbox) do not. True if one was suppressed."""
    kind = detail.get("eventType")
    if kind not in SUPPRESSING_SES_EVENTS:
        return False
    if kind == "Bounce" and (detail.get("bounce") or {}).get("bounceType") != "Permanent":
        return False
    user_ids = ((detail.get("mail") or {}).get("tags") or {}).get("user_id") or []
    suppressed = False
    for user_id in user_ids:
        suppressed |= store.suppress_email(str(user_id))
        logger.info("email suppressed", extra={"user_id": user_id, "reason": kind})
    return suppressed
