"""Reading the audit log (`GET /clubs/{club_id}/audit`, `GET /audit`): a club's admins read
their club's, SiteAdmins every club's and the platform's. Newest first; `subject` narrows
it to one member, ride or webhook (its own index partition, not a filter)."""

from typing import Any

from pydantic import Field

from shared.authz import AuthzContext, Capability, MembershipView, Principal, require
from shared.domain.audit import PLATFORM_SCOPE, AuditEntry
from shared.domain.club import Club, existing_club
from shared.domain.model import Model
from shared.store import keys
from shared.store.audit import to_entry
from shared.store.clubs import read_club_and_membership
from shared.store.cursor import decode_cursor, encode_cursor
from shared.store.schema import GSI1, PK, SK
from shared.store.table import Table

# A user whose profile is gone (or is a deleted account's tombstone) reads as this.
FORMER_MEMBER = "Former member"


class AuditPage(Model):
    items: list[AuditEntry]
    # The display names of the actors and subjects on the page, by user id.
    people: dict[str, str] = Field(default_factory=dict)
    next_cursor: str | None = None


class AuditStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def club_and_caller(
        self, club_id: str, user_id: str
    ) -> tuple[Club | None, MembershipView | None]:
        return read_club_and_membership(self.table, club_id, user_id)

    def page(
        self, scope: str, subject: str | None, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]:
        if subject:
            partition = keys.audit_subject_pk(scope, subject)
            names = (PK, SK, GSI1.partition_key, GSI1.sort_key)
            items, last = self.table.query_page(
                index=GSI1.name,
                key_condition=f"{GSI1.partition_key} = :pk",
                values={":pk": partition},
                limit=limit,
                forward=False,
                start_key=decode_cursor(
                    cursor, key_names=names, fixed={GSI1.partition_key: partition}
                ),
            )
        else:
            partition = keys.audit_pk(scope)
            items, last = self.table.query_page(
                index=None,
                key_condition="PK = :pk",
                values={":pk": partition},
                limit=limit,
                forward=False,
                start_key=decode_cursor(cursor, key_names=(PK, SK), fixed={PK: partition}),
            )
        return [to_entry(i) for i in items], encode_cursor(last)

    def names(self, user_ids: set[str]) -> dict[str, str]:
        """Display names from profiles (one round trip for a page); a deleted account, or
        one never named, reads as "Former member" or its id's absence of a name."""
        wanted = sorted(user_ids)
        found: dict[str, Any] = {}
        for start in range(0, len(wanted), 100):
            keys_ = [keys.user_key(u) for u in wanted[start : start + 100]]
            found |= {i["user_id"]: i for i in self.table.batch_get(keys_)}
        return {
            user_id: FORMER_MEMBER
            if user_id not in found or found[user_id].get("deleted")
            else (found[user_id].get("display_name") or "")
            for user_id in wanted
        }


def club_log(
    principal: Principal,
    club_id: str,
    subject: str | None,
    limit: int,
    cursor: str | None,
    store: AuditStore,
) -> AuditPage:
    club, membership = store.club_and_caller(club_id, principal.user_id)
    existing_club(club, club_id)
    require(Capability.EDIT_CLUB, principal, membership, AuthzContext(club_id=club_id))
    return _page(club_id, subject, limit, cursor, store)


def platform_log(
    principal: Principal, subject: str | None, limit: int, cursor: str | None, store: AuditStore
) -> AuditPage:
    require(Capability.MANAGE_USERS, principal)
    return _page(PLATFORM_SCOPE, subject, limit, cursor, store)


def _page(
    scope: str, subject: str | None, limit: int, cursor: str | None, store: AuditStore
) -> AuditPage:
    entries, next_cursor = store.page(scope, subject, limit, cursor)
    people = {e.actor_id for e in entries if e.actor_id} | {
        e.subject_user_id for e in entries if e.subject_user_id
    }
    return AuditPage(items=entries, people=store.names(people), next_cursor=next_cursor)
