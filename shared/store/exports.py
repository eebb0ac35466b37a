"""Data export items: requested by the users API, completed by the export consumer."""

from typing import Any

from shared.domain.export import EXPORT_KEPT, DataExport
from shared.store import keys
from shared.store.schema import TTL_ATTRIBUTE

_FIELDS = frozenset(DataExport.model_fields)


def export_item(export: DataExport) -> dict[str, Any]:
    return {
        **keys.data_export_key(export.user_id, export.requested_on.isoformat()),
        "entity": "export",
        # The record goes when its archive does.
        TTL_ATTRIBUTE: int((export.requested_at + EXPORT_KEPT).timestamp()),
        **export.model_dump(mode="json"),
    }


def to_export(item: dict[str, Any]) -> DataExport:
    return DataExport.model_validate({k: v for k, v in item.items() if k in _FIELDS})
