"""Fires the schedules moto stores but never runs: a due one-time `at(...)` schedule (a
ride reminder) sends its target input to its SQS queue and is deleted, as EventBridge
Scheduler does with `ActionAfterCompletion: DELETE`; a recurring `rate(...)` schedule (a
consumer's job) fires when the platform starts and then once a period. A message its queue
refuses goes to the schedule's dead-letter queue."""

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from local.event_sources import PollingThread


def due_time(expression: str) -> datetime | None:
    """The moment of an `at(yyyy-mm-ddThh:mm:ss)` expression (UTC), None otherwise."""
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    return datetime.fromisoformat(expression[3:-1]).replace(tzinfo=UTC)


_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400}


def rate_period(expression: str) -> timedelta | None:
    """The period of a `rate(value unit)` expression, None otherwise."""
    if not (expression.startswith("rate(") and expression.endswith(")")):
        return None
    value, unit = expression[5:-1].split()
    return timedelta(seconds=int(value) * _RATE_UNITS[unit])


class ScheduleRunner(PollingThread):
    idle_seconds = 1.0

    def __init__(self, scheduler: Any, sqs: Any, group: str, clock: Any = None) -> None:
        super().__init__("schedule-runner")
        self.scheduler, self.sqs = scheduler, sqs
        # The reminders' group, and the default group of the consumers' jobs.
        self.groups = (group, "default")
        self.clock = clock or (lambda: datetime.now(UTC))
        self.fired = 0
        self._last_run: dict[str, datetime] = {}

    def poll_once(self) -> bool:
        fired = False
        for group in self.groups:
            listed = self.scheduler.list_schedules(GroupName=group).get("Schedules", [])
            for name in [s["Name"] for s in listed]:
                fired |= self._maybe_fire(name, group)
        return fired

    def _maybe_fire(self, name: str, group: str) -> bool:
        schedule = self.scheduler.get_schedule(Name=name, GroupName=group)
        expression = schedule["ScheduleExpression"]
        now = self.clock()
        period = rate_period(expression)
        if period is not None:
            last = self._last_run.get(name)
            if last is not None and now - last < period:
                return False
            self._last_run[name] = now
            self._deliver(schedule["Target"])
            self.fired += 1
            return True
        moment = due_time(expression)
        if moment is None or moment > now:
            return False
        self._deliver(schedule["Target"])
        self.scheduler.delete_schedule(Name=name, GroupName=group)
        self.fired += 1
        return True

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
