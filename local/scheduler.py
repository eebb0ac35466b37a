"""Fires the ride reminders' one-time schedules, which moto stores but never runs: a due
`at(...)` schedule sends its target input to its SQS queue and is deleted, as EventBridge
Scheduler does with `ActionAfterCompletion: DELETE`; one its queue refuses goes to the
schedule's dead-letter queue."""

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from local.event_sources import PollingThread


def due_time(expression: str) -> datetime | None:
    """The moment of an `at(yyyy-mm-ddThh:mm:ss)` expression (UTC), None otherwise."""
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    return datetime.fromisoformat(expression[3:-1]).replace(tzinfo=UTC)


class ScheduleRunner(PollingThread):
    idle_seconds = 1.0

    def __init__(self, scheduler: Any, sqs: Any, group: str, clock: Any = None) -> None:
        super().__init__("schedule-runner")
        self.scheduler, self.sqs, self.group = scheduler, sqs, group
        self.clock = clock or (lambda: datetime.now(UTC))
        self.fired = 0

    def poll_once(self) -> bool:
        names = [
            s["Name"]
            for s in self.scheduler.list_schedules(GroupName=self.group).get("Schedules", [])
        ]
        fired = False
        for name in names:
            schedule = self.scheduler.get_schedule(Name=name, GroupName=self.group)
            moment = due_time(schedule["ScheduleExpression"])
            if moment is None or moment > self.clock():
                continue
            self._deliver(schedule["Target"])
            self.scheduler.delete_schedule(Name=name, GroupName=self.group)
            self.fired += 1
            fired = True
        return fired

    def _deliver(self, target: dict[str, Any]) -> None:
        """To the target queue; one that refuses it sends it to the schedule's dead-letter
        queue with the error, as Scheduler does once its retries are spent (here at once)."""
        try:
            self._send(target["Arn"], target["Input"])
        except ClientError as error:
            dead_letters = target.get("DeadLetterConfig", {}).get("Arn")
            if not dead_letters:
                raise
            attributes = {
                "ERROR_CODE": error.response["Error"]["Code"],
                "ERROR_MESSAGE": error.response["Error"].get("Message", "")[:256] or "-",
            }
            self._send(dead_letters, target["Input"], attributes)

    def _send(self, queue_arn: str, body: str, attributes: dict[str, str] | None = None) -> None:
        queue_url = self.sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
        self.sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=body,
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value}
                for name, value in (attributes or {}).items()
            },
        )
