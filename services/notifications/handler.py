"""Notifications API: preferences, push devices, and the one-click unsubscribe link."""

import html
from functools import cache, partial
from typing import Annotated
from urllib.parse import quote

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
from notifications.store import NotificationStore
from shared.adapters.configuration import secret_value
from shared.adapters.push import PushGateway
from shared.api.auth import CallerDep
from shared.api.resolver import ERROR_RESPONSES, build_resolver, documented, make_handler
from shared.api.responses import created
from shared.aws_clients import aws_client
from shared.domain.notifications import Preferences, PushPlatform
from shared.settings import NotificationSettings
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
    return PushGateway(
        partial(aws_client, "sns"), NotificationSettings.from_environment().push_applications
    )


def signing_secret() -> str:
    return secret_value(NotificationSettings.from_environment().signing_secret_name)


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


_STYLE = "font-family: sans-serif; max-width: 480px; margin: 40px auto;"
_CONFIRM = """<!doctype html><html lang="en-AU"><head><meta charset="utf-8">
<meta name="robots" content="noindex"><title>Unsubscribe</title></head>
<body style="{style}"><h1>Unsubscribe?</h1><p>Stop e-mails about {what}? You can change this
any time in the app's notification settings.</p>
<form method="post" action="?token={token}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form></body></html>"""
_DONE = """<!doctype html><html lang="en-AU"><head><meta charset="utf-8">
<meta name="robots" content="noindex"><title>Unsubscribed</title></head>
<body style="{style}"><h1>Done</h1><p>You will no longer get e-mails about {what}. You can
change this any time in the app's notification settings.</p></body></html>"""
_HTML = "text/html; charset=utf-8"


def _page(template: str, **fields: str) -> Response[str]:
    # Never cached or framed: each page belongs to one signed link.
    return Response(
        status_code=200,
        content_type=_HTML,
        body=template.format(style=_STYLE, **fields),
        headers={
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self'",
        },
    )


def _wants_html() -> bool:
    accept = app.current_event.headers.get("accept") or ""
    return "text/html" in accept.lower()


@app.get(
    "/notifications/unsubscribe",
    summary="The unsubscribe link's page: asks to confirm, changes nothing (no sign-in)",
    responses={
        200: {
            "description": "A page with a button that POSTs the one-click unsubscribe",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        400: ERROR_RESPONSES[400],
        422: ERROR_RESPONSES[422],
    },
    tags=[TAG],
)
def unsubscribe_page(token: Token) -> Response[str]:
    """Mail scanners and link previews fetch links: only the POST acts (RFC 8058 §3.2)."""
    from notifications.messages import CATEGORY_LABELS

    category = logic.unsubscribe_category(token, signing_secret)
    return _page(_CONFIRM, what=html.escape(CATEGORY_LABELS[category]), token=quote(token, safe=""))


@app.post(
    "/notifications/unsubscribe",
    summary="One-click unsubscribe (RFC 8058), as mail providers and the page's button send it",
    responses={
        200: {
            "description": "What stopped (a page instead, for a browser that asks for HTML)",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Unsubscribed"}},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        400: ERROR_RESPONSES[400],
        422: ERROR_RESPONSES[422],
    },
    tags=[TAG],
)
def unsubscribe_one_click(token: Token, store: StoreDep) -> Response[Unsubscribed | str]:
    from notifications.messages import CATEGORY_LABELS

    done = logic.unsubscribe(token, signing_secret, store)
    if _wants_html():
        return _page(_DONE, what=html.escape(CATEGORY_LABELS[done.category]))  # type: ignore[return-value]
    return Response(
        status_code=200,
        content_type="application/json",
        body=done,
        headers={"Cache-Control": "no-store"},
    )


# Mail providers POST the one-click form (urlencoded or multipart), not JSON.
handler = make_handler(app, one_click_posts=frozenset({"/notifications/unsubscribe"}))
