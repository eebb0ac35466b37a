"""A rider's export of what the platform holds about them (`POST /users/me/export`,
`docs/privacy.md`): one archive a day, built by the event path, kept seven days."""

from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.domain.media import PRIVATE
from shared.domain.model import Model

EXPORT_KEPT = timedelta(days=7)
EXPORTS = f"{PRIVATE}exports/"
# How long a download link the API hands out works.
DOWNLOAD_LINK_SECONDS = 15 * 60


class ExportStatus(StrEnum):
    REQUESTED = "requested"
    READY = "ready"


class DataExport(Model):
    user_id: str
    requested_on: date
    status: ExportStatus = ExportStatus.REQUESTED
    requested_at: datetime
    ready_at: datetime | None = None
    size_bytes: int | None = None
    updated_at: datetime
    updated_by: str
    version: int = 1

    @property
    def key(self) -> str:
        return export_key(self.user_id, self.requested_on)


def export_key(user_id: str, day: date) -> str:
    """Where the day's archive lies in the assets bucket (deleted after seven days)."""
    return f"{EXPORTS}{user_id}/{day.isoformat()}.zip"
