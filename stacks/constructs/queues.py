"""Every SQS queue of the platform is made here: encrypted, TLS only, messages kept 14 days."""

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

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
