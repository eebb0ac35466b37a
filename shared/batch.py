"""The entry point of every batch consumer (SQS queues, the table's stream), written once:
Powertools' batch processor reporting partial batch failures, so only the records that
failed come back, and the instrumentation of every function (`instrumented`)."""

from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.events import DomainEvent
from shared.observability import instrumented

type BatchHandler = Callable[[Mapping[str, Any], LambdaContext], PartialItemFailureResponse]


def batch_handler(
    record_handler: Callable[[Any], object],
    *,
    event_type: EventType = EventType.SQS,
    settles_failures: bool = False,
) -> BatchHandler:
    """`record_handler(record)` over each record of a batch. A consumer that
    `settles_failures` (postpones a record on its own queue, by design) may fail every
    record of a batch without that being an error of the invocation."""
    processor = BatchProcessor(
        event_type=event_type, raise_on_entire_batch_failure=not settles_failures
    )

    def consume(event: Mapping[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=dict(event), record_handler=record_handler, processor=processor, context=context
        )

    return instrumented(consume)


def domain_event(record: SQSRecord) -> DomainEvent:
    """The domain event an SQS record carries, in the envelope EventBridge delivers."""
    return DomainEvent.from_eventbridge(record.body)
