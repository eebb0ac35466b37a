"""Where the local platform must refuse or accept what AWS does."""

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_authorization_scheme_is_case_insensitive(
    api: Api, rider_token: str, scheme: str
) -> None:
    answer = api.call("GET", "/users/me", f"{scheme} {rider_token}")

    assert answer.status_code == 200, answer.text


def test_a_client_cannot_write_its_own_system_role_at_sign_up(api: Api) -> None:
    cognito = api.platform.client("cognito-idp")
    client_id = api.endpoints.resources.client_id
    email = f"climber-{uuid.uuid4().hex[:6]}@local.test"

    with pytest.raises(ClientError) as refused:
        cognito.sign_up(
            ClientId=client_id,
            Username=email,
            Password="Climber-Local-2026!",
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "custom:system_role", "Value": "SiteAdmin"},
            ],
        )

    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(ClientError):
        cognito.admin_get_user(UserPoolId=api.endpoints.resources.user_pool_id, Username=email)
    allowed = cognito.sign_up(
        ClientId=client_id,
        Username=email,
        Password="Climber-Local-2026!",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "given_name", "Value": "Cy"}],
    )
    assert allowed["UserSub"]
