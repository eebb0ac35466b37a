"""Upload records, shared by the contexts that take uploads (media, users' avatars) and
the processor that judges them."""

from datetime import timedelta

from shared.domain.media import Upload
from shared.store import keys
from shared.store.schema import TTL_ATTRIBUTE
from shared.store.table import Table

# An upload's record outlives the incoming object (a day) long enough to be confirmed.
UPLOAD_RECORD_DAYS = 2
_UPLOAD_FIELDS = frozenset(Upload.model_fields)


def announce_upload(table: Table, upload: Upload) -> None:
    expires = upload.created_at + timedelta(days=UPLOAD_RECORD_DAYS)
    table.put(
        {
            **keys.upload_key(upload.upload_id),
            "entity": "upload",
            **upload.model_dump(mode="json"),
            TTL_ATTRIBUTE: int(expires.timestamp()),
        },
        condition="attribute_not_exists(PK)",
    )


def read_upload(table: Table, upload_id: str) -> Upload | None:
    item = table.get(keys.upload_key(upload_id))
    if item is None:
        return None
    return Upload.model_validate({k: v for k, v in item.items() if k in _UPLOAD_FIELDS})
