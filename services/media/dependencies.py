"""The media context's store and bucket: one of each per execution environment, shared by
the API, the upload processor and the route publisher (tests replace them)."""

from functools import cache, partial

from media.settings import get_media_settings
from media.store import MediaStore
from shared.adapters.media import MediaBucket
from shared.store.client import aws_client
from shared.store.table import app_table


@cache
def get_store() -> MediaStore:
    return MediaStore(app_table())


@cache
def get_bucket() -> MediaBucket:
    return MediaBucket(partial(aws_client, "s3"), get_media_settings().bucket)
