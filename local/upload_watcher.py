"""What S3's EventBridge notifications do in AWS, done locally: moto's S3 publishes no
events, so this thread watches `incoming/` in the assets bucket and puts the "Object
Created" event S3 would send (the fields the processor reads) on the media consumer's
queue, where the real processor takes it as in AWS."""

import json
from datetime import UTC, datetime
from typing import Any

from local.event_sources import PollingThread
from local.provision import REGION
from shared.domain.media import INCOMING


def object_created(bucket: str, key: str, size: int) -> dict[str, Any]:
    """An EventBridge envelope of S3's "Object Created" event."""
    return {
        "version": "0",
        "source": "aws.s3",
        "detail-type": "Object Created",
        "region": REGION,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {"key": key, "size": size},
            "reason": "PostObject",
        },
    }


class UploadWatcher(PollingThread):
    idle_seconds = 0.3

    def __init__(self, s3: Any, sqs: Any, bucket: str, queue_url: str) -> None:
        super().__init__("upload-watcher")
        self.s3, self.sqs = s3, sqs
        self.bucket, self.queue_url = bucket, queue_url
        self._seen: set[tuple[str, str]] = set()

    def poll_once(self) -> bool:
        listing = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=INCOMING)
        fresh = [
            o for o in listing.get("Contents") or [] if (o["Key"], o["ETag"]) not in self._seen
        ]
        for item in fresh:
            self._seen.add((item["Key"], item["ETag"]))
            event = object_created(self.bucket, item["Key"], int(item["Size"]))
            self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(event))
        return False
