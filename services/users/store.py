"""Profiles, the platform's SiteAdmin count, and the Cognito mirror of SystemRole."""

from typing import Any

from shared.domain.errors import Conflict, ServiceUnavailable
from shared.domain.membership import Membership
from shared.domain.user import UserProfile
from shared.store import keys
from shared.store.memberships import to_membership
from shared.store.schema import GSI1
from shared.store.table import Table, TransactionCancelled
from shared.store.updates import versioned_update
from shared.store.users import create_profile, profile_item, read_profile

# The number of SiteAdmins, moved in the same transaction as any role change, so the
# platform never loses its last SiteAdmin whatever the concurrency.
SITE_ADMINS_KEY = {"PK": "PLATFORM", "SK": "SITE_ADMINS"}
_PROFILE_FIELDS = (
    "display_name",
    "given_name",
    "family_name",
    "bio",
    "suburb",
    "strava_athlete_id",
    "emergency_contact",
    "avatar_key",
    "system_role",
    "updated_at",
)
_MEMBERSHIPS_SHOWN = 100


def site_admin_change(delta: int) -> dict[str, Any]:
    update: dict[str, Any] = {
        "Key": SITE_ADMINS_KEY,
        "UpdateExpression": "ADD admins :delta",
        "ExpressionAttributeValues": {":delta": delta},
    }
    if delta < 0:
        update["ConditionExpression"] = "admins > :one"
        update["ExpressionAttributeValues"][":one"] = 1
    return {"Update": update}


def grant_site_admin(table: Table, user_id: str) -> None:
    """Make an existing profile SiteAdmin and count it: how the first SiteAdmin of a stage
    is made (nobody holds the role to grant it through the API)."""
    table.transact_write(
        [
            {
                "Update": {
                    "Key": keys.user_key(user_id),
                    "UpdateExpression": "SET system_role = :admin, version = version + :one",
                    "ConditionExpression": "attribute_exists(PK) AND system_role <> :admin",
                    "ExpressionAttributeValues": {":admin": "SiteAdmin", ":one": 1},
                }
            },
            site_admin_change(1),
        ]
    )


class UserStore:
    def __init__(
        self,
        table: Table,
        cognito: Any,
        user_pool_id: str | None,
        s3: Any = None,
        bucket: str | None = None,
    ) -> None:
        """`cognito` and `s3` are clients, or functions that make them: most requests
        need neither, and each client costs ~70 ms of cold start to build."""
        self.table = table
        self._cognito = cognito
        self.user_pool_id = user_pool_id
        self._s3 = s3
        self.bucket = bucket

    @property
    def cognito(self) -> Any:
        if callable(self._cognito):
            self._cognito = self._cognito()
        return self._cognito

    @property
    def s3(self) -> Any:
        if callable(self._s3):
            self._s3 = self._s3()
        return self._s3

    def get(self, user_id: str) -> UserProfile | None:
        return read_profile(self.table, user_id)

    def create(self, profile: UserProfile) -> bool:
        return create_profile(self.table, profile)

    def update(self, before: UserProfile, after: UserProfile) -> None:
        item = profile_item(after)
        actions = [
            versioned_update(
                keys.user_key(after.user_id),
                {f: item.get(f) for f in _PROFILE_FIELDS},
                before.version,
            )
        ]
        delta = int(after.system_role == "SiteAdmin") - int(before.system_role == "SiteAdmin")
        if delta:
            actions.append(site_admin_change(delta))
        try:
            self.table.transact_write(actions)
        except TransactionCancelled as cancelled:
            if delta < 0 and cancelled.failed_condition(1):
                raise Conflict(
                    "The platform must keep at least one SiteAdmin.", code="last_site_admin"
                ) from None
            raise Conflict(
                "The profile was changed by someone else; read it again.", code="version_conflict"
            ) from None

    def memberships(self, user_id: str) -> tuple[list[Membership], bool]:
        """The user's memberships across clubs (GSI1), and whether there were more."""
        items, last = self.table.query_page(
            index=GSI1.name,
            key_condition=f"{GSI1.partition_key} = :pk",
            values={":pk": f"{keys.USER_PREFIX}{user_id}"},
            limit=_MEMBERSHIPS_SHOWN,
        )
        return [to_membership(i) for i in items], last is not None

    def mirror_role(self, username: str, role: str, *, sign_out: bool) -> None:
        """Cognito's custom attribute follows the profile; a demotion also revokes the
        user's refresh tokens, so the old role ends with the tokens already issued."""
        if not self.user_pool_id:
            return
        self.cognito.admin_update_user_attributes(
            UserPoolId=self.user_pool_id,
            Username=username,
            UserAttributes=[{"Name": "custom:system_role", "Value": role}],
        )
        if sign_out:
            self.cognito.admin_user_global_sign_out(UserPoolId=self.user_pool_id, Username=username)

    def invite(self, email: str) -> tuple[str, str | None]:
        """Cognito creates the user and e-mails the invitation; returns (sub, email)."""
        if not self.user_pool_id:
            raise ServiceUnavailable("Invitations need the user pool.")
        try:
            answer = self.cognito.admin_create_user(
                UserPoolId=self.user_pool_id,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                DesiredDeliveryMediums=["EMAIL"],
            )
        except self.cognito.exceptions.UsernameExistsException:
            raise Conflict("A user with this e-mail exists.", code="user_exists") from None
        attributes = {a["Name"]: a["Value"] for a in answer["User"]["Attributes"]}
        return str(attributes["sub"]), attributes.get("email")

    def presign_avatar(self, key: str, content_type: str, max_bytes: int, expires: int) -> Any:
        return self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires,
        )

    def object_exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.ClientError:
            return False
        return True
