"""Ride reminders as EventBridge Scheduler one-time schedules, one per ride.

A schedule fires once, at `start - lead`, and sends a `ride_reminder_due` event (the same
envelope EventBridge delivers) to the notifications queue; it deletes itself afterwards.
Moving a ride moves its schedule; cancelling deletes it.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.adapters.delivery_errors import RetryLater
from shared.aws_clients import error_code
from shared.event_catalog import RideReminderDue
from shared.events import DomainEvent

_RETRYABLE = frozenset({"ThrottlingException", "InternalServerException"})


def schedule_name(ride_id: str) -> str:
    """Ride ids are longer than a schedule name may be (64); a digest is stable."""
    return "ride-" + hashlib.sha256(ride_id.encode()).hexdigest()[:40]


def reminder_envelope(ride_id: str, club_id: str, start_at: datetime, lead_hours: int) -> str:
    """What the schedule sends: an EventBridge-shaped envelope around a DomainEvent."""
    data = RideReminderDue(
        ride_id=ride_id, club_id=club_id, start_at=start_at, lead_hours=lead_hours
    )
    event = DomainEvent(
        event_id=f"reminder:{ride_id}:{start_at.isoformat()}",
        event_type="ride_reminder_due",
        context="notifications",
        occurred_at=start_at - timedelta(hours=lead_hours),
        data=data.model_dump(mode="json"),
    )
    return json.dumps(
        {
            "source": event.source,
            "detail-type": event.event_type,
            "detail": json.loads(event.model_dump_json()),
        }
    )


# A reminder Scheduler could not deliver within this time is no longer worth sending; it
# goes to the dead-letter queue (alarmed) instead of being retried for Scheduler's 24 hours.
REMINDER_MAX_AGE_SECONDS = 2 * 3600


class ReminderScheduler(Adapter):
    def __init__(
        self,
        client: ClientSource,
        *,
        group: str,
        queue_arn: str,
        role_arn: str,
        dead_letter_arn: str,
    ) -> None:
        super().__init__(client)
        self.group = group
        self.queue_arn = queue_arn
        self.role_arn = role_arn
        self.dead_letter_arn = dead_letter_arn

    def schedule(
        self, ride_id: str, club_id: str, start_at: datetime, lead_hours: int, now: datetime
    ) -> bool:
        """Create or move the ride's reminder; False (and no schedule) when the reminder
        time has already passed."""
        fire_at = start_at - timedelta(hours=lead_hours)
        if fire_at <= now:
            self.cancel(ride_id)
            return False
        request = {
            "Name": schedule_name(ride_id),
            "GroupName": self.group,
            "ScheduleExpression": f"at({fire_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})",
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Target": {
                "Arn": self.queue_arn,
                "RoleArn": self.role_arn,
                "Input": reminder_envelope(ride_id, club_id, start_at, lead_hours),
                "DeadLetterConfig": {"Arn": self.dead_letter_arn},
                "RetryPolicy": {
                    "MaximumEventAgeInSeconds": REMINDER_MAX_AGE_SECONDS,
                    "MaximumRetryAttempts": 10,
                },
            },
        }
        try:
            try:
                self.client.update_schedule(**request)
            except ClientError as error:
                if error_code(error) != "ResourceNotFoundException":
                    raise
                self.client.create_schedule(**request)
        except ClientError as error:
            if error_code(error) in _RETRYABLE:
                raise RetryLater(error_code(error)) from None
            raise
        return True

    def cancel(self, ride_id: str) -> None:
        try:
            self.client.delete_schedule(Name=schedule_name(ride_id), GroupName=self.group)
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
