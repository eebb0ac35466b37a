"""The export consumer: on `user_export_requested` it gathers what the platform holds about
the rider into a zip (`data.json` and their avatar files) in the assets bucket's
`private/exports/` (deleted after seven days by the bucket's lifecycle), then marks the
export ready, which the notifications consumer tells the rider about by e-mail.

Built again from the start when a message is redelivered (the archive is overwritten;
the ready mark is a versioned write, so it happens once).
"""

import io
import json
import zipfile
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.adapters.media import MediaBucket
from shared.aws_clients import aws_client
from shared.batch import batch_handler, domain_event
from shared.domain.clock import utc_now
from shared.domain.export import ExportStatus
from shared.domain.media import PUBLIC, UploadKind
from shared.events import DomainEvent
from shared.observability import metrics
from shared.settings import UsersSettings
from shared.store.table import Item, app_table
from users.export_store import ExportStore

# Never in an archive: keys and index attributes, sealed tokens, hashes of secrets.
_LEFT_OUT = frozenset(
    {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "expires_at", "sealed_tokens"}
)
_LARGEST_AVATAR_FILES = 50


def _clean(item: Item) -> dict[str, Any]:
    return {k: v for k, v in sorted(item.items()) if k not in _LEFT_OUT and "sealed" not in k}


def archive_contents(user_id: str, store: ExportStore) -> dict[str, Any]:
    """What the platform holds about the rider, by kind (`docs/privacy.md`'s table)."""
    own = store.user_items(user_id)
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for item in own:
        by_entity.setdefault(str(item.get("entity") or "other"), []).append(_clean(item))
    memberships = [_clean(i) for i in store.memberships(user_id)]
    clubs = sorted({m["club_id"] for m in memberships})
    places = [_clean(i) for i in store.places(user_id, clubs)]
    return {
        "user_id": user_id,
        "exported_at": utc_now().isoformat(),
        "profile": (by_entity.get("user") or [{}])[0],
        "preferences": next(iter(by_entity.get("preferences", [])), None),
        "devices": [
            {k: v for k, v in d.items() if k in ("device_id", "platform", "created_at")}
            for d in by_entity.get("device", [])
        ],
        "strava": [
            {k: v for k, v in s.items() if k in ("athlete_id", "scopes", "connected_at")}
            for s in by_entity.get("strava_link", [])
        ],
        "memberships": memberships,
        "rides": places,
        "regular_places": [_clean(i) for i in store.regular_places(user_id)],
    }


def build(user_id: str, day: str, store: ExportStore, media: MediaBucket) -> bool:
    """Build the day's archive and mark it ready; False when there is nothing to do."""
    export = store.get(user_id, day)
    if export is None or export.status is ExportStatus.READY:
        return False
    contents = archive_contents(user_id, store)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(contents, indent=2, default=str))
        avatars = media.keys(f"{PUBLIC}avatars/{user_id}/")[:_LARGEST_AVATAR_FILES]
        for key in avatars:
            body = media.read(key, 10 * 1024 * 1024)
            if body is not None:
                upload_id, size = key.rsplit("/", 2)[-2:]
                archive.writestr(f"uploads/{UploadKind.AVATAR.value}/{upload_id}-{size}", body)
    data = buffer.getvalue()
    media.write(export.key, data, "application/zip", "private, no-store")
    ready = export.model_copy(
        update={
            "status": ExportStatus.READY,
            "ready_at": utc_now(),
            "size_bytes": len(data),
            "updated_at": utc_now(),
            "version": export.version + 1,
        }
    )
    store.complete(export, ready)
    return True


@cache
def _parts() -> tuple[ExportStore, MediaBucket]:
    settings = UsersSettings.from_environment()
    return ExportStore(app_table()), MediaBucket(
        partial(aws_client, "s3"), settings.assets_bucket_name
    )


def handle(event: DomainEvent, store: ExportStore, media: MediaBucket) -> None:
    if event.event_type == "user_export_requested":
        data = event.data
        if build(str(data["user_id"]), str(data["requested_on"]), store, media):
            metrics.add_metric(name="DataExportsBuilt", unit="Count", value=1)


def _record_handler(record: SQSRecord) -> None:
    handle(domain_event(record), *_parts())


handler = batch_handler(_record_handler)
