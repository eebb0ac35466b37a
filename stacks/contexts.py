"""Every API context declared once: its handler, what it reads from its environment, what it
may do in the table and beyond, and the read the pre-traffic hook tries. The api stack, the
pre-traffic smoke (through each function's environment) and the local platform build from
these; a route of a context is added in `stacks/routes.py` beside them.

What a function may reach follows from two places only: this declaration (table actions,
bucket folders, sealing purposes, user pool actions) and its settings models
(`shared/settings.py`): a function reads the SSM parameters and secrets its settings name,
and may put events on the bus its settings name (`stacks/constructs/reach.py`).
"""

from dataclasses import dataclass

from shared.adapters.sealed_secrets import STRAVA_TOKENS, WEBHOOK_SIGNING
from shared.domain.export import EXPORTS
from shared.domain.media import INCOMING, PRIVATE, PUBLIC
from shared.names import SMOKE_READ_VARIABLE, SMOKE_USER
from shared.settings import (
    EnvironmentSettings,
    MediaApiSettings,
    NotificationSettings,
    RidesSettings,
    Settings,
    StravaLinkSettings,
    TokenSettings,
    UsersSettings,
    WebhookSettings,
)
from shared.store.keys import SYSTEM_ROLE_PREFIX
from shared.store.schema import GSI1, GSI2

READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
# Conditional puts and updates, inside transactions with condition checks.
WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem")


@dataclass(frozen=True)
class BucketAccess:
    """A folder of the assets bucket, what a function may do there ("s3:ListBucket" is
    granted on the bucket for listing under the folder only), and why it needs it (the
    reason of the cdk-nag acknowledgement of the folder's wildcard)."""

    folder: str
    actions: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Sealing:
    """KMS use for one purpose only (`stacks/constructs/sealing.py`)."""

    purpose: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class ApiContext:
    name: str
    # What its code reads from the environment besides `Settings` (stage and table).
    settings: tuple[type[EnvironmentSettings], ...]
    # The table actions its code performs, and the indexes it queries (least privilege).
    table_actions: tuple[str, ...]
    # A harmless GET its new versions must answer with this status before traffic.
    smoke_read: tuple[str, int]
    table_indexes: tuple[str, ...] = ()
    bucket_access: tuple[BucketAccess, ...] = ()
    sealing: tuple[Sealing, ...] = ()
    user_pool_actions: tuple[str, ...] = ()
    # Evaluates feature flags (`shared/flags`): gets their names and read access.
    feature_flags: bool = False
    # Registers and removes devices' SNS push endpoints.
    push_endpoints: bool = False

    @property
    def handler(self) -> str:
        return f"{self.name}.handler.handler"

    @property
    def all_settings(self) -> tuple[type[EnvironmentSettings], ...]:
        return (Settings, *self.settings)

    @property
    def smoke_environment(self) -> dict[str, str]:
        """The variable that tells the pre-traffic hook its read."""
        path, status = self.smoke_read
        return {SMOKE_READ_VARIABLE: f"{path} {status}"}


_NOWHERE = f"{SMOKE_USER}_{SMOKE_USER}"

_CONTEXTS = (
    # A rename deletes the old name reservation.
    ApiContext(
        "clubs",
        (),
        (*READ, *WRITE, "dynamodb:DeleteItem"),
        ("/clubs", 200),
        table_indexes=(GSI1.name,),
    ),
    ApiContext(
        "memberships",
        (),
        (*READ, *WRITE),
        ("/users/me/memberships", 200),
        table_indexes=(GSI1.name,),
    ),
    # Reading participants' emergency contacts is a BatchGetItem of their profiles; the
    # calendar feeds link public rides' routes under the API's URL; a rider's schedule is
    # GSI1; renewing or revoking a personal feed deletes its old token.
    ApiContext(
        "rides",
        (RidesSettings,),
        (*READ, *WRITE, "dynamodb:DeleteItem"),
        (f"/rides/{_NOWHERE}", 404),
        table_indexes=(GSI1.name, GSI2.name),
    ),
    # Invites users, mirrors SystemRole into Cognito, signs demoted users out; avatars are
    # uploaded into incoming/avatar/{user_id}/ (presigned POST) and published by the media
    # processor; the function deletes a replaced avatar's sizes.
    ApiContext(
        "users",
        (UsersSettings,),
        # A deletion request reads the user's memberships and their clubs' admin counts
        # (BatchGetItem); an export request puts the day's record.
        (
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ),
        (f"/users/{SMOKE_USER}", 404),
        table_indexes=(GSI1.name,),
        bucket_access=(
            *tuple(
                BucketAccess(
                    folder,
                    (action,),
                    "avatars are uploaded and published per user and per upload; the function "
                    "acts for whichever user calls, so it needs the avatar folders, no more",
                )
                for folder, action in (
                    (f"{INCOMING}avatar/", "s3:PutObject"),
                    (f"{PUBLIC}avatars/", "s3:DeleteObject"),
                )
            ),
            BucketAccess(
                EXPORTS,
                ("s3:GetObject",),
                "a rider's archive is under their user id; the function signs the download "
                "link of whichever rider calls",
            ),
        ),
        user_pool_actions=(
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminUpdateUserAttributes",
            "cognito-idp:AdminUserGlobalSignOut",
            # An account being deleted gets no new tokens.
            "cognito-idp:AdminDisableUser",
        ),
        feature_flags=True,
    ),
    # Preferences and devices under the caller's own partition; the key that checks
    # unsubscribe links.
    ApiContext(
        "notifications",
        (NotificationSettings,),
        ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"),
        ("/users/me/devices", 200),
        push_endpoints=True,
    ),
    # Webhooks and the club's count of them move together in transactions; registering a
    # webhook seals its signing secret (the API never opens one).
    ApiContext(
        "webhooks",
        (WebhookSettings,),
        (*READ, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
        (f"/clubs/{SMOKE_USER}/webhooks", 404),
        sealing=(Sealing(WEBHOOK_SIGNING, ("kms:Encrypt",)),),
    ),
    # Links, states and the athlete index (transactions of puts and deletes); riders'
    # tokens sealed at linking and opened to unlink; Strava's push events onto the bus.
    ApiContext(
        "strava",
        (StravaLinkSettings,),
        ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"),
        ("/integrations/strava", 200),
        sealing=(Sealing(STRAVA_TOKENS, ("kms:Encrypt", "kms:Decrypt")),),
    ),
    # Presigned uploads into incoming/ only; presigned reads and removal of ride routes;
    # a replaced logo's sizes. Publishing is the processor's alone.
    ApiContext(
        "media",
        (MediaApiSettings,),
        ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
        (f"/clubs/{SMOKE_USER}/logo", 404),
        bucket_access=(
            BucketAccess(
                INCOMING,
                ("s3:PutObject",),
                "uploads get a generated key under incoming/ (fixed per upload by the "
                "presigned POST policy); the function may write nowhere else",
            ),
            BucketAccess(
                f"{PRIVATE}rides/",
                ("s3:GetObject", "s3:DeleteObject"),
                "each ride's route lives under private/rides/{ride_id}/; the function "
                "presigns reads of the rides a caller may see",
            ),
            BucketAccess(
                f"{PUBLIC}clubs/",
                ("s3:DeleteObject",),
                "a replaced logo's sizes live under public/clubs/{club_id}/; the function "
                "deletes them when a new logo is confirmed",
            ),
        ),
        feature_flags=True,
    ),
)
CONTEXTS: dict[str, ApiContext] = {context.name: context for context in _CONTEXTS}


@dataclass(frozen=True)
class Trigger:
    """A Cognito trigger (the identity stack): the local platform runs it where Cognito
    would. It reads or writes only the items under `partitions` (item-level scope)."""

    name: str
    # The module, named after the Cognito operation it serves.
    module: str
    table_action: str
    partitions: str
    settings: tuple[type[EnvironmentSettings], ...] = (Settings,)

    @property
    def handler(self) -> str:
        return f"identity.{self.module}.handler"


# Creates the profile.
POST_CONFIRMATION = Trigger("PostConfirmation", "post_confirmation", "PutItem", "USER#*")
# Puts `user_id` and `system_role` (from the role item) in the ID token.
PRE_TOKEN_GENERATION = Trigger(
    "PreTokenGeneration",
    "pre_token_generation",
    "GetItem",
    f"{SYSTEM_ROLE_PREFIX}*",
    (Settings, TokenSettings),
)
TRIGGERS = (POST_CONFIRMATION, PRE_TOKEN_GENERATION)
