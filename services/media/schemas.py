"""Request and response models of the media API."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.ids import UUID_PATTERN
from shared.domain.media import RouteSummary

LogoType = Literal["image/png", "image/jpeg", "image/webp"]
UploadId = Annotated[str, Field(pattern=UUID_PATTERN)]


class LogoUploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_type: LogoType


class UploadTicket(BaseModel):
    """POST the file to `url` as multipart form data: these `fields` first, then `file`."""

    upload_id: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in: int


class UploadConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upload_id: UploadId


class RouteConfirmation(UploadConfirmation):
    # Keep the ride's distance and climbing as the leader set them (default: the route's).
    keep_stats: bool = False


class LogoOut(BaseModel):
    # "{size}.{webp|jpg}" -> URL (CloudFront; locally a presigned URL standing in for it).
    urls: dict[str, str]


class RouteOut(BaseModel):
    route: RouteSummary
    # The GPX file, for a few minutes.
    url: str
    expires_in: int
