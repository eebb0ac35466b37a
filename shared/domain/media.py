"""Media: what may be uploaded, where each kind of file lives in the assets bucket, and
what a validated upload produced (`docs/media.md`).

Keys:
- `incoming/{kind}/{subject_id}/{upload_id}.{ext}`: where a presigned POST puts a file
  (exactly that key: the policy fixes it); expires after a day.
- `quarantine/…` (same rest): a file that failed validation; expires after a day.
- `public/clubs/{club_id}/logo/{upload_id}/{size}.{webp|jpg}`: a club's logo sizes,
  served through CloudFront; a new upload id makes new keys, so they are immutable.
- `private/rides/{ride_id}/route/{upload_id}.gpx`: a ride's route, read through
  short-lived presigned URLs by those who may see the ride.
- `public/routes/{ride_id}/{upload_id}.gpx`: the copy of a public ride's route served
  through CloudFront (kept in step with the ride's visibility by an event consumer).
- `private/rides/{ride_id}/attachments/{upload_id}.{pdf|jpg}`: a ride's attachments
  (cue sheets, images), read like its route.
"""

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pydantic import ConfigDict

from shared.domain.clock import utc_now
from shared.domain.errors import Conflict, NotFound, Unprocessable
from shared.domain.ids import new_id
from shared.domain.model import Model

INCOMING = "incoming/"
QUARANTINE = "quarantine/"
PUBLIC = "public/"
PRIVATE = "private/"
# The sizes (px, the longer side) logos are published in, each in WebP and JPEG.
LOGO_SIZES = (64, 256, 1024)
LOGO_FORMATS = ("webp", "jpg")


class UploadKind(StrEnum):
    CLUB_LOGO = "club_logo"
    AVATAR = "avatar"
    RIDE_ROUTE = "ride_route"
    RIDE_ATTACHMENT = "ride_attachment"


IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
# Images published as sizes (logos and avatars).
IMAGE_KINDS = frozenset({UploadKind.CLUB_LOGO, UploadKind.AVATAR})
# What each kind accepts: content type -> file extension, and the size limit.
ACCEPTED_TYPES: dict[UploadKind, dict[str, str]] = {
    UploadKind.CLUB_LOGO: IMAGE_TYPES,
    UploadKind.AVATAR: IMAGE_TYPES,
    UploadKind.RIDE_ROUTE: {"application/gpx+xml": "gpx"},
    UploadKind.RIDE_ATTACHMENT: {"application/pdf": "pdf", **IMAGE_TYPES},
}
MAX_BYTES: dict[UploadKind, int] = {
    UploadKind.CLUB_LOGO: 5 * 1024 * 1024,
    UploadKind.AVATAR: 5 * 1024 * 1024,
    UploadKind.RIDE_ROUTE: 10 * 1024 * 1024,
    UploadKind.RIDE_ATTACHMENT: 10 * 1024 * 1024,
}
# A ride carries at most this many attachments.
MAX_ATTACHMENTS = 5
# Image attachments are published as one JPEG fitting this square (never enlarged).
ATTACHMENT_IMAGE_SIDE = 2048
# What a published file's extension says it is.
PUBLISHED_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "gpx": "application/gpx+xml"}


class UploadStatus(StrEnum):
    # Announced (presigned), not yet validated.
    PENDING = "pending"
    PUBLISHED = "published"
    # Failed validation: kept a day in quarantine, the reason on the upload.
    REFUSED = "refused"


class RouteSummary(Model):
    """What a ride's GPX route says, stored on the ride."""

    model_config = ConfigDict(frozen=True)

    distance_km: float
    # None: the file gives no elevation, so its climbing is unknown (not zero).
    elevation_gain_m: float | None
    # [min_lon, min_lat, max_lon, max_lat]
    bbox: list[float]
    start: list[float]
    finish: list[float]
    points: int
    # Google's encoded polyline of a simplified track, for map previews.
    polyline: str


class Published(NamedTuple):
    """What the processor made of a valid upload: its keys, their bytes, a route's summary."""

    outputs: list[str]
    size_bytes: int
    route: RouteSummary | None = None


class Attachment(Model):
    """A file attached to a ride (a PDF cue sheet, an image), its id its upload's."""

    model_config = ConfigDict(frozen=True)

    attachment_id: str
    title: str
    content_type: str
    key: str
    size_bytes: int
    added_by: str
    added_at: datetime


class Upload(Model):
    upload_id: str
    kind: UploadKind
    subject_id: str
    uploader: str
    content_type: str
    key: str
    status: UploadStatus = UploadStatus.PENDING
    # Why it was refused: a stable code and a sentence.
    reason_code: str | None = None
    reason: str | None = None
    # Published keys (logo sizes; the route file; the attachment) and their total size.
    outputs: list[str] = []
    size_bytes: int | None = None
    route: RouteSummary | None = None
    created_at: datetime
    version: int = 1


def new_upload(kind: UploadKind, subject_id: str, uploader: str, content_type: str) -> Upload:
    """An upload about to be announced: its id, and the one incoming key it may be put at."""
    upload_id = new_id()
    extension = ACCEPTED_TYPES[kind][content_type]
    return Upload(
        upload_id=upload_id,
        kind=kind,
        subject_id=subject_id,
        uploader=uploader,
        content_type=content_type,
        key=incoming_key(kind, subject_id, upload_id, extension),
        created_at=utc_now(),
    )


def incoming_key(kind: UploadKind, subject_id: str, upload_id: str, extension: str) -> str:
    return f"{INCOMING}{kind.value}/{subject_id}/{upload_id}.{extension}"


def parse_incoming_key(key: str) -> tuple[UploadKind, str, str] | None:
    """(kind, subject id, upload id) of an incoming key; None for anything else."""
    if not key.startswith(INCOMING):
        return None
    parts = key[len(INCOMING) :].split("/")
    if len(parts) != 3 or "." not in parts[2]:
        return None
    try:
        kind = UploadKind(parts[0])
    except ValueError:
        return None
    return kind, parts[1], parts[2].rsplit(".", 1)[0]


def logo_prefix(club_id: str, upload_id: str) -> str:
    return f"{PUBLIC}clubs/{club_id}/logo/{upload_id}/"


def avatar_prefix(user_id: str, upload_id: str) -> str:
    return f"{PUBLIC}avatars/{user_id}/{upload_id}/"


def sizes_prefix(kind: UploadKind, subject_id: str, upload_id: str) -> str:
    """Where an image upload's sizes are published."""
    if kind is UploadKind.AVATAR:
        return avatar_prefix(subject_id, upload_id)
    return logo_prefix(subject_id, upload_id)


def image_files(prefix: str) -> list[str]:
    """Every published size of the image under `prefix`."""
    return [f"{prefix}{size}.{fmt}" for size in LOGO_SIZES for fmt in LOGO_FORMATS]


def published(upload: Upload | None, kind: UploadKind, subject_id: str) -> Upload:
    """The upload, validated and published, for this kind and subject; the domain error
    that says why it is not, otherwise."""
    if upload is None or upload.kind is not kind or upload.subject_id != subject_id:
        raise NotFound("No such upload here.", code="upload_not_found")
    if upload.status is UploadStatus.PENDING:
        raise Conflict(
            "The upload has not been checked yet (or has not arrived); try again shortly.",
            code="upload_processing",
        )
    if upload.status is UploadStatus.REFUSED:
        raise Unprocessable(
            upload.reason or "The upload was refused.",
            code="upload_refused",
            details={"reason": upload.reason_code},
        )
    return upload


def route_key(ride_id: str, upload_id: str) -> str:
    return f"{PRIVATE}rides/{ride_id}/route/{upload_id}.gpx"


def public_route_prefix(ride_id: str) -> str:
    return f"{PUBLIC}routes/{ride_id}/"


def public_route_key(route_key_: str) -> str:
    """The CloudFront-served copy of a (public ride's) route file."""
    ride_id, _, name = route_key_[len(f"{PRIVATE}rides/") :].partition("/route/")
    return f"{public_route_prefix(ride_id)}{name}"


def attachment_key(ride_id: str, upload_id: str, extension: str) -> str:
    return f"{PRIVATE}rides/{ride_id}/attachments/{upload_id}.{extension}"
