"""The media context's store and bucket: one of each per execution environment, shared by
the API, the upload processor and the route publisher (tests replace them)."""

from functools import cache, partial

from media.store import MediaStore
from shared.adapters.media import MediaBucket
from shared.aws_clients import aws_client
from shared.settings import MediaSettings
from shared.store.table import app_table


@cache
def get_store() -> MediaStore:
    return MediaStore(app_table())


@cache
def get_bucket() -> MediaBucket:
    return MediaBucket(
        partial(aws_client, "s3"), MediaSettings.from_environment().assets_bucket_name
    )
