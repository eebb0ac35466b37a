"""The upload processor: S3's "Object Created" events for `incoming/` (through
EventBridge and a queue). Each file is judged by its bytes; a valid one is published under
its final key(s) (a logo as re-encoded sizes, a route as checked GPX), an invalid one is
moved to `quarantine/` with the reason on its upload, and a file nobody announced is
deleted. Only this function writes outside `incoming/`."""

import json
from collections.abc import Mapping
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from media.images import decode, renditions
from media.routes import parse_route
from media.settings import get_media_settings
from media.store import MediaStore
from media.validation import Refused
from shared.adapters.media import MediaBucket
from shared.domain.media import (
    IMAGE_KINDS,
    INCOMING,
    LOGO_SIZES,
    MAX_BYTES,
    QUARANTINE,
    RouteSummary,
    Upload,
    UploadStatus,
    parse_incoming_key,
    route_key,
    sizes_prefix,
)
from shared.observability import instrumented, logger
from shared.store.client import aws_client
from shared.store.table import app_table

processor = BatchProcessor(event_type=EventType.SQS)
# Published keys never change (a new upload has a new id): cache them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


def _publish(
    upload: Upload, data: bytes, bucket: MediaBucket
) -> tuple[list[str], RouteSummary | None]:
    if upload.kind in IMAGE_KINDS:
        sizes = renditions(decode(data, upload.content_type), LOGO_SIZES)
        prefix = sizes_prefix(upload.kind, upload.subject_id, upload.upload_id)
        for name, image in sizes.items():
            bucket.write(f"{prefix}{name}", image, CONTENT_TYPES[name.rsplit(".", 1)[1]], IMMUTABLE)
        return [f"{prefix}{name}" for name in sorted(sizes)], None
    route = parse_route(data)
    key = route_key(upload.subject_id, upload.upload_id)
    bucket.write(key, data, "application/gpx+xml", "private, max-age=300")
    return [key], route


def process(key: str, store: MediaStore, bucket: MediaBucket) -> str:
    """What became of the object at `key`: published, refused or ignored."""
    parsed = parse_incoming_key(key)
    upload = store.upload(parsed[2]) if parsed else None
    if upload is None or upload.key != key or upload.status is not UploadStatus.PENDING:
        bucket.delete(key)  # not announced (or already judged): nothing may stay
        return "ignored"
    data = bucket.read(key, MAX_BYTES[upload.kind])
    try:
        if data is None:
            raise Refused("too_large", "The file is larger than allowed.")
        outputs, route = _publish(upload, data, bucket)
    except Refused as refused:
        bucket.move(key, QUARANTINE + key[len(INCOMING) :])
        store.settle(upload, UploadStatus.REFUSED, reason_code=refused.code, reason=refused.message)
        logger.info("upload refused", extra={"kind": upload.kind.value, "reason": refused.code})
        return "refused"
    store.settle(upload, UploadStatus.PUBLISHED, outputs=outputs, route=route)
    bucket.delete(key)
    logger.info("upload published", extra={"kind": upload.kind.value, "outputs": len(outputs)})
    return "published"


@cache
def get_store() -> MediaStore:
    return MediaStore(app_table())


@cache
def get_bucket() -> MediaBucket:
    return MediaBucket(partial(aws_client, "s3"), get_media_settings().bucket)


def _record_handler(record: SQSRecord) -> None:
    envelope = json.loads(record.body)
    detail = envelope.get("detail") or {}
    key = str((detail.get("object") or {}).get("key") or "")
    if key:
        process(key, get_store(), get_bucket())


def _consume(event: Mapping[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=dict(event), record_handler=_record_handler, processor=processor, context=context
    )


handler = instrumented(_consume)
