"""Club webhooks API: thin HTTP layer over `webhooks.logic`."""

from functools import cache, partial
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from shared.adapters.sealed_secrets import SecretSealer
from shared.api.auth import CallerDep
from shared.api.idempotency import answer_shown_once
from shared.api.params import ClubId, Cursor, PageLimit
from shared.api.resolver import build_resolver, documented, make_handler
from shared.api.responses import created
from shared.aws_clients import aws_client
from shared.domain.ids import UUID_PATTERN
from shared.domain.webhook import Webhook
from shared.settings import WebhookSettings
from shared.store.table import app_table
from webhooks import logic
from webhooks.schemas import (
    DeliveryPage,
    SecretRotation,
    WebhookChange,
    WebhookCreated,
    WebhookList,
    WebhookOut,
    WebhookRegistration,
)
from webhooks.store import WebhookStore

app = build_resolver()
TAG = "webhooks"

WebhookId = Annotated[str, Path(pattern=UUID_PATTERN, description="The webhook's id (a UUID)")]


@cache
def get_store() -> WebhookStore:
    return WebhookStore(app_table())


@cache
def get_sealer() -> SecretSealer:
    return SecretSealer(
        partial(aws_client, "kms"), WebhookSettings.from_environment().secrets_key_id
    )


def get_egress() -> logic.Egress:
    policy = WebhookSettings.from_environment().egress
    return logic.Egress(policy, policy.resolver)


StoreDep = Annotated[WebhookStore, Depends(get_store)]
SealerDep = Annotated[SecretSealer, Depends(get_sealer)]
EgressDep = Annotated[logic.Egress, Depends(get_egress)]


def _as_response(webhook: Webhook) -> WebhookOut:
    return WebhookOut.model_validate(webhook.model_dump())


def _location(webhook: Webhook) -> str:
    return f"/clubs/{webhook.club_id}/webhooks/{webhook.webhook_id}"


@app.post(
    "/clubs/<club_id>/webhooks",
    **documented(TAG, "Register an HTTPS endpoint for the club's events", success=(201,)),
)
def register_webhook(
    club_id: ClubId,
    body: Annotated[WebhookRegistration, Body()],
    caller: CallerDep,
    store: StoreDep,
    sealer: SealerDep,
    egress: EgressDep,
) -> Response[WebhookCreated]:
    webhook, secret = logic.register(caller, club_id, body, store, sealer, egress)
    _not_kept_for_replays(webhook)
    answer = WebhookCreated.model_validate({**webhook.model_dump(), "secret": secret})
    response = created(answer, _location(webhook))
    response.headers["Cache-Control"] = "no-store"
    return response


def _not_kept_for_replays(webhook: Webhook) -> None:
    answer_shown_once(
        f"The webhook is {_location(webhook)}; for a new secret, "
        f"POST {_location(webhook)}/secret with the version you read."
    )


@app.post(
    "/clubs/<club_id>/webhooks/<webhook_id>/secret",
    **documented(TAG, "A new signing secret (shown once; the old one stops at once)"),
)
def rotate_webhook_secret(
    club_id: ClubId,
    webhook_id: WebhookId,
    body: Annotated[SecretRotation, Body()],
    caller: CallerDep,
    store: StoreDep,
    sealer: SealerDep,
) -> Response[WebhookCreated]:
    webhook, secret = logic.rotate_secret(caller, club_id, webhook_id, body.version, store, sealer)
    _not_kept_for_replays(webhook)
    answer = WebhookCreated.model_validate({**webhook.model_dump(), "secret": secret})
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=answer,
        headers={"Cache-Control": "no-store"},
    )


@app.get("/clubs/<club_id>/webhooks", **documented(TAG, "The club's webhooks"))
def list_webhooks(club_id: ClubId, caller: CallerDep, store: StoreDep) -> WebhookList:
    webhooks = logic.club_webhooks(caller, club_id, store)
    return WebhookList(items=[_as_response(w) for w in webhooks])


@app.put(
    "/clubs/<club_id>/webhooks/<webhook_id>",
    **documented(TAG, "Turn a disabled webhook back on (the version you read)"),
)
def change_webhook(
    club_id: ClubId,
    webhook_id: WebhookId,
    body: Annotated[WebhookChange, Body()],
    caller: CallerDep,
    store: StoreDep,
    egress: EgressDep,
) -> WebhookOut:
    return _as_response(logic.change(caller, club_id, webhook_id, body, store, egress))


@app.delete(
    "/clubs/<club_id>/webhooks/<webhook_id>",
    **documented(TAG, "Remove a webhook", success=(204,)),
)
def delete_webhook(
    club_id: ClubId, webhook_id: WebhookId, caller: CallerDep, store: StoreDep
) -> Response[None]:
    logic.remove(caller, club_id, webhook_id, store)
    return Response(status_code=204)


@app.get(
    "/clubs/<club_id>/webhooks/<webhook_id>/deliveries",
    **documented(TAG, "A webhook's delivery log, newest first"),
)
def list_deliveries(
    club_id: ClubId,
    webhook_id: WebhookId,
    caller: CallerDep,
    store: StoreDep,
    limit: PageLimit = 25,
    cursor: Cursor = None,
) -> DeliveryPage:
    items, next_cursor = logic.deliveries(
        caller, club_id, webhook_id, store, limit=limit, cursor=cursor
    )
    return DeliveryPage(items=items, next_cursor=next_cursor)


handler = make_handler(app)
