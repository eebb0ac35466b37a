"""A queue of work one function hands to another (SQS): sent in batches, and postponed
(a message's visibility moved) when the work must wait, e.g. a retry after backoff or a
provider's rate limit, without any function waiting for it."""

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.adapters.delivery_errors import RetryLater
from shared.aws_clients import error_code

SQS_BATCH = 10
# SQS's longest visibility timeout.
MAX_POSTPONE_SECONDS = 12 * 3600


class WorkQueue(Adapter):
    def __init__(self, client: ClientSource, queue_url: str) -> None:
        super().__init__(client)
        self.queue_url = queue_url

    def send(self, bodies: Sequence[dict[str, Any]]) -> None:
        for start in range(0, len(bodies), SQS_BATCH):
            chunk = bodies[start : start + SQS_BATCH]
            answer = self.client.send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(index), "MessageBody": json.dumps(body, separators=(",", ":"))}
                    for index, body in enumerate(chunk)
                ],
            )
            if answer.get("Failed"):
                # The whole event is retried: receivers deduplicate by event id.
                codes = sorted({str(f.get("Code")) for f in answer["Failed"]})
                raise RetryLater(f"SQS refused {len(answer['Failed'])} messages: {codes}")

    def postpone(self, receipt_handle: str, seconds: int) -> None:
        """The message comes back after `seconds` (the caller then reports it failed)."""
        try:
            self.client.change_message_visibility(
                QueueUrl=self.queue_url,
                ReceiptHandle=receipt_handle,
                VisibilityTimeout=max(0, min(int(seconds), MAX_POSTPONE_SECONDS)),
            )
        except ClientError as error:
            # Too late to move it (it was already received again): it comes back anyway.
            if error_code(error) not in ("ReceiptHandleIsInvalid", "MessageNotInflight"):
                raise
