"""Give every club of a stage the entries that find it, once, when a stage gets discovery.

Clubs written by releases before discovery have no name-word entries (`q`), and none of
them has a home yet (`near`: set one with `PUT /clubs/{club_id}`, which writes its cell
entries). Until this runs, `GET /clubs?q=` does not find them:

    python -m ops.backfill_club_discovery --stage prod            # what it would do
    python -m ops.backfill_club_discovery --stage prod --apply    # AWS credentials

It reads the clubs with a Scan (an operator's one-off, never a request path) and writes
each club's missing entries in one transaction with a check that the club is still at the
version read: a club edited meanwhile got its entries from that edit, and running it
twice changes nothing.
"""

import sys
from collections.abc import Iterator

from ops.table_one_off import run
from shared.domain.club import Club
from shared.store import keys
from shared.store.clubs import discovery_items, to_club
from shared.store.schema import PK, SK
from shared.store.table import Table, TransactionCancelled, deserialize


def clubs(table: Table) -> Iterator[Club]:
    pages = table.client.get_paginator("scan").paginate(
        TableName=table.name,
        FilterExpression="entity = :club",
        ExpressionAttributeValues={":club": {"S": "club"}},
        ConsistentRead=True,
    )
    for page in pages:
        for item in page.get("Items", []):
            yield to_club(deserialize(item))


def backfill(table: Table, *, apply: bool) -> list[tuple[str, str]]:
    """(club id, what happened) for each club missing entries."""
    outcomes: list[tuple[str, str]] = []
    for club in clubs(table):
        wanted = discovery_items(club)
        present = (
            {
                (str(i[PK]), str(i[SK]))
                for i in table.batch_get([dict(zip((PK, SK), k, strict=True)) for k in wanted])
            }
            if wanted
            else set()
        )
        missing = [item for key, item in wanted.items() if key not in present]
        if not missing:
            continue
        if not apply:
            outcomes.append((club.club_id, f"would get {len(missing)} entries"))
            continue
        still = {
            "ConditionCheck": {
                "Key": keys.club_key(club.club_id),
                "ConditionExpression": "version = :version",
                "ExpressionAttributeValues": {":version": club.version},
            }
        }
        try:
            table.transact_write([still, *({"Put": {"Item": i}} for i in missing)])
            outcomes.append((club.club_id, f"{len(missing)} entries written"))
        except TransactionCancelled:
            outcomes.append((club.club_id, "edited meanwhile (the edit wrote its entries)"))
    return outcomes


def main(argv: list[str]) -> int:
    return run(
        argv, "python -m ops.backfill_club_discovery", __doc__, backfill, "club(s) missing entries"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
