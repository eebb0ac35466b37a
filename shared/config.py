"""Environment settings of a Lambda, parsed once into a typed model."""

import os
from functools import cache

from pydantic import ConfigDict, Field

from shared.domain.model import Model


class Settings(Model):
    model_config = ConfigDict(frozen=True)

    stage: str = Field(min_length=1)
    table_name: str = Field(min_length=1)
    event_bus_name: str | None = None
    assets_bucket_name: str | None = None
    # SSM parameter holding the API's base URL (for links the API writes into documents).
    api_url_parameter: str | None = None


@cache
def get_settings() -> Settings:
    """Settings from the environment the service construct (or the local platform) sets."""
    return Settings(
        stage=os.environ.get("STAGE", ""),
        table_name=os.environ.get("TABLE_NAME", ""),
        event_bus_name=os.environ.get("EVENT_BUS_NAME") or None,
        assets_bucket_name=os.environ.get("ASSETS_BUCKET_NAME") or None,
        api_url_parameter=os.environ.get("API_URL_PARAMETER") or None,
    )
