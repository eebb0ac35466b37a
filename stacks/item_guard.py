"""Least privilege at the item level, for every role of the platform at once.

Many functions write the table, some of them while handling untrusted input (the media
processor parses uploaded files; the webhook worker calls user-chosen URLs). None of them
may write the items that hold authority: the SiteAdmin role items that the pre-token
trigger puts into ID tokens, and the SiteAdmin count (`AUTHORITY_PREFIXES`). So every IAM
policy that allows a table write gets an explicit deny on those partitions, keyed on
`dynamodb:LeadingKeys` (the partition key of each item a request writes, transactions
included), unless its role is one of the few declared writers (the users API).

An aspect rather than a call at each grant: a function added later is covered without
anyone remembering to, and `tests/infra/test_item_level_access.py` proves it from the
synthesized templates.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import jsii
from aws_cdk import IAspect, Stack
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from shared.store.keys import AUDIT_PREFIX, AUTHORITY_PREFIXES

# Every action that writes an item, as IAM names them (TransactWriteItems is authorized as
# the Put/Update/Delete it carries; PartiQL has its own names).
TABLE_WRITES = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
)


@dataclass(frozen=True)
class GuardedItems:
    """Partitions (by key prefix) that only declared writers may write."""

    sid: str
    prefixes: tuple[str, ...]


AUTHORITY = GuardedItems("NoWritesToAuthorityItems", tuple(AUTHORITY_PREFIXES))
# The audit log is written once and never changed: by its consumer, and by the webhooks
# API for a deletion (`shared/domain/audit.py`).
AUDIT = GuardedItems("NoWritesToAuditItems", (AUDIT_PREFIX,))
DENY_SID = AUTHORITY.sid


def _grants_table_writes(statements: Iterable[dict[str, object]]) -> bool:
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        listed = [actions] if isinstance(actions, str) else list(actions)  # type: ignore[call-overload]
        if any(a in ("*", "dynamodb:*") or a in TABLE_WRITES for a in listed):
            return True
    return False


def item_deny(table_name: str, scope: IConstruct, guarded: GuardedItems) -> iam.PolicyStatement:
    table_arn = Stack.of(scope).format_arn(
        service="dynamodb", resource="table", resource_name=table_name
    )
    return iam.PolicyStatement(
        sid=guarded.sid,
        effect=iam.Effect.DENY,
        actions=list(TABLE_WRITES),
        resources=[table_arn, f"{table_arn}/*"],
        conditions={
            "ForAnyValue:StringLike": {
                "dynamodb:LeadingKeys": [f"{prefix}*" for prefix in guarded.prefixes]
            }
        },
    )


@jsii.implements(IAspect)
class ItemGuard:
    def __init__(
        self, table_name: str, guarded: GuardedItems, writers: Iterable[iam.IRole]
    ) -> None:
        self._table_name = table_name
        self._guarded = guarded
        self._writers = {role.node.path for role in writers}

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, iam.Policy) or not node.document.statement_count:
            return
        roles = {role.node.path for role in _attached_roles(node)}
        if roles & self._writers:
            return
        document = Stack.of(node).resolve(node.document.to_json())
        statements = document.get("Statement", []) if isinstance(document, dict) else []
        if _grants_table_writes(statements) and not any(
            s.get("Sid") == self._guarded.sid for s in statements
        ):
            node.add_statements(item_deny(self._table_name, node, self._guarded))


def _attached_roles(policy: iam.Policy) -> list[IConstruct]:
    parent = policy.node.scope
    return [parent] if isinstance(parent, iam.Role) else []
