"""A club's daily tallies (`shared/domain/club_stats.py`) as items: moved by ADD only, so
moves from any number of writers (the Counts consumer, `ops/club_stats.py --fix`) add up
in any order."""

from typing import Any

from shared.store import keys
from shared.store.table import Table


def tallies_update(club_id: str, day: str, tallies: dict[str, float]) -> dict[str, Any]:
    """The UpdateItem (a transaction's `Update`) adding `tallies` to the club's `day`."""
    names = {f"#t{i}": tally for i, tally in enumerate(tallies)}
    values: dict[str, object] = {f":t{i}": amount for i, amount in enumerate(tallies.values())}
    return {
        "Update": {
            "Key": keys.club_stats_key(club_id, day),
            "UpdateExpression": "SET entity = :entity, club_id = :club, #day = :day ADD "
            + ", ".join(f"{name} :{name[1:]}" for name in names),
            "ExpressionAttributeNames": {**names, "#day": "day"},
            "ExpressionAttributeValues": {
                **values,
                ":entity": "club_stats",
                ":club": club_id,
                ":day": day,
            },
        }
    }


def club_days(table: Table, club_id: str, first: str, last: str) -> list[dict[str, Any]]:
    """The club's day items from `first` to `last` (ISO days, both included)."""
    return table.query_all(
        None,
        "PK = :pk AND SK BETWEEN :first AND :last",
        {":pk": keys.club_stats_pk(club_id), ":first": first, ":last": last},
    )
