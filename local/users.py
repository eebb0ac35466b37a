"""Users of the local pool: creating them and signing them in for ID tokens."""

from typing import Any

from local.provision import SYSTEM_ROLE_ATTRIBUTE


def create_user(cognito: Any, pool_id: str, email: str, password: str, system_role: str) -> str:
    """A confirmed user with a permanent password; returns their `sub`."""
    answer = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": f"custom:{SYSTEM_ROLE_ATTRIBUTE}", "Value": system_role},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=password, Permanent=True
    )
    attributes = {a["Name"]: a["Value"] for a in answer["User"]["Attributes"]}
    return str(attributes["sub"])


def id_token(cognito: Any, client_id: str, email: str, password: str) -> str:
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return str(answer["AuthenticationResult"]["IdToken"])
