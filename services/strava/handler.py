"""Strava API: link a rider's account (OAuth), its status and removal, and the endpoint of
Strava's push subscription. Thin HTTP layer over `strava.logic`."""

from datetime import UTC, datetime
from functools import cache, partial
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from shared.adapters.configuration import parameter_value, secret_value
from shared.adapters.event_bus import EventBus
from shared.adapters.sealed_secrets import SecretSealer
from shared.adapters.strava import StravaClient, pool_manager
from shared.api.auth import CallerDep
from shared.api.resolver import build_resolver, documented, make_handler
from shared.aws_clients import aws_client
from shared.domain.errors import Forbidden, NotFound
from shared.events import DomainEvent
from shared.observability import count, logger
from shared.settings import StravaLinkSettings
from shared.store.table import app_table
from strava import logic
from strava.credentials import StravaApp, read_app
from strava.schemas import Challenge, ConnectAnswer, StravaPush, StravaStatus
from strava.store import StravaStore

app = build_resolver()
TAG = "strava"
CALLBACK_PATH = "/integrations/strava/callback"


@cache
def get_store() -> StravaStore:
    return StravaStore(app_table())


def get_app() -> StravaApp:
    return read_app(StravaLinkSettings.from_environment().strava_app_secret_name)


@cache
def get_sealer() -> SecretSealer:
    return SecretSealer(
        partial(aws_client, "kms"), StravaLinkSettings.from_environment().secrets_key_id
    )


def get_strava() -> StravaClient:
    credentials = get_app()
    return StravaClient(
        _pool(),
        credentials.client_id,
        credentials.client_secret,
        StravaLinkSettings.from_environment().strava_base_url,
    )


@cache
def _pool() -> object:
    return pool_manager()


def get_oauth() -> logic.OAuth:
    settings = StravaLinkSettings.from_environment()
    api = parameter_value(settings.api_url_parameter).rstrip("/")
    return logic.OAuth(
        strava=get_strava(),
        sealer=get_sealer(),
        state_key=secret_value(settings.strava_state_key_name),
        redirect_uri=f"{api}{CALLBACK_PATH}",
        app_url=settings.strava_app_redirect_url,
        state_ttl_seconds=settings.state_ttl_seconds,
    )


@cache
def get_bus() -> EventBus:
    return EventBus(
        partial(aws_client, "events"), StravaLinkSettings.from_environment().event_bus_name
    )


StoreDep = Annotated[StravaStore, Depends(get_store)]
OAuthDep = Annotated[logic.OAuth, Depends(get_oauth)]
AppDep = Annotated[StravaApp, Depends(get_app)]
ClientDep = Annotated[StravaClient, Depends(get_strava)]
SealerDep = Annotated[SecretSealer, Depends(get_sealer)]
BusDep = Annotated[EventBus, Depends(get_bus)]


@app.post(
    "/integrations/strava/connect",
    **documented(TAG, "Start linking your Strava account (where to send the browser)"),
)
def connect(caller: CallerDep, store: StoreDep, oauth: OAuthDep) -> ConnectAnswer:
    url, expires = logic.connect(caller, store, oauth)
    return ConnectAnswer(authorize_url=url, state_expires_at=expires)


@app.get(
    CALLBACK_PATH,
    **documented(TAG, "Strava sends the browser back here (redirects to the app)", success=(302,)),
)
def oauth_callback(
    store: StoreDep,
    oauth: OAuthDep,
    state: Annotated[str, Query(min_length=1, max_length=1024)],
    code: Annotated[str | None, Query(max_length=512)] = None,
    scope: Annotated[str | None, Query(max_length=256)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> Response[None]:
    target = logic.callback(store, oauth, state=state, code=code, scope=scope, error=error)
    return Response(status_code=302, headers={"Location": target, "Cache-Control": "no-store"})


@app.get("/integrations/strava", **documented(TAG, "Whether your account is linked to Strava"))
def strava_status(caller: CallerDep, store: StoreDep) -> StravaStatus:
    link = logic.status(caller, store)
    if link is None:
        return StravaStatus(connected=False)
    return StravaStatus(
        connected=True,
        athlete_id=link.athlete_id,
        scopes=link.scopes,
        connected_at=link.connected_at,
    )


@app.delete(
    "/integrations/strava",
    **documented(TAG, "Unlink Strava (access revoked at Strava, tokens deleted)", success=(204,)),
)
def disconnect(
    caller: CallerDep, store: StoreDep, strava: ClientDep, sealer: SealerDep
) -> Response[None]:
    logic.disconnect(caller, store, strava, sealer)
    return Response(status_code=204)


CALLBACK = "/webhooks/strava/<callback_secret>"
CallbackSecret = Annotated[str, Path(min_length=1, max_length=256)]


def _refuse_unknown_callback(credentials: StravaApp, callback_secret: str) -> None:
    try:
        logic.check_callback(credentials, callback_secret)
    except NotFound:
        count("StravaEventRefused", reason="unknown_callback")
        raise


@app.get(CALLBACK, **documented(TAG, "Strava's push subscription handshake"))
def subscription_handshake(
    callback_secret: CallbackSecret,
    credentials: AppDep,
    mode: Annotated[str, Query(alias="hub.mode", max_length=32)],
    verify_token: Annotated[str, Query(alias="hub.verify_token", max_length=256)],
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)],
) -> Challenge:
    _refuse_unknown_callback(credentials, callback_secret)
    return Challenge.model_validate(
        {"hub.challenge": logic.handshake(credentials, mode, verify_token, challenge)}
    )


@app.post(CALLBACK, **documented(TAG, "Strava's push events (hints, not trusted)"))
def strava_push(
    callback_secret: CallbackSecret,
    body: Annotated[StravaPush, Body()],
    credentials: AppDep,
    bus: BusDep,
) -> dict[str, str]:
    """Only our subscription's events, at our secret callback URL, go on the bus, and
    nothing else happens here: Strava wants an answer within two seconds."""
    _refuse_unknown_callback(credentials, callback_secret)
    if body.subscription_id != credentials.subscription_id:
        count("StravaEventRefused", reason="other_subscription")
        raise Forbidden("Not our subscription.", code="unknown_subscription")
    event = DomainEvent(
        event_id=(
            f"strava:{body.subscription_id}:{body.object_type}:{body.object_id}:"
            f"{body.aspect_type}:{body.event_time}"
        ),
        event_type="strava_webhook_received",
        context="strava",
        occurred_at=datetime.fromtimestamp(body.event_time, UTC),
        data=body.model_dump(mode="json"),
    )
    bus.publish([event])
    logger.info("strava push accepted", extra={"object_type": body.object_type})
    return {}


handler = make_handler(app)
