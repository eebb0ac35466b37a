"""Cognito, as the user profile service needs it: invitations, the SystemRole mirror and
global sign-out."""

from botocore.exceptions import ClientError

from shared.adapters.adapter import Adapter, ClientSource
from shared.aws_clients import error_code
from shared.domain.enums import SystemRole
from shared.domain.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable

SYSTEM_ROLE_ATTRIBUTE = "custom:system_role"
# Errors that say the caller's input was refused, not that Cognito failed.
_REFUSED_INPUT = frozenset({"InvalidParameterException", "CodeDeliveryFailureException"})
_BUSY = frozenset({"TooManyRequestsException", "LimitExceededException", "InternalErrorException"})


class IdentityDirectory(Adapter):
    def __init__(self, client: ClientSource, user_pool_id: str | None) -> None:
        super().__init__(client)
        self.user_pool_id = user_pool_id

    def _pool(self) -> str:
        if not self.user_pool_id:
            raise ServiceUnavailable("This function is not connected to the user pool.")
        return self.user_pool_id

    def user_attributes(self, username: str) -> dict[str, str]:
        """The user's attributes (`sub`, `email`...), by username or e-mail address."""
        try:
            user = self.client.admin_get_user(UserPoolId=self._pool(), Username=username)
        except ClientError as error:
            if error_code(error) == "UserNotFoundException":
                raise NotFound("No such user in the user pool.", code="user_not_found") from None
            raise
        return {a["Name"]: a["Value"] for a in user["UserAttributes"]}

    def uses_totp(self, username: str) -> bool:
        """Whether the user has an authenticator app (TOTP) enrolled and switched on: in
        this pool, such a user is asked for a code at every password sign-in."""
        user = self.client.admin_get_user(UserPoolId=self._pool(), Username=username)
        return "SOFTWARE_TOKEN_MFA" in (user.get("UserMFASettingList") or [])

    def set_system_role(self, username: str, role: SystemRole, *, sign_out: bool) -> None:
        """Cognito's custom attribute follows the profile; `sign_out` also revokes the
        user's refresh tokens, so a lost role ends with the tokens already issued."""
        if not self.user_pool_id:
            return  # no pool to mirror into (e.g. a function under test without one)
        try:
            self.client.admin_update_user_attributes(
                UserPoolId=self.user_pool_id,
                Username=username,
                UserAttributes=[{"Name": SYSTEM_ROLE_ATTRIBUTE, "Value": str(role)}],
            )
            if sign_out:
                self.client.admin_user_global_sign_out(
                    UserPoolId=self.user_pool_id, Username=username
                )
        except ClientError as error:
            code = error_code(error)
            if code == "UserNotFoundException":
                raise NotFound("No such user in the user pool.", code="user_not_found") from None
            if code in _BUSY:
                raise ServiceUnavailable("The user pool is busy; retry shortly.") from None
            raise

    def invite(self, email: str) -> tuple[str, str | None]:
        """Cognito creates the user and e-mails the invitation; returns (sub, email)."""
        try:
            answer = self.client.admin_create_user(
                UserPoolId=self._pool(),
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                DesiredDeliveryMediums=["EMAIL"],
            )
        except ClientError as error:
            code = error_code(error)
            if code == "UsernameExistsException":
                raise Conflict("A user with this e-mail exists.", code="user_exists") from None
            if code in _REFUSED_INPUT:
                raise Unprocessable(
                    "The user pool refused this e-mail address.", code="invalid_email"
                ) from None
            if code in _BUSY:
                raise ServiceUnavailable("The user pool is busy; retry shortly.") from None
            raise
        attributes = {a["Name"]: a["Value"] for a in answer["User"]["Attributes"]}
        return str(attributes["sub"]), attributes.get("email")

    def shut_out(self, username: str) -> None:
        """No new tokens from now on: the user is disabled and their refresh tokens are
        revoked (an account being deleted). Gone already: nothing to do."""
        try:
            self.client.admin_disable_user(UserPoolId=self._pool(), Username=username)
            self.client.admin_user_global_sign_out(UserPoolId=self._pool(), Username=username)
        except ClientError as error:
            self._raise_unless_gone(error)

    def delete_user(self, username: str) -> None:
        """The Cognito user, for good (deleted already: nothing to do)."""
        try:
            self.client.admin_delete_user(UserPoolId=self._pool(), Username=username)
        except ClientError as error:
            self._raise_unless_gone(error)

    @staticmethod
    def _raise_unless_gone(error: ClientError) -> None:
        code = error_code(error)
        if code == "UserNotFoundException":
            return
        if code in _BUSY:
            raise ServiceUnavailable("The user pool is busy; retry shortly.") from None
        raise error
