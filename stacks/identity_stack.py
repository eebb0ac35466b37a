"""Identity: the Cognito user pool (sole authentication authority) and the public client."""

from aws_cdk import Duration, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from shared.domain.deletion import TOKEN_LIFETIME
from stacks.config import StageConfig
from stacks.constructs.layers import LambdaLayers
from stacks.constructs.reach import stage_values
from stacks.constructs.service_function import ServiceFunction
from stacks.constructs.table_reference import active_table
from stacks.contexts import TRIGGERS
from stacks.environment import function_environment
from stacks.nag import acknowledge

SYSTEM_ROLE_ATTRIBUTE = "system_role"


def _email(config: StageConfig) -> cognito.UserPoolEmail:
    """Sign-up codes, invitations and password resets: through SES from the stage's
    verified domain once it is verified (`-c cognito_ses=true`; Cognito refuses an
    unverified identity, and the integration stack creates it), else Cognito's own sender
    (about 50 messages a day: enough for dev only)."""
    if not config.cognito_ses:
        return cognito.UserPoolEmail.with_cognito()
    return cognito.UserPoolEmail.with_ses(
        from_email=config.email_sender,
        from_name="Sydney Cycling",
        ses_verified_domain=config.email_domain,
        ses_region=config.region,
    )


class IdentityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.user_pool = self._user_pool(config)
        self.client = self._web_client(config)
        self._triggers(config, active_table(self, config))
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "MFA is optional by product decision: riders opt in to TOTP; requiring it "
            "would block casual club members. In staging and prod a SiteAdmin's token "
            "carries the role only with TOTP enrolled (checked at every token issue).",
        )
        if not config.threat_protection:
            acknowledge(
                self.user_pool,
                "AwsSolutions-COG8",
                "Threat protection needs the Cognito Plus plan, enabled for prod only; "
                "dev and staging hold no real riders.",
            )

    def _user_pool(self, config: StageConfig) -> cognito.UserPool:
        """Sign-in by e-mail, strong passwords, optional TOTP, the role as a custom attribute."""
        return cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=config.prefix,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            self_sign_up_enabled=True,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                given_name=cognito.StandardAttribute(required=False, mutable=True),
                family_name=cognito.StandardAttribute(required=False, mutable=True),
            ),
            # Mirrors the profile's SystemRole; only the User Profile Service writes it.
            custom_attributes={
                SYSTEM_ROLE_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=16, mutable=True)
            },
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            email=_email(config),
            deletion_protection=config.retain_data,
            removal_policy=config.removal_policy,
            feature_plan=cognito.FeaturePlan.PLUS
            if config.threat_protection
            else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION
                if config.threat_protection
                else None
            ),
        )

    def _web_client(self, config: StageConfig) -> cognito.UserPoolClient:
        """The apps' client: SRP, no secret, no OAuth, and no way to write the role."""
        # The app client may read the role but never write it: no self-promotion.
        return self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=f"{config.prefix}-web",
            generate_secret=False,
            # SRP for the apps; admin password auth (needs AWS credentials, so no client can
            # use it) for the pipeline's smoke user.
            auth_flows=cognito.AuthFlow(user_srp=True, admin_user_password=True),
            # The apps sign in with SRP against the API; no hosted UI, so no OAuth flows
            # (CDK would otherwise enable the implicit grant and a placeholder callback).
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.seconds(int(TOKEN_LIFETIME.total_seconds())),
            access_token_validity=Duration.seconds(int(TOKEN_LIFETIME.total_seconds())),
            refresh_token_validity=Duration.days(30),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(
                email=True, email_verified=True, given_name=True, family_name=True
            )
            .with_custom_attributes(SYSTEM_ROLE_ATTRIBUTE),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, given_name=True, family_name=True
            ),
        )

    def _triggers(self, config: StageConfig, table: dynamodb.ITable) -> None:
        """Post-confirmation creates the profile; pre-token-generation puts `user_id` and
        `system_role` (from the role item) in the ID token. Each may touch one item kind."""
        layers = LambdaLayers(self, "Layers")
        values = stage_values(config, table_name=table.table_name)
        self.triggers: dict[str, ServiceFunction] = {}
        for trigger in TRIGGERS:
            function = ServiceFunction(
                self,
                trigger.name,
                config=config,
                package="identity",
                handler=trigger.handler,
                description=f"Cognito {trigger.name} trigger ({config.name})",
                layers=layers,
                environment=function_environment(trigger.settings, values),
                timeout=Duration.seconds(5),
                reserved_concurrency=config.trigger_concurrency,
            )
            function.role.add_to_policy(
                iam.PolicyStatement(
                    actions=[f"dynamodb:{trigger.table_action}"],
                    resources=[table.table_arn],
                    conditions={
                        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [trigger.partitions]}
                    },
                )
            )
            # The trigger's module is named after the Cognito operation it serves.
            operation = getattr(cognito.UserPoolOperation, trigger.module.upper())
            self.user_pool.add_trigger(operation, function.alias)
            self.triggers[trigger.name] = function
        if config.site_admin_mfa:
            self._require_site_admin_mfa(self.triggers["PreTokenGeneration"])

    def _require_site_admin_mfa(self, trigger: ServiceFunction) -> None:
        """The trigger reads a SiteAdmin's MFA settings before putting the role in a token.
        A policy of its own, not the role's default one: the function must not wait for
        the pool, which already waits for the function (its trigger)."""
        iam.Policy(
            self,
            "PreTokenGenerationReadsMfa",
            roles=[trigger.role],
            statements=[
                iam.PolicyStatement(
                    actions=["cognito-idp:AdminGetUser"],
                    resources=[self.user_pool.user_pool_arn],
                )
            ],
        )
