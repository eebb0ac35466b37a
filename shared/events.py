"""Domain events (`docs/events.md`): the envelope every event on the bus carries.

Events are derived from the table's change stream (a transactional outbox): a request
writes its items, and the publisher turns the committed change into events, so an event
is published if and only if the change was committed.
"""

import json
from datetime import datetime
from typing import Any

from pydantic import Field

from shared.domain.model import Model
from shared.names import PROJECT

SOURCE_PREFIX = PROJECT
SCHEMA_VERSION = 1


class DomainEvent(Model):
    # Deterministic (derived from the stream record), so consumers can deduplicate.
    event_id: str
    event_type: str
    context: str
    occurred_at: datetime
    actor: str | None = None
    version: int = SCHEMA_VERSION
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"{SOURCE_PREFIX}.{self.context}"

    def to_entry(self, bus_name: str) -> dict[str, Any]:
        """A PutEvents entry: detail-type is the event type, detail the whole envelope."""
        return {
            "Source": self.source,
            "DetailType": self.event_type,
            "Detail": self.model_dump_json(),
            "EventBusName": bus_name,
            "Time": self.occurred_at,
        }

    @classmethod
    def from_eventbridge(cls, envelope: dict[str, Any] | str) -> "DomainEvent":
        """The event inside an EventBridge envelope (as an SQS target receives it)."""
        if isinstance(envelope, str):
            envelope = json.loads(envelope)
        assert isinstance(envelope, dict)
        return cls.model_validate(envelope["detail"])
