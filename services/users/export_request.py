"""`POST /users/me/export` and `GET /users/me/export`: a rider asks for what the platform
holds about them (one archive a day), and later downloads it."""

from datetime import date, datetime

from pydantic import Field

from shared.adapters.media import MediaBucket
from shared.authz import Principal
from shared.domain.clock import utc_now
from shared.domain.export import DOWNLOAD_LINK_SECONDS, EXPORT_KEPT, DataExport, ExportStatus
from shared.domain.model import Model
from shared.domain.series import sydney_today
from users.export_store import ExportStore


class ExportState(Model):
    """Your latest export: `none`, `requested` (built within minutes; you are e-mailed when
    it is ready) or `ready` (a download link that works for 15 minutes; ask again for
    another). An archive is kept seven days."""

    status: str = Field(description="none | requested | ready")
    requested_on: date | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = None
    size_bytes: int | None = None
    download_url: str | None = None


def request_export(principal: Principal, store: ExportStore) -> ExportState:
    today = sydney_today(utc_now())
    existing = store.get(principal.user_id, today.isoformat())
    if existing is None:
        moment = utc_now()
        export = DataExport(
            user_id=principal.user_id,
            requested_on=today,
            requested_at=moment,
            updated_at=moment,
            updated_by=principal.user_id,
        )
        if store.request(export):
            return _state(export, None)
        existing = store.get(principal.user_id, today.isoformat())
    assert existing is not None  # recorded by a concurrent request
    return _state(existing, None)


def export_state(principal: Principal, store: ExportStore, media: MediaBucket) -> ExportState:
    latest = store.latest(principal.user_id)
    if latest is None or utc_now() - latest.requested_at > EXPORT_KEPT:
        return ExportState(status="none")
    return _state(latest, media)


def _state(export: DataExport, media: MediaBucket | None) -> ExportState:
    ready = export.status is ExportStatus.READY
    link = None
    if ready and media is not None:
        name = f"sydney-cycling-export-{export.requested_on.isoformat()}.zip"
        link = media.presigned_get(export.key, DOWNLOAD_LINK_SECONDS, download_as=name)
    return ExportState(
        status=export.status.value,
        requested_on=export.requested_on,
        ready_at=export.ready_at,
        expires_at=export.requested_at + EXPORT_KEPT,
        size_bytes=export.size_bytes,
        download_url=link,
    )
