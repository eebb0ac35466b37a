"""Dead letters back to work, once the fault that sent them there is fixed: each consumer's
dead-letter queue is emptied into the queue its messages came from.

    python -m ops.redrive --stage prod                        # dry run: what each holds
    python -m ops.redrive --stage prod --queue Counts --go    # move one queue's messages
    python -m ops.redrive --stage prod --all --go             # move every queue's

A message is received, sent to its source queue with its body and attributes, then
deleted; one interrupted between the send and the delete arrives twice, which the
consumers absorb (each records the events it applied). SQS's own StartMessageMoveTask does
the same inside AWS but the local emulator has no such call, so the tool moves messages
itself and runs the same against moto. `StreamFailures` is not redriven: it holds pointers
to table-stream batches, not events (docs/runbooks/dead-letters.md).

`make run`'s queues have the same names: `--stage local` with AWS_ENDPOINT_URL set to the
moto URL its banner prints (and any credentials, e.g. AWS_ACCESS_KEY_ID=local).
"""

import argparse
import sys
from dataclasses import dataclass
from typing import Any

import boto3

from shared.names import resource_prefix
from stacks.consumers import CONSUMERS, WORKERS, dead_letter_queue_name

STREAM_FAILURES = "StreamFailures"
_BATCH = 10


@dataclass(frozen=True)
class DeadLetters:
    name: str
    url: str
    source_url: str | None  # None: not a queue's dead letters
    waiting: int


def queue_names() -> list[str]:
    """The declared queues that have dead letters, by their declaration's name."""
    return [c.name for c in CONSUMERS] + [w.name for w in WORKERS] + [STREAM_FAILURES]


def find(sqs: Any, stage: str, name: str) -> DeadLetters:
    url = sqs.get_queue_url(QueueName=dead_letter_queue_name(resource_prefix(stage), name))
    url = str(url["QueueUrl"])
    sources = sqs.list_dead_letter_source_queues(QueueUrl=url).get("queueUrls", [])
    waiting = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    source = str(sources[0]) if len(sources) == 1 and name != STREAM_FAILURES else None
    return DeadLetters(name, url, source, int(waiting))


def move(sqs: Any, dead: DeadLetters, limit: int | None = None) -> int:
    """Moves up to `limit` messages (all if None) back to the source; how many moved."""
    if dead.source_url is None:
        raise SystemExit(f"{dead.name}: not a queue's dead letters; see the runbook")
    moved = 0
    while limit is None or moved < limit:
        wanted = _BATCH if limit is None else min(_BATCH, limit - moved)
        messages = sqs.receive_message(
            QueueUrl=dead.url,
            MaxNumberOfMessages=wanted,
            WaitTimeSeconds=1,
            VisibilityTimeout=120,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return moved
        entries = [
            {
                "Id": str(i),
                "MessageBody": m["Body"],
                "MessageAttributes": _attributes(m),
            }
            for i, m in enumerate(messages)
        ]
        sent = sqs.send_message_batch(QueueUrl=dead.source_url, Entries=entries)
        done = {entry["Id"] for entry in sent.get("Successful", [])}
        # Only what reached the source leaves the dead letters; the rest stays for a retry.
        receipts = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
            for i, m in enumerate(messages)
            if str(i) in done
        ]
        if receipts:
            sqs.delete_message_batch(QueueUrl=dead.url, Entries=receipts)
        moved += len(done)
        if len(done) < len(messages):
            raise SystemExit(
                f"{dead.name}: {len(messages) - len(done)} messages not sent; run again"
            )
    return moved


def _attributes(message: dict[str, Any]) -> dict[str, Any]:
    """A received message's attributes as SendMessage takes them (the list members SQS
    returns are reserved and refused on send)."""
    kept = ("DataType", "StringValue", "BinaryValue")
    return {
        name: {k: v for k, v in value.items() if k in kept}
        for name, value in message.get("MessageAttributes", {}).items()
    }


def report(found: list[DeadLetters]) -> str:
    lines = []
    for dead in found:
        where = dead.source_url.rsplit("/", 1)[-1] if dead.source_url else "(not redriven)"
        lines.append(f"{dead.name:24} {dead.waiting:6} waiting -> {where}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.redrive", description=__doc__)
    # `local`: the dead letters of `make run` (AWS_ENDPOINT_URL=<its moto URL>).
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod", "local"])
    parser.add_argument("--queue", choices=queue_names(), help="one dead-letter queue")
    parser.add_argument("--all", action="store_true", help="every dead-letter queue")
    parser.add_argument("--max", type=int, help="move at most this many from each queue")
    parser.add_argument("--go", action="store_true", help="move (without it: a dry run)")
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args()
    sqs = boto3.client("sqs", region_name=args.region)
    names = [args.queue] if args.queue else queue_names()
    found = [find(sqs, args.stage, name) for name in names]
    print(report(found))
    if not args.go:
        print("dry run: nothing moved (--queue NAME --go, or --all --go, to move)")
        return 0
    if not (args.queue or args.all):
        raise SystemExit("--go needs --queue NAME or --all")
    for dead in found:
        if dead.source_url is not None:
            print(f"{dead.name}: {move(sqs, dead, args.max)} moved back")
    return 0


if __name__ == "__main__":
    sys.exit(main())
