"""The users API and the Cognito triggers, against moto in-process."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from identity import post_confirmation, pre_token_generation
from local.provision import create_user_pool
from local.users import create_user
from media.processor import process
from media.store import MediaStore
from shared.adapters.identity import IdentityDirectory
from shared.adapters.media import MediaBucket
from shared.domain.enums import SystemRole
from shared.store import keys
from shared.store.table import Table
from tests.service.conftest import Invoke, LambdaContextStub, make_invoker, snapshot
from users import handler as users_api
from users.store import ProfileStore

pytestmark = pytest.mark.service

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "media"

PASSWORD = "Users-Local-2026!"


class World:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.cognito = boto3.client("cognito-idp")
        self.pool_id, self.client_id = create_user_pool(self.cognito, "test")
        self.api: Invoke = make_invoker(users_api.handler)

    def person(self, email: str, role: str = "User") -> dict[str, str]:
        sub = create_user(self.cognito, self.pool_id, email, PASSWORD, SystemRole(role), self.table)
        return {"sub": sub, "email": email, "custom:system_role": role}

    def claims(self, person: dict[str, str]) -> dict[str, str]:
        """The claims the pre-token-generation trigger puts in that person's token."""
        event = {"request": {"userAttributes": {"sub": person["sub"]}}, "response": {}}
        return {**person, **pre_token_generation.claims_for(event, self.table)}


@pytest.fixture
def world(table: Table) -> Iterator[World]:
    built = World(table)
    users_api.app.dependency_overrides[users_api.get_store] = lambda: ProfileStore(table)
    users_api.app.dependency_overrides[users_api.get_directory] = lambda: IdentityDirectory(
        built.cognito, built.pool_id
    )
    yield built
    users_api.app.dependency_overrides.clear()


def confirmation_event(
    sub: str, email: str, source: str = "PostConfirmation_ConfirmSignUp"
) -> dict[str, Any]:
    return {
        "version": "1",
        "triggerSource": source,
        "region": "ap-southeast-2",
        "userPoolId": "ap-southeast-2_test",
        "userName": email,
        "callerContext": {"awsSdkVersion": "aws-sdk-js-3", "clientId": "client"},
        "request": {
            "userAttributes": {
                "sub": sub,
                "email": email,
                "email_verified": "true",
                "given_name": "Penny",
                "cognito:user_status": "CONFIRMED",
            }
        },
        "response": {},
    }


def test_post_confirmation_creates_the_profile_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(post_confirmation, "app_table", lambda: world.table)
    sub = "12121212-1212-4212-8212-121212121212"
    event = confirmation_event(sub, "penny@example.com")

    assert post_confirmation.handler(event, LambdaContextStub()) == event
    first = world.table.get(keys.user_key(sub))
    world.table.client.update_item(
        TableName=world.table.name,
        Key={"PK": {"S": f"USER#{sub}"}, "SK": {"S": "PROFILE"}},
        UpdateExpression="SET bio = :b",
        ExpressionAttributeValues={":b": {"S": "edited since"}},
    )
    post_confirmation.handler(event, LambdaContextStub())  # Cognito retries a trigger

    profile = world.table.get(keys.user_key(sub))
    assert first is not None and profile is not None
    assert profile["system_role"] == "User"
    assert profile["display_name"] == "Penny"
    assert profile["bio"] == "edited since"  # never overwritten


def test_password_reset_confirmations_create_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(post_confirmation, "app_table", lambda: world.table)
    sub = "13131313-1313-4313-8313-131313131313"

    post_confirmation.handler(
        confirmation_event(sub, "x@example.com", "PostConfirmation_ConfirmForgotPassword"),
        LambdaContextStub(),
    )

    assert world.table.get(keys.user_key(sub)) is None


def test_pre_token_generation_takes_the_role_from_the_role_item(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pre_token_generation, "app_table", lambda: world.table)
    admin = world.person("admin@example.com", "SiteAdmin")
    stranger = "14141414-1414-4414-8414-141414141414"

    def claims(sub: str) -> dict[str, str]:
        event = {
            "triggerSource": "TokenGeneration_Authentication",
            "request": {"userAttributes": {"sub": sub}},
        }
        answer = pre_token_generation.handler(event, LambdaContextStub())
        return answer["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]

    assert claims(admin["sub"]) == {"user_id": admin["sub"], "system_role": "SiteAdmin"}
    assert claims(stranger) == {"user_id": stranger, "system_role": "User"}
    # A profile that says SiteAdmin (what a compromised function able to write profiles
    # could do) is not the authority: without the role item the token is a rider's.
    rider = world.person("rider@example.com", "User")
    world.table.update(
        keys.user_key(rider["sub"]),
        "SET system_role = :admin",
        values={":admin": "SiteAdmin"},
    )
    assert claims(rider["sub"])["system_role"] == "User"
    # Demoting removes the role item in the same transaction as the profile's copy.
    assert world.table.get(keys.system_role_key(admin["sub"])) is not None


def test_register_returns_201_then_200(world: World) -> None:
    sub = "15151515-1515-4515-8515-151515151515"
    claims = {"sub": sub, "email": "new@example.com"}

    first = world.api("POST", "/users", body={"given_name": "Nova"}, claims=claims)
    again = world.api("POST", "/users", body={}, claims=claims)

    assert first.status == 201
    assert first.body["email"] == "new@example.com"
    assert first.body["display_name"] == "Nova"
    assert again.status == 200
    assert again.body["user_id"] == sub


def test_me_has_profile_role_and_memberships(world: World) -> None:
    rider = world.person("rider@example.com")
    world.table.put(
        {
            **keys.membership_key("c1", rider["sub"]),
            "GSI1PK": f"USER#{rider['sub']}",
            "GSI1SK": "CLUB#c1",
            "entity": "membership",
            "membership_id": f"c1_{rider['sub']}",
            "club_id": "c1",
            "user_id": rider["sub"],
            "club_role": "member",
            "status": "active",
            "updated_at": "2026-11-25T00:00:00Z",
            "updated_by": rider["sub"],
            "version": 1,
        }
    )

    me = world.api("GET", "/users/me", claims=world.claims(rider))

    assert me.status == 200
    assert me.body["system_role"] == "User"
    assert me.body["profile"]["email"] == "rider@example.com"
    assert me.body["memberships"] == [
        {
            "club_id": "c1",
            "membership_id": f"c1_{rider['sub']}",
            "club_role": "member",
            "status": "active",
        }
    ]


def test_me_without_a_profile_is_404(world: World) -> None:
    answer = world.api("GET", "/users/me", claims={"sub": "16161616-1616-4616-8616-161616161616"})

    assert answer.status == 404
    assert answer.body["error"]["code"] == "profile_missing"


def test_others_see_the_public_part_only(world: World) -> None:
    rider = world.person("rider@example.com")
    other = world.person("other@example.com")
    admin = world.person("admin@example.com", "SiteAdmin")
    path = {"user_id": rider["sub"]}
    world.api(
        "PUT",
        "/users/{user_id}",
        path_params=path,
        body={"version": 1, "emergency_contact": {"name": "Kim", "phone": "+61 400 000 000"}},
        claims=world.claims(rider),
    )

    public = world.api("GET", "/users/{user_id}", path_params=path, claims=world.claims(other))
    full = world.api("GET", "/users/{user_id}", path_params=path, claims=world.claims(admin))
    own = world.api("GET", "/users/{user_id}", path_params=path, claims=world.claims(rider))

    assert set(public.body) == {
        "user_id",
        "display_name",
        "avatar_key",
        "suburb",
        "shared_club_ids",
    }
    assert "email" not in public.body and "emergency_contact" not in public.body
    assert full.body["emergency_contact"] == {"name": "Kim", "phone": "+61 400 000 000"}
    assert own.body["email"] == "rider@example.com"


def test_users_edit_their_own_profile_only(world: World) -> None:
    rider = world.person("rider@example.com")
    other = world.person("other@example.com")
    path = {"user_id": rider["sub"]}

    edited = world.api(
        "PUT",
        "/users/{user_id}",
        path_params=path,
        body={"version": 1, "suburb": "Newtown", "bio": "B grade"},
        claims=world.claims(rider),
    )
    forbidden = world.api(
        "PUT",
        "/users/{user_id}",
        path_params=path,
        body={"version": 2, "suburb": "Manly"},
        claims=world.claims(other),
    )
    stale = world.api(
        "PUT",
        "/users/{user_id}",
        path_params=path,
        body={"version": 1, "suburb": "Manly"},
        claims=world.claims(rider),
    )

    assert edited.status == 200
    assert (edited.body["suburb"], edited.body["version"]) == ("Newtown", 2)
    assert forbidden.status == 403
    assert stale.body["error"]["code"] == "version_conflict"


def test_nobody_raises_their_own_role(world: World) -> None:
    rider = world.person("rider@example.com")

    answer = world.api(
        "PUT",
        "/users/{user_id}",
        path_params={"user_id": rider["sub"]},
        body={"version": 1, "system_role": "SiteAdmin"},
        claims=world.claims(rider),
    )

    assert answer.status == 403
    assert world.claims(rider)["system_role"] == "User"


def test_site_admins_promote_and_demote_mirroring_cognito(world: World) -> None:
    admin = world.person("admin@example.com", "SiteAdmin")
    rider = world.person("rider@example.com")
    path = {"user_id": rider["sub"]}

    promoted = world.api(
        "PUT",
        "/users/{user_id}",
        path_params=path,
        body={"version": 1, "system_role": "SiteAdmin"},
        claims=world.claims(admin),
    )
    assert promoted.status == 200
    assert world.claims(rider)["system_role"] == "SiteAdmin"
    attributes = world.cognito.admin_get_user(
        UserPoolId=world.pool_id, Username="rider@example.com"
    )
    assert {"Name": "custom:system_role", "Value": "SiteAdmin"} in attributes["UserAttributes"]

    demoted = world.api(
        "PUT",
        "/users/{user_id}",
        path_params=path,
        body={"version": 2, "system_role": "User"},
        claims=world.claims(admin),
    )
    assert demoted.status == 200
    assert world.claims(rider)["system_role"] == "User"
    attributes = world.cognito.admin_get_user(
        UserPoolId=world.pool_id, Username="rider@example.com"
    )
    assert {"Name": "custom:system_role", "Value": "User"} in attributes["UserAttributes"]


def test_two_site_admins_demoting_each_other_leave_one(world: World) -> None:
    """Both read before either writes (a race): the SiteAdmin count refuses the second."""
    from shared.domain.enums import SystemRole
    from shared.domain.errors import Conflict
    from shared.store.keys import SITE_ADMINS_KEY

    first = world.person("first@example.com", "SiteAdmin")
    second = world.person("second@example.com", "SiteAdmin")
    store = ProfileStore(world.table)
    a, b = store.get(first["sub"]), store.get(second["sub"])
    assert a is not None and b is not None

    store.update(a, a.model_copy(update={"system_role": SystemRole.USER, "version": a.version + 1}))
    with pytest.raises(Conflict) as refused:
        store.update(
            b, b.model_copy(update={"system_role": SystemRole.USER, "version": b.version + 1})
        )

    assert refused.value.code == "last_site_admin"
    count = world.table.get(SITE_ADMINS_KEY)
    assert count is not None and count["admins"] == 1
    # The role items moved with the count: the demoted one is gone, the other stays.
    assert world.table.get(keys.system_role_key(first["sub"])) is None
    assert world.table.get(keys.system_role_key(second["sub"])) is not None


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1},
        {"suburb": "Newtown"},
        {"version": 1, "email": "me@else.com"},
        {"version": 1, "emergency_contact": {"name": "Kim", "phone": "call me"}},
        {"version": 1, "strava_athlete_id": "abc"},
        {"version": 1, "system_role": "Root"},
        {"version": 1, "system_role": "SiteAdmin", "bio": "x"},
        {"version": 1, "display_name": "x" * 81},
    ],
)
def test_bad_profile_updates_are_422(world: World, body: dict[str, Any]) -> None:
    rider = world.person("rider@example.com")
    claims = world.claims(rider)
    before = snapshot(world.table)

    answer = world.api(
        "PUT",
        "/users/{user_id}",
        path_params={"user_id": rider["sub"]},
        body=body,
        claims=claims,
    )

    assert answer.status == 422
    assert snapshot(world.table) == before


def test_unknown_and_malformed_users(world: World) -> None:
    rider = world.person("rider@example.com")
    unknown = {"user_id": "17171717-1717-4717-8717-171717171717"}

    assert (
        world.api("GET", "/users/{user_id}", path_params=unknown, claims=world.claims(rider)).status
        == 404
    )
    assert (
        world.api(
            "GET", "/users/{user_id}", path_params={"user_id": "x"}, claims=world.claims(rider)
        ).status
        == 422
    )


@pytest.fixture
def bucket(world: World) -> str:
    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket="assets", CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"}
    )
    users_api.app.dependency_overrides[users_api.get_media] = lambda: MediaBucket(s3, "assets")
    return "assets"


def test_avatar_upload_is_presigned_into_the_callers_incoming_folder(
    world: World, bucket: str
) -> None:
    rider = world.person("rider@example.com")

    upload = world.api(
        "POST", "/users/me/avatar", body={"content_type": "image/png"}, claims=world.claims(rider)
    )

    assert upload.status == 200, upload.body
    key = upload.body["key"]
    assert key == f"incoming/avatar/{rider['sub']}/{upload.body['upload_id']}.png"
    assert upload.body["fields"]["key"] == key
    assert upload.body["fields"]["Content-Type"] == "image/png"
    assert upload.body["max_bytes"] == 5 * 1024 * 1024
    assert world.table.get(keys.upload_key(upload.body["upload_id"])) is not None
    refused = world.api(
        "POST", "/users/me/avatar", body={"content_type": "image/gif"}, claims=world.claims(rider)
    )
    assert refused.status == 422


def test_an_avatar_is_used_only_once_checked_and_only_by_its_owner(
    world: World, bucket: str
) -> None:
    rider = world.person("rider@example.com")
    other = world.person("other@example.com")
    s3 = boto3.client("s3")
    media = MediaStore(world.table)

    def ticket() -> dict[str, str]:
        answer = world.api(
            "POST",
            "/users/me/avatar",
            body={"content_type": "image/png"},
            claims=world.claims(rider),
        )
        return dict(answer.body)

    def confirm(claims: dict[str, str], **body: str) -> Any:
        return world.api("PUT", "/users/me/avatar", body=body, claims=claims)

    first = ticket()
    assert confirm(world.claims(rider), upload_id=first["upload_id"]).body["error"]["code"] == (
        "upload_processing"
    )
    s3.put_object(Bucket=bucket, Key=first["key"], Body=(FIXTURES / "gps_exif.png").read_bytes())
    assert process(first["key"], media, MediaBucket(s3, bucket)) == "published"

    stolen = confirm(world.claims(other), upload_id=first["upload_id"])
    assert (stolen.status, stolen.body["error"]["code"]) == (404, "upload_not_found")
    assert confirm(world.claims(other), key=first["key"]).status == 403
    confirmed = confirm(world.claims(rider), key=first["key"])  # as earlier clients send it
    assert confirmed.status == 200, confirmed.body
    avatar = confirmed.body["avatar_key"]
    assert avatar == f"public/avatars/{rider['sub']}/{first['upload_id']}/"
    published = s3.list_objects_v2(Bucket=bucket, Prefix=avatar)["Contents"]
    assert len(published) == 6

    second = ticket()
    s3.put_object(Bucket=bucket, Key=second["key"], Body=(FIXTURES / "truncated.jpg").read_bytes())
    assert process(second["key"], media, MediaBucket(s3, bucket)) == "refused"
    refused = confirm(world.claims(rider), upload_id=second["upload_id"])
    assert (refused.status, refused.body["error"]["details"]["reason"]) == (422, "type_mismatch")

    third = ticket()
    s3.put_object(Bucket=bucket, Key=third["key"], Body=(FIXTURES / "logo.png").read_bytes())
    process(third["key"], media, MediaBucket(s3, bucket))
    assert confirm(world.claims(rider), upload_id=third["upload_id"]).status == 200
    # The replaced avatar's sizes are gone.
    assert not s3.list_objects_v2(Bucket=bucket, Prefix=avatar).get("Contents")


def test_site_admins_invite_by_email(world: World) -> None:
    admin = world.person("admin@example.com", "SiteAdmin")
    rider = world.person("rider@example.com")

    invited = world.api(
        "POST", "/users", body={"email": "guest@example.com"}, claims=world.claims(admin)
    )
    again = world.api(
        "POST", "/users", body={"email": "guest@example.com"}, claims=world.claims(admin)
    )
    refused = world.api(
        "POST", "/users", body={"email": "x@example.com"}, claims=world.claims(rider)
    )

    assert invited.status == 201, invited.body
    assert invited.body["email"] == "guest@example.com"
    assert world.cognito.admin_get_user(UserPoolId=world.pool_id, Username="guest@example.com")
    assert again.status == 409
    assert refused.status == 403
    assert (
        world.api(
            "POST", "/users", body={"email": "not-an-email"}, claims=world.claims(admin)
        ).status
        == 422
    )


@pytest.mark.parametrize(
    ("mfa_settings", "role"),
    [(["SOFTWARE_TOKEN_MFA"], "SiteAdmin"), ([], "User"), (None, "User")],
)
def test_where_required_a_siteadmin_token_needs_an_enrolled_authenticator(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    mfa_settings: list[str] | None,
    role: str,
) -> None:
    monkeypatch.setattr(pre_token_generation, "app_table", lambda: world.table)
    monkeypatch.setenv("SITE_ADMIN_MFA_REQUIRED", "1")
    admin = world.person("mfa-admin@example.com", "SiteAdmin")
    cognito = boto3.client("cognito-idp")
    stub = Stubber(cognito)
    answer: dict[str, object] = {"Username": "mfa-admin", "UserAttributes": []}
    if mfa_settings is not None:
        answer["UserMFASettingList"] = mfa_settings
    stub.add_response(
        "admin_get_user", answer, {"UserPoolId": "ap-southeast-2_pool", "Username": "mfa-admin"}
    )
    pre_token_generation._directory.cache_clear()
    monkeypatch.setattr(
        pre_token_generation,
        "_directory",
        lambda pool: IdentityDirectory(cognito, pool),
    )
    event = {
        "userPoolId": "ap-southeast-2_pool",
        "userName": "mfa-admin",
        "triggerSource": "TokenGeneration_Authentication",
        "request": {"userAttributes": {"sub": admin["sub"]}},
    }

    with stub:
        answer_event = pre_token_generation.handler(event, LambdaContextStub())
    claims = answer_event["response"]["claimsOverrideDetails"]["claimsToAddOrOverride"]
    assert claims["system_role"] == role
    stub.assert_no_pending_responses()


def test_a_failing_mfa_check_withholds_the_siteadmin_role(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = world.person("mfa-admin2@example.com", "SiteAdmin")
    cognito = boto3.client("cognito-idp")
    stub = Stubber(cognito)
    stub.add_client_error("admin_get_user", "TooManyRequestsException")
    event = {
        "userPoolId": "ap-southeast-2_pool",
        "userName": "mfa-admin2",
        "request": {"userAttributes": {"sub": admin["sub"]}},
    }
    with stub:
        claims = pre_token_generation.claims_for(
            event, world.table, IdentityDirectory(cognito, "ap-southeast-2_pool")
        )
    assert claims["system_role"] == "User"
    # A rider is never asked for proof: no call at all.
    rider = world.person("rider-mfa@example.com", "User")
    event["request"] = {"userAttributes": {"sub": rider["sub"]}}
    with Stubber(cognito):
        assert (
            pre_token_generation.claims_for(
                event, world.table, IdentityDirectory(cognito, "ap-southeast-2_pool")
            )["system_role"]
            == "User"
        )
