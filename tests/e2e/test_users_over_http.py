"""Sign up, confirm, sign in and manage a profile through the local platform, with the
Cognito triggers run where Cognito runs them."""

import io
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image

from local.seed import SITE_ADMIN
from tests.e2e.conftest import Api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "media"

pytestmark = pytest.mark.e2e

PASSWORD = "Signup-Local-2026!"


def sign_up(api: Api, given_name: str) -> tuple[str, dict[str, str]]:
    """A new rider through Cognito's own sign-up and confirmation; returns email and tokens."""
    cognito = api.platform.client("cognito-idp")
    client_id = api.endpoints.resources.client_id
    email = f"{given_name.lower()}-{uuid.uuid4().hex[:6]}@riders.local"
    cognito.sign_up(
        ClientId=client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "given_name", "Value": given_name},
        ],
    )
    cognito.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode="123456")
    tokens = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return email, tokens


def test_a_new_rider_signs_up_and_manages_their_profile(api: Api) -> None:
    email, tokens = sign_up(api, "Rae")
    token = tokens["IdToken"]

    me = api.call("GET", "/users/me", token)
    assert me.status_code == 200, me.text  # the post-confirmation trigger made the profile
    profile = me.json()["profile"]
    assert (profile["email"], profile["display_name"]) == (email, "Rae")
    assert me.json()["system_role"] == "User"

    edited = api.call(
        "PUT",
        f"/users/{profile['user_id']}",
        token,
        json={
            "version": 1,
            "suburb": "Erskineville",
            "emergency_contact": {"name": "Sam", "phone": "0400 000 000"},
        },
    )
    assert edited.status_code == 200, edited.text
    assert api.call("POST", "/users", token, json={}).status_code == 200  # already registered


def test_riders_cannot_edit_others_or_raise_their_role(api: Api, rider_token: str) -> None:
    _, tokens = sign_up(api, "Max")
    max_id = api.call("GET", "/users/me", tokens["IdToken"]).json()["profile"]["user_id"]

    assert (
        api.call(
            "PUT", f"/users/{max_id}", rider_token, json={"version": 1, "bio": "hi"}
        ).status_code
        == 403
    )
    own = api.call(
        "PUT",
        f"/users/{max_id}",
        tokens["IdToken"],
        json={"version": 1, "system_role": "SiteAdmin"},
    )
    assert own.status_code == 403
    public = api.call("GET", f"/users/{max_id}", rider_token).json()
    assert "email" not in public and "emergency_contact" not in public


def test_promotion_and_demotion_by_a_site_admin(api: Api, admin_token: str) -> None:
    cognito = api.platform.client("cognito-idp")
    client_id = api.endpoints.resources.client_id
    email, tokens = sign_up(api, "Pia")
    user_id = api.call("GET", "/users/me", tokens["IdToken"]).json()["profile"]["user_id"]
    club: dict[str, Any] = {"name": f"Pia's Club {uuid.uuid4().hex[:6]}", "disciplines": ["gravel"]}
    assert api.call("POST", "/clubs", tokens["IdToken"], json=club).status_code == 403

    promoted = api.call(
        "PUT", f"/users/{user_id}", admin_token, json={"version": 1, "system_role": "SiteAdmin"}
    )
    assert promoted.status_code == 200, promoted.text
    # Roles are in tokens from issuance on: a new token carries the new role.
    admin_token_for_pia = api.token(email, PASSWORD)
    assert api.call("POST", "/clubs", admin_token_for_pia, json=club).status_code == 201

    site_admin_id = api.call("GET", "/users/me", admin_token).json()["profile"]["user_id"]
    assert (
        api.call(
            "PUT", f"/users/{site_admin_id}", admin_token_for_pia, json={"version": 2, "bio": "x"}
        ).status_code
        == 403
    )

    demoted = api.call(
        "PUT", f"/users/{user_id}", admin_token, json={"version": 2, "system_role": "User"}
    )
    assert demoted.status_code == 200, demoted.text
    # The demotion signed Pia out everywhere: her refresh token no longer works...
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    # ...and any token she gets from now on says User.
    assert (
        api.token(email, PASSWORD)
        and api.call(
            "POST", "/clubs", api.token(email, PASSWORD), json={**club, "name": club["name"] + " 2"}
        ).status_code
        == 403
    )


def test_the_seeded_site_admin_is_one_by_profile(api: Api, admin_token: str) -> None:
    me = api.call("GET", "/users/me", admin_token).json()
    assert me["system_role"] == "SiteAdmin"
    assert me["profile"]["email"] == SITE_ADMIN.email


def test_an_avatar_is_checked_and_published_in_sizes_without_exif(
    api: Api, rider_token: str
) -> None:
    def upload(body: bytes) -> str:
        ticket = api.call(
            "POST", "/users/me/avatar", rider_token, json={"content_type": "image/png"}
        )
        assert ticket.status_code == 200, ticket.text
        form = ticket.json()
        sent = requests.post(
            form["url"],
            data=form["fields"],
            files={"file": ("me.png", body, "image/png")},
            timeout=10,
        )
        assert sent.status_code in {200, 201, 204}, sent.text
        return str(form["upload_id"])

    def confirm(upload_id: str) -> requests.Response:
        deadline = time.monotonic() + 20
        while True:
            answer = api.call("PUT", "/users/me/avatar", rider_token, json={"upload_id": upload_id})
            processing = answer.status_code == 409 and "processing" in answer.text
            if not processing or time.monotonic() > deadline:
                return answer
            time.sleep(0.3)

    fake = confirm(upload(b"\x89PNG not really"))
    assert fake.status_code == 422 and fake.json()["error"]["code"] == "upload_refused"
    photo = confirm(upload((FIXTURES / "gps_exif.png").read_bytes()))
    assert photo.status_code == 200, photo.text
    avatar = api.call("GET", "/users/me", rider_token).json()["profile"]["avatar_key"]
    assert avatar.startswith("public/avatars/") and avatar == photo.json()["avatar_key"]
    s3 = api.platform.client("s3")
    bucket = api.endpoints.resources.bucket_name
    small = s3.get_object(Bucket=bucket, Key=f"{avatar}256.jpg")["Body"].read()
    image = Image.open(io.BytesIO(small))
    assert image.format == "JPEG" and max(image.size) <= 256 and not image.getexif()
