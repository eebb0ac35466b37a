"""Where clients read assets: public ones (club logos, avatars, public rides' routes)
through CloudFront, private ones (ride routes, attachments) through S3 presigned GETs that
expire in minutes. Locally, presigned GETs
from moto's S3 stand in for CloudFront (no CDN, the same bytes)."""

from collections.abc import Callable

from shared.adapters.media import MediaBucket
from shared.domain.media import PUBLIC

PRIVATE_URL_SECONDS = 300
# Locally only: how long the stand-in for a CloudFront URL lasts.
LOCAL_PUBLIC_URL_SECONDS = 3600


class AssetUrls:
    def __init__(self, bucket: MediaBucket, cdn_domain: Callable[[], str]) -> None:
        self.bucket = bucket
        self.cdn_domain = cdn_domain

    def public(self, key: str) -> str:
        domain = self.cdn_domain()
        if domain:  # the distribution's origin is the bucket's public/ folder
            return f"https://{domain}/{key.removeprefix(PUBLIC)}"
        return self.bucket.presigned_get(key, LOCAL_PUBLIC_URL_SECONDS)

    def private(self, key: str) -> str:
        return self.bucket.presigned_get(key, PRIVATE_URL_SECONDS)

    def download(self, key: str, file_name: str) -> str:
        """A private file, saved by browsers as `file_name` rather than shown."""
        return self.bucket.presigned_get(key, PRIVATE_URL_SECONDS, download_as=file_name)
