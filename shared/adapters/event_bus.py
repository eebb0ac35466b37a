"""Domain events put on the bus directly, for events that do not come from a change of the
table (a third party's webhook): everything else is published from the table's stream."""

from collections.abc import Sequence

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.domain.errors import ServiceUnavailable
from shared.events import DomainEvent


class EventBus(Adapter):
    def __init__(self, client: ClientSource, bus_name: str) -> None:
        super().__init__(client)
        self.bus_name = bus_name

    def publish(self, events: Sequence[DomainEvent]) -> None:
        try:
            answer = self.client.put_events(Entries=[e.to_entry(self.bus_name) for e in events])
        except ClientError:
            raise ServiceUnavailable("The event bus is busy; retry shortly.") from None
        if answer.get("FailedEntryCount"):
            raise ServiceUnavailable("The event bus refused the event; retry shortly.")
