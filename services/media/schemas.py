"""Request and response models of the media API."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from shared.domain.ids import UUID_PATTERN
from shared.domain.media import RouteSummary
from shared.domain.model import Model
from shared.domain.text import Trimmed

LogoType = Literal["image/png", "image/jpeg", "image/webp"]
AttachmentType = Literal["application/pdf", "image/png", "image/jpeg", "image/webp"]
Title = Annotated[str, Trimmed(1, 80)]
UploadId = Annotated[str, Field(pattern=UUID_PATTERN)]


class LogoUploadRequest(Model):
    model_config = ConfigDict(extra="forbid")

    content_type: LogoType


class UploadTicket(Model):
    """POST the file to `url` as multipart form data: these `fields` first, then `file`."""

    upload_id: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in: int


class UploadConfirmation(Model):
    model_config = ConfigDict(extra="forbid")

    upload_id: UploadId


class RouteConfirmation(UploadConfirmation):
    # Keep the ride's distance and climbing as the leader set them (default: the route's).
    keep_stats: bool = False


class ImageSizes(Model):
    """A logo or an avatar in every published size."""

    # "{size}.{webp|jpg}" -> URL (CloudFront; locally a presigned URL standing in for it).
    urls: dict[str, str]


class RouteOut(Model):
    route: RouteSummary
    # The GPX file, for a few minutes.
    url: str
    expires_in: int


class AttachmentUploadRequest(Model):
    model_config = ConfigDict(extra="forbid")

    content_type: AttachmentType


class AttachmentConfirmation(Model):
    model_config = ConfigDict(extra="forbid")

    # What riders see, e.g. "Cue sheet"; also the downloaded file's name.
    title: Title


class AttachmentOut(Model):
    attachment_id: str
    title: str
    # application/pdf, or image/jpeg (images are published re-encoded as JPEG).
    content_type: str
    size_bytes: int
    added_at: datetime
    # The file, as a download, for a few minutes.
    url: str
    expires_in: int


class AttachmentList(Model):
    attachments: list[AttachmentOut]
