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
"""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

INCOMING = "incoming/"
QUARANTINE = "quarantine/"
PUBLIC = "public/"
PRIVATE = "private/"
# The sizes (px, the longer side) logos are published in, each in WebP and JPEG.
LOGO_SIZES = (64, 256, 1024)
LOGO_FORMATS = ("webp", "jpg")


class UploadKind(StrEnum):
    CLUB_LOGO = "club_logo"
    RIDE_ROUTE = "ride_route"


# What each kind accepts: content type -> file extension, and the size limit.
ACCEPTED_TYPES: dict[UploadKind, dict[str, str]] = {
    UploadKind.CLUB_LOGO: {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"},
    UploadKind.RIDE_ROUTE: {"application/gpx+xml": "gpx"},
}
MAX_BYTES: dict[UploadKind, int] = {
    UploadKind.CLUB_LOGO: 5 * 1024 * 1024,
    UploadKind.RIDE_ROUTE: 10 * 1024 * 1024,
}


class UploadStatus(StrEnum):
    # Announced (presigned), not yet validated.
    PENDING = "pending"
    PUBLISHED = "published"
    # Failed validation: kept a day in quarantine, the reason on the upload.
    REFUSED = "refused"


class RouteSummary(BaseModel):
    """What a ride's GPX route says, stored on the ride."""

    model_config = ConfigDict(frozen=True)

    distance_km: float
    elevation_gain_m: float
    # [min_lon, min_lat, max_lon, max_lat]
    bbox: list[float]
    start: list[float]
    finish: list[float]
    points: int
    # Google's encoded polyline of a simplified track, for map previews.
    polyline: str


class Upload(BaseModel):
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
    # Published keys (logo sizes; the route file).
    outputs: list[str] = []
    route: RouteSummary | None = None
    created_at: datetime
    version: int = 1


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


def route_key(ride_id: str, upload_id: str) -> str:
    return f"{PRIVATE}rides/{ride_id}/route/{upload_id}.gpx"
