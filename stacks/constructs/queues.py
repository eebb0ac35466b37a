"""Every SQS queue of the platform is made here: encrypted, TLS only, messages kept 14 days."""

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.nag import acknowledge_guard

RETENTION = Duration.days(14)


def secure_queue(scope: Construct, construct_id: str, **options: Any) -> sqs.Queue:
    """A queue with the platform's defaults; `options` add to (or override) them."""
    return sqs.Queue(
        scope,
        construct_id,
        **{
            "encryption": sqs.QueueEncryption.SQS_MANAGED,
            "enforce_ssl": True,
            "retention_period": RETENTION,
            **options,
        },
    )


def dead_letter_queue(scope: Construct, construct_id: str, **options: Any) -> sqs.Queue:
    """A queue where failed messages are kept: the end of the line, with no dead-letter
    queue of its own (alarmed on by depth; `ops/redrive.py` sends its messages back)."""
    queue = secure_queue(scope, construct_id, **options)
    acknowledge_guard(
        queue,
        "sqs_dlq_check",
        "This queue is a dead-letter queue (or a failure destination): it has none of its "
        "own. A RedriveAllowPolicy naming its source would make a reference cycle (the "
        "source's RedrivePolicy names it); its depth is alarmed instead.",
    )
    return queue
