"""Notifications API: preferences, push devices, and the one-click unsubscribe link."""

from functools import cache, partial
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from notifications import logic
from notifications.schemas import (
    DEVICE_ID_PATTERN,
    DeviceList,
    DeviceOut,
    DeviceRegistration,
    PreferencesChange,
    Unsubscribed,
)
from notifications.settings import get_notification_settings
from notifications.store import NotificationStore
from shared.adapters.configuration import secret_value
from shared.adapters.push import PushGateway
from shared.api.auth import CallerDep
from shared.api.resolver import ERROR_RESPONSES, build_resolver, documented, make_handler
from shared.api.responses import created
from shared.domain.notifications import Preferences, PushPlatform
from shared.store.client import aws_client
from shared.store.table import app_table

app = build_resolver()
TAG = "notifications"

DeviceId = Annotated[str, Path(pattern=DEVICE_ID_PATTERN, description="The device's id")]
Token = Annotated[str, Query(min_length=10, max_length=1024, description="From the e-mail")]


@cache
def get_store() -> NotificationStore:
    return NotificationStore(app_table())


@cache
def get_push() -> PushGateway:
    return PushGateway(partial(aws_client, "sns"), get_notification_settings().push_applications)


def signing_secret() -> str:
    return secret_value(get_notification_settings().signing_secret_name)


StoreDep = Annotated[NotificationStore, Depends(get_store)]
PushDep = Annotated[PushGateway, Depends(get_push)]


@app.get("/users/me/notification-preferences", **documented(TAG, "Your notification choices"))
def get_preferences(caller: CallerDep, store: StoreDep) -> Preferences:
    return logic.my_preferences(caller, store)


@app.put(
    "/users/me/notification-preferences",
    **documented(TAG, "Change categories and channels (the version you read)"),
)
def put_preferences(
    body: Annotated[PreferencesChange, Body()], caller: CallerDep, store: StoreDep
) -> Preferences:
    return logic.change_preferences(caller, body, store)


@app.post(
    "/users/me/devices",
    **documented(TAG, "Register a phone for push (APNs or FCM)", success=(201, 200)),
)
def register_device(
    body: Annotated[DeviceRegistration, Body()], caller: CallerDep, store: StoreDep, push: PushDep
) -> Response[DeviceOut]:
    device, is_new = logic.register_device(
        caller, PushPlatform(body.platform), body.token, store, push
    )
    return created(device, f"/users/me/devices/{device.device_id}", status=201 if is_new else 200)


@app.get("/users/me/devices", **documented(TAG, "Your registered phones"))
def list_devices(caller: CallerDep, store: StoreDep) -> DeviceList:
    return DeviceList(items=logic.my_devices(caller, store))


@app.delete(
    "/users/me/devices/<device_id>", **documented(TAG, "Stop push to a phone", success=(204,))
)
def delete_device(
    device_id: DeviceId, caller: CallerDep, store: StoreDep, push: PushDep
) -> Response[None]:
    logic.remove_device(caller, device_id, store, push)
    return Response(status_code=204)


_PAGE = """<!doctype html><html lang="en-AU"><head><meta charset="utf-8">
<title>Unsubscribed</title></head><body style="font-family: sans-serif; max-width: 480px;
margin: 40px auto;"><h1>Done</h1><p>You will no longer get e-mails about {what}. You can
change this any time in the app's notification settings.</p></body></html>"""


@app.get(
    "/notifications/unsubscribe",
    summary="Stop one category of e-mail from a link (no sign-in)",
    responses={
        200: {
            "description": "A page saying what stopped",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        400: ERROR_RESPONSES[400],
        422: ERROR_RESPONSES[422],
    },
    tags=[TAG],
)
def unsubscribe_page(token: Token, store: StoreDep) -> Response[str]:
    from notifications.messages import CATEGORY_LABELS

    done = logic.unsubscribe(token, signing_secret, store)
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=_PAGE.format(what=CATEGORY_LABELS[done.category]),
    )


@app.post(
    "/notifications/unsubscribe",
    summary="One-click unsubscribe (RFC 8058), as mail clients send it",
    responses={
        200: {"description": "What stopped"},
        400: ERROR_RESPONSES[400],
        422: ERROR_RESPONSES[422],
    },
    tags=[TAG],
)
def unsubscribe_one_click(token: Token, store: StoreDep) -> Unsubscribed:
    return logic.unsubscribe(token, signing_secret, store)


handler = make_handler(app)
