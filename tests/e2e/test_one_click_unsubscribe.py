"""RFC 8058 one-click unsubscribe over the local platform, sent exactly as Gmail and Yahoo
send it, and the link's page (which a mail scanner may fetch) changing nothing."""

import pytest
import requests

from notifications.tokens import make_token
from shared.domain.notifications import Category
from tests.e2e.conftest import Api
from tests.e2e.test_event_path import person

pytestmark = pytest.mark.e2e


def test_a_providers_one_click_post_unsubscribes_and_a_get_does_not(api: Api) -> None:
    sub, _, token = person(api, "one-click")
    secret = api.platform.client("secretsmanager").get_secret_value(
        SecretId=api.endpoints.resources.signing_secret_name
    )["SecretString"]
    link = f"{api.endpoints.api_url}/notifications/unsubscribe"
    params = {"token": make_token(secret, sub, Category.REMINDERS)}

    scanned = requests.get(link, params=params, timeout=10)
    assert scanned.status_code == 200 and "One-Click" in scanned.text
    preferences = api.call("GET", "/users/me/notification-preferences", token).json()
    assert preferences["reminders"]["email"] is True

    clicked = requests.post(link, params=params, data={"List-Unsubscribe": "One-Click"}, timeout=10)
    assert clicked.status_code == 200, clicked.text
    assert clicked.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    preferences = api.call("GET", "/users/me/notification-preferences", token).json()
    assert preferences["reminders"]["email"] is False
