"""Item-level least privilege, proven from the synthesized templates: no function but the
users API may write the items that hold authority (SiteAdmin role items, the SiteAdmin
count), whatever else it may write; and KMS use is bound to each function's purpose."""

from collections.abc import Iterator
from typing import Any

import pytest

from shared.adapters.sealed_secrets import STRAVA_TOKENS, WEBHOOK_SIGNING
from shared.store.schema import table_name
from stacks.item_guard import DENY_SID, TABLE_WRITES
from tests.iam_simulation import (
    ACCOUNT,
    REGION,
    Request,
    allowed,
    role_of_function,
    role_statements,
)
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table_name('prod')}"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0000"


def _functions(synth: Synth, stage: str = "prod") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(stack, function logical id, template) of every function of the stage."""
    for name, template in synth.all_templates():
        if f"-{stage}-" not in name:
            continue
        for logical, resource in template["Resources"].items():
            if resource["Type"] == "AWS::Lambda::Function":
                yield name, logical, template


def _write(action: str, partition: str) -> Request:
    return Request(action, TABLE, {"dynamodb:LeadingKeys": [partition]})


def test_every_table_writing_function_but_the_users_api_is_denied_authority_items(
    synth: Synth,
) -> None:
    writers, users = [], []
    for stack, logical, template in _functions(synth):
        statements = role_statements(template, role_of_function(template, logical))
        ordinary = [
            action
            for action in TABLE_WRITES
            if any(allowed(statements, _write(action, p)) for p in ("CLUB#c1", "USER#u1"))
        ]
        if not ordinary:
            continue
        writers.append(f"{stack}/{logical}")
        authority = [
            (action, partition)
            for action in TABLE_WRITES
            for partition in ("ROLE#u1", "PLATFORM")
            if allowed(statements, _write(action, partition))
        ]
        if "UsersService" in logical:
            users.append(authority)
        else:
            assert authority == [], f"{stack}/{logical} may write {authority}"
    # The check saw the functions it is about, and the users API keeps its power.
    assert len(writers) >= 15, writers
    assert users and ("dynamodb:UpdateItem", "PLATFORM") in users[0]
    assert ("dynamodb:PutItem", "ROLE#u1") in users[0]


def test_only_the_audit_consumer_and_the_webhooks_api_write_the_audit_log(synth: Synth) -> None:
    """An entry is immutable: no route's function may put, change or delete one, except
    the webhooks API's deletion entry (in its deleting transaction)."""
    audit_writers = set()
    for _, logical, template in _functions(synth):
        statements = role_statements(template, role_of_function(template, logical))
        if any(
            allowed(statements, _write(action, "AUDIT#c1"))
            for action in ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
        ):
            audit_writers.add(logical)
    kinds = {
        next((k for k in ("AuditConsumer", "WebhooksService") if w.startswith(k)), w)
        for w in audit_writers
    }
    assert kinds == {"AuditConsumer", "WebhooksService"}, audit_writers


def test_a_transaction_naming_an_authority_item_among_others_is_denied(synth: Synth) -> None:
    """TransactWriteItems is authorized per item: LeadingKeys carries each partition."""
    template = synth.template_json("prod", "Integration")
    role = role_of_function(template, "MediaConsumer")
    statements = role_statements(template, role)
    assert allowed(statements, _write("dynamodb:UpdateItem", "UPLOAD#x"))
    mixed = Request("dynamodb:UpdateItem", TABLE, {"dynamodb:LeadingKeys": ["UPLOAD#x", "ROLE#a"]})
    assert not allowed(statements, mixed)


def test_every_policy_that_allows_table_writes_carries_the_deny(synth: Synth) -> None:
    for name, template in synth.all_templates():
        for logical, resource in template["Resources"].items():
            if resource["Type"] != "AWS::IAM::Policy":
                continue
            statements = resource["Properties"]["PolicyDocument"]["Statement"]
            writes = any(
                s["Effect"] == "Allow"
                and any(
                    a in TABLE_WRITES
                    for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
                )
                for s in statements
            )
            denied = any(s.get("Sid") == DENY_SID for s in statements)
            if writes and not denied:
                assert "UsersService" in logical, f"{name}/{logical} writes without the deny"


@pytest.mark.parametrize(
    ("stack", "function", "may", "may_not", "actions"),
    [
        ("Integration", "WebhookDelivery", WEBHOOK_SIGNING, STRAVA_TOKENS, ("kms:Decrypt",)),
        (
            "Integration",
            "StravaSync",
            STRAVA_TOKENS,
            WEBHOOK_SIGNING,
            ("kms:Decrypt", "kms:Encrypt"),
        ),
        ("Api", "WebhooksService", WEBHOOK_SIGNING, STRAVA_TOKENS, ("kms:Encrypt",)),
        ("Api", "StravaService", STRAVA_TOKENS, WEBHOOK_SIGNING, ("kms:Decrypt", "kms:Encrypt")),
    ],
)
def test_each_function_seals_and_opens_only_for_its_purpose(
    synth: Synth, stack: str, function: str, may: str, may_not: str, actions: tuple[str, ...]
) -> None:
    template = synth.template_json("prod", stack)
    statements = role_statements(template, role_of_function(template, function))
    for action in ("kms:Encrypt", "kms:Decrypt"):
        granted = Request(action, KEY, {"kms:EncryptionContext:purpose": [may]})
        assert allowed(statements, granted) is (action in actions), (function, action)
        refused = Request(action, KEY, {"kms:EncryptionContext:purpose": [may_not]})
        assert not allowed(statements, refused), (function, action)


def test_no_role_may_use_the_secrets_key_without_a_purpose(synth: Synth) -> None:
    for name, template in synth.all_templates():
        for logical, resource in template["Resources"].items():
            if resource["Type"] != "AWS::IAM::Policy":
                continue
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                listed = [actions] if isinstance(actions, str) else actions
                if statement["Effect"] == "Allow" and {"kms:Encrypt", "kms:Decrypt"} & set(listed):
                    condition = statement.get("Condition", {}).get("StringEquals", {})
                    assert "kms:EncryptionContext:purpose" in condition, f"{name}/{logical}"
