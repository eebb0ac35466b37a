"""The upload processor: S3's "Object Created" events for `incoming/` (through
EventBridge and a queue). Each file is judged by its bytes; a valid one is published under
its final key(s) (a logo as re-encoded sizes, a route as checked GPX), an invalid one is
moved to `quarantine/` with the reason on its upload, and a file nobody announced is
deleted. Only this function writes outside `incoming/`."""

import json

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from media.dependencies import get_bucket, get_store
from media.images import decode, one_jpeg, renditions
from media.store import MediaStore
from media.validation import UploadRefused
from shared.adapters.media import MediaBucket
from shared.batch import batch_handler
from shared.domain.media import (
    ATTACHMENT_IMAGE_SIDE,
    IMAGE_KINDS,
    INCOMING,
    LOGO_SIZES,
    MAX_BYTES,
    PUBLISHED_TYPES,
    QUARANTINE,
    Published,
    Upload,
    UploadKind,
    UploadStatus,
    attachment_key,
    parse_incoming_key,
    route_key,
    sizes_prefix,
)
from shared.observability import logger

# Published keys never change (a new upload has a new id): cache them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}
PRIVATE_CACHE = "private, max-age=300"


def _attachment(upload: Upload, data: bytes, bucket: MediaBucket) -> Published:
    """A PDF as uploaded (once checked), an image re-encoded as one JPEG without EXIF;
    private, read through short-lived URLs, always as a download."""
    ride_id, upload_id = upload.subject_id, upload.upload_id
    if upload.content_type == "application/pdf":
        from media.documents import check_pdf  # pypdf: ~40 ms of init no image needs

        check_pdf(data)
        key, body = attachment_key(ride_id, upload_id, "pdf"), data
    else:
        body = one_jpeg(decode(data, upload.content_type), ATTACHMENT_IMAGE_SIDE)
        key = attachment_key(ride_id, upload_id, "jpg")
    content_type = PUBLISHED_TYPES[key.rsplit(".", 1)[1]]
    bucket.write(key, body, content_type, PRIVATE_CACHE, disposition="attachment")
    return Published([key], len(body))


def _publish(upload: Upload, data: bytes, bucket: MediaBucket) -> Published:
    if upload.kind in IMAGE_KINDS:
        sizes = renditions(decode(data, upload.content_type), LOGO_SIZES)
        prefix = sizes_prefix(upload.kind, upload.subject_id, upload.upload_id)
        for name, image in sizes.items():
            bucket.write(f"{prefix}{name}", image, CONTENT_TYPES[name.rsplit(".", 1)[1]], IMMUTABLE)
        return Published(
            [f"{prefix}{name}" for name in sorted(sizes)], sum(map(len, sizes.values()))
        )
    if upload.kind is UploadKind.RIDE_ATTACHMENT:
        return _attachment(upload, data, bucket)
    from media.gpx import parse_route  # gpxpy and its XML parsing: for routes only

    route = parse_route(data)
    key = route_key(upload.subject_id, upload.upload_id)
    bucket.write(key, data, PUBLISHED_TYPES["gpx"], PRIVATE_CACHE)
    return Published([key], len(data), route)


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
            raise UploadRefused("too_large", "The file is larger than allowed.")
        published = _publish(upload, data, bucket)
    except UploadRefused as refused:
        bucket.move(key, QUARANTINE + key[len(INCOMING) :])
        store.settle(upload, UploadStatus.REFUSED, reason_code=refused.code, reason=refused.message)
        logger.info("upload refused", extra={"kind": upload.kind.value, "reason": refused.code})
        return "refused"
    store.settle(upload, UploadStatus.PUBLISHED, published=published)
    bucket.delete(key)
    logger.info(
        "upload published",
        extra={"kind": upload.kind.value, "outputs": len(published.outputs)},
    )
    return "published"


def _record_handler(record: SQSRecord) -> None:
    envelope = json.loads(record.body)
    detail = envelope.get("detail") or {}
    key = str((detail.get("object") or {}).get("key") or "")
    if key:
        process(key, get_store(), get_bucket())


handler = batch_handler(_record_handler)
