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

from shared.adapters.delivery_errors import RetryLater
from shared.domain.errors import DomainError
from shared.events import DomainEvent
from shared.observability import count_unhandled_error, instrumented, logger

# A record failing with one of these is the world's doing, not a bug: a provider
# throttling, a race lost or a refusal the domain names. It is retried all the same.
EXPECTED_FAILURES: tuple[type[Exception], ...] = (RetryLater, DomainError)

type BatchHandler = Callable[[Mapping[str, Any], LambdaContext], PartialItemFailureResponse]


def batch_handler(
    record_handler: Callable[[Any], object],
    *,
    event_type: EventType = EventType.SQS,
    settles_failures: bool = False,
    expected: tuple[type[Exception], ...] = (),
) -> BatchHandler:
    """`record_handler(record)` over each record of a batch. A consumer that
    `settles_failures` (postpones a record on its own queue, by design) may fail every
    record of a batch without that being an error of the invocation. A record failing
    otherwise than `EXPECTED_FAILURES` or `expected` (the consumer's own postponements) is
    a bug: logged and counted as `UnhandledError`, since a partial batch failure does not
    fail the invocation and Lambda's Errors metric never sees it."""
    processor = BatchProcessor(
        event_type=event_type, raise_on_entire_batch_failure=not settles_failures
    )
    foreseen = (*EXPECTED_FAILURES, *expected)

    def handle(record: Any) -> object:
        try:
            return record_handler(record)
        except foreseen:
            raise
        except Exception:
            logger.exception("Unhandled error in a record")
            count_unhandled_error()
            raise

    def consume(event: Mapping[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=dict(event), record_handler=handle, processor=processor, context=context
        )

    return instrumented(consume)


def domain_event(record: SQSRecord) -> DomainEvent:
    """The domain event an SQS record carries, in the envelope EventBridge delivers."""
    return DomainEvent.from_eventbridge(record.body)
