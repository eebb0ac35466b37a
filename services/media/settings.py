"""The media context's settings, from the environment the stacks (or the local platform)
set, parsed once."""

import os
from functools import cache

from pydantic import ConfigDict

from shared.domain.model import Model


class MediaSettings(Model):
    model_config = ConfigDict(frozen=True)

    bucket: str = ""
    # SSM parameter holding the CloudFront domain of public assets; empty locally, where
    # presigned GETs from moto's S3 stand in for CloudFront.
    cdn_domain_parameter: str = ""


@cache
def get_media_settings() -> MediaSettings:
    return MediaSettings(
        bucket=os.environ.get("ASSETS_BUCKET_NAME", ""),
        cdn_domain_parameter=os.environ.get("CDN_DOMAIN_PARAMETER", ""),
    )
