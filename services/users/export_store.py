"""The table's side of a rider's data export: the request, and what the archive holds."""

from shared.domain.export import DataExport
from shared.store import keys
from shared.store.exports import export_item, to_export
from shared.store.schema import GSI1
from shared.store.table import ConditionFailed, Item, Table
from shared.store.updates import put_if_version


class ExportStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def latest(self, user_id: str) -> DataExport | None:
        items, _ = self.table.query_page(
            index=None,
            key_condition="PK = :pk AND begins_with(SK, :export)",
            values={":pk": keys.user_key(user_id)["PK"], ":export": keys.EXPORT_PREFIX},
            limit=1,
            forward=False,
            consistent=True,
        )
        return to_export(items[0]) if items else None

    def get(self, user_id: str, day: str) -> DataExport | None:
        item = self.table.get(keys.data_export_key(user_id, day))
        return to_export(item) if item else None

    def request(self, export: DataExport) -> bool:
        """Record the day's request once; False when the day has one already."""
        try:
            self.table.put(export_item(export), condition="attribute_not_exists(PK)")
        except ConditionFailed:
            return False
        return True

    def complete(self, before: DataExport, after: DataExport) -> None:
        """Ready: a versioned change, so the stream publishes `user_export_ready`."""
        self.table.transact_write([put_if_version(export_item(after), before.version)])

    # What the archive holds.

    def user_items(self, user_id: str) -> list[Item]:
        """The user's own partition: profile, preferences, devices, feed, Strava link."""
        return self.table.query_all(None, "PK = :pk", {":pk": keys.user_key(user_id)["PK"]})

    def memberships(self, user_id: str) -> list[Item]:
        named = self.table.query_all(
            GSI1.name,
            f"{GSI1.partition_key} = :pk",
            {":pk": keys.user_memberships_pk(user_id)},
        )
        wanted = [keys.membership_key(i["club_id"], user_id) for i in named]
        return self._batch(wanted)

    def places(self, user_id: str, club_ids: list[str]) -> list[Item]:
        """The user's places (and attendance, Strava summaries) on their clubs' rides."""
        wanted = []
        for club_id in club_ids:
            rides = self.table.query_all(
                "GSI2", "GSI2PK = :pk", {":pk": keys.club_rides_pk(club_id)}
            )
            wanted += [keys.participation_key(r["ride_id"], user_id) for r in rides]
        return self._batch(wanted)

    def regular_places(self, user_id: str) -> list[Item]:
        return self.table.query_all(
            GSI1.name,
            f"{GSI1.partition_key} = :pk",
            {":pk": keys.user_regulars_pk(user_id)},
        )

    def _batch(self, wanted: list[dict[str, str]]) -> list[Item]:
        found: list[Item] = []
        for start in range(0, len(wanted), 100):
            found += self.table.batch_get(wanted[start : start + 100])
        return found
