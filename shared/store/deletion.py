"""Account deletion items, shared by the users context (the request and the saga) and
the Strava consumer (which finishes the Strava step)."""

from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from shared.domain.deletion import AccountDeletion, DeletionStep
from shared.domain.errors import Unauthorized
from shared.store import keys
from shared.store.schema import GSI1
from shared.store.table import ConditionFailed, Table

_FIELDS = frozenset(AccountDeletion.model_fields)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def deletion_item(deletion: AccountDeletion) -> dict[str, Any]:
    """The request and its progress; filed among the deleted accounts by when it was
    asked for, so the API can refuse the tokens the account still holds."""
    return {
        **keys.account_deletion_key(deletion.user_id),
        "entity": "deletion",
        GSI1.partition_key: keys.DELETED_ACCOUNTS_PK,
        GSI1.sort_key: keys.deleted_account_sk(_stamp(deletion.requested_at), deletion.user_id),
        **deletion.model_dump(mode="json"),
    }


def accounts_deleted_since(table: Table, since: datetime) -> frozenset[str]:
    """The ids of the accounts whose deletion was asked for at or after `since` (the index
    is eventually consistent: a request made a moment ago may be missing)."""
    items = table.query_all(
        GSI1.name,
        f"{GSI1.partition_key} = :pk AND {GSI1.sort_key} >= :since",
        {":pk": keys.DELETED_ACCOUNTS_PK, ":since": _stamp(since)},
    )
    return frozenset(str(item["user_id"]) for item in items)


def to_deletion(item: dict[str, Any]) -> AccountDeletion:
    return AccountDeletion.model_validate({k: v for k, v in item.items() if k in _FIELDS})


def read_deletion(table: Table, user_id: str) -> AccountDeletion | None:
    item = table.get(keys.account_deletion_key(user_id))
    return to_deletion(item) if item else None


def mark_done(table: Table, user_id: str, step: DeletionStep) -> None:
    """Record a finished step (again: no change). Progress is not a version change: it
    publishes nothing."""
    with suppress(ConditionFailed):  # done already (a redelivery)
        table.update(
            keys.account_deletion_key(user_id),
            "SET steps_done = list_append(steps_done, :step)",
            condition="attribute_exists(PK) AND NOT contains(steps_done, :name)",
            values={":step": [step.value], ":name": step.value},
        )


def strava_unlinked_key(user_id: str) -> dict[str, str]:
    """The Strava consumer's word that a deleted account is unlinked (a put: that consumer
    changes no item it does not own)."""
    return {**keys.account_deletion_key(user_id), "SK": "DELETION#strava"}


def record_strava_unlinked(table: Table, user_id: str) -> None:
    table.put({**strava_unlinked_key(user_id), "entity": "deletion_step"})


def strava_unlinked(table: Table, user_id: str) -> bool:
    return table.get(strava_unlinked_key(user_id)) is not None


def account_open(user_id: str) -> dict[str, Any]:
    """A transaction's check that the account has not been deleted (nor asked to be):
    a token issued before the deletion cannot bring the person's data back."""
    return {
        "ConditionCheck": {
            "Key": keys.account_deletion_key(user_id),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def account_deleted() -> Unauthorized:
    return Unauthorized(
        "This account has been deleted; sign up again to use the platform.",
        code="account_deleted",
    )
