"""The club webhooks' rules: who may manage them, which URLs they may name, and the
signing secret that is shown once."""

import base64
import secrets
from dataclasses import dataclass

from shared.adapters.egress import EgressPolicy, Resolver, check_destination, system_resolver
from shared.adapters.sealed_secrets import WEBHOOK_SIGNING, SecretSealer
from shared.authz import AuthzContext, Capability, Principal, require
from shared.domain.clock import utc_now
from shared.domain.club import existing_club
from shared.domain.errors import Conflict, NotFound
from shared.domain.ids import new_id
from shared.domain.webhook import Delivery, Webhook, WebhookStatus
from webhooks.schemas import WebhookChange, WebhookRegistration
from webhooks.store import WebhookStore

SECRET_PREFIX = "whsec_"


def secret_context(
    webhook: Webhook | None = None, *, club_id: str = "", webhook_id: str = ""
) -> dict[str, str]:
    """KMS encryption context of a webhook's secret: it opens only for that webhook."""
    if webhook is not None:
        club_id, webhook_id = webhook.club_id, webhook.webhook_id
    return {"purpose": WEBHOOK_SIGNING, "club_id": club_id, "webhook_id": webhook_id}


@dataclass(frozen=True)
class Egress:
    policy: EgressPolicy
    resolve: Resolver = system_resolver


def _authorize(principal: Principal, club_id: str, store: WebhookStore) -> None:
    club, mine = store.club_and_caller(club_id, principal.user_id)
    existing_club(club, club_id)
    require(Capability.MANAGE_WEBHOOKS, principal, mine, AuthzContext(club_id=club_id))


def _existing(store: WebhookStore, club_id: str, webhook_id: str) -> Webhook:
    webhook = store.webhook(club_id, webhook_id)
    if webhook is None:
        raise NotFound(f"No webhook with id '{webhook_id}' in this club.", code="webhook_not_found")
    return webhook


def register(
    principal: Principal,
    club_id: str,
    data: WebhookRegistration,
    store: WebhookStore,
    sealer: SecretSealer,
    egress: Egress,
) -> tuple[Webhook, str]:
    """The new webhook and its signing secret (which is not kept in clear anywhere)."""
    _authorize(principal, club_id, store)
    check_destination(data.url, egress.policy, egress.resolve)
    webhook_id, now = new_id(), utc_now()
    secret = new_secret()
    webhook = Webhook(
        webhook_id=webhook_id,
        club_id=club_id,
        url=data.url,
        event_types=sorted({t.value for t in data.event_types}),
        description=data.description,
        sealed_secret=sealer.seal(secret, secret_context(club_id=club_id, webhook_id=webhook_id)),
        created_at=now,
        created_by=principal.user_id,
        updated_at=now,
        updated_by=principal.user_id,
    )
    store.create(webhook)
    return webhook, secret


def new_secret() -> str:
    """`whsec_` and 32 random bytes in base64, as Standard Webhooks' verifiers read it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def rotate_secret(
    principal: Principal,
    club_id: str,
    webhook_id: str,
    version: int,
    store: WebhookStore,
    sealer: SecretSealer,
) -> tuple[Webhook, str]:
    """A new signing secret, in force for every delivery sent from now on (the old one
    stops at once: a leaked secret must not keep working)."""
    _authorize(principal, club_id, store)
    webhook = _existing(store, club_id, webhook_id)
    if webhook.version != version:
        raise Conflict("The webhook changed meanwhile; read it again.", code="version_conflict")
    secret = new_secret()
    sealed = sealer.seal(secret, secret_context(webhook))
    return store.replace_secret(webhook, sealed, principal.user_id, utc_now()), secret


def club_webhooks(principal: Principal, club_id: str, store: WebhookStore) -> list[Webhook]:
    _authorize(principal, club_id, store)
    return store.club_webhooks(club_id)


def remove(principal: Principal, club_id: str, webhook_id: str, store: WebhookStore) -> None:
    _authorize(principal, club_id, store)
    store.delete(club_id, webhook_id, principal.user_id)


def change(
    principal: Principal,
    club_id: str,
    webhook_id: str,
    data: WebhookChange,
    store: WebhookStore,
    egress: Egress,
) -> Webhook:
    """Re-enable a disabled webhook (its URL is checked again first)."""
    _authorize(principal, club_id, store)
    webhook = _existing(store, club_id, webhook_id)
    if webhook.version != data.version:
        raise Conflict("The webhook changed meanwhile; read it again.", code="version_conflict")
    if webhook.status is WebhookStatus.ACTIVE:
        return webhook
    check_destination(webhook.url, egress.policy, egress.resolve)
    return store.enable(webhook, principal.user_id, utc_now())


def deliveries(
    principal: Principal,
    club_id: str,
    webhook_id: str,
    store: WebhookStore,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Delivery], str | None]:
    _authorize(principal, club_id, store)
    _existing(store, club_id, webhook_id)
    return store.deliveries(webhook_id, limit=limit, cursor=cursor)
