"""API: REST API with the Cognito authorizer, one Lambda per bounded context, and WAF."""

import json
import re

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from shared.adapters.sealed_secrets import STRAVA_TOKENS, WEBHOOK_SIGNING
from shared.names import (
    api_url_parameter,
    cdn_domain_parameter,
    signing_secret_name,
    strava_app_secret_name,
    strava_state_key_name,
)
from shared.store.schema import GSI1, GSI2
from stacks.config import StageConfig
from stacks.constructs.feature_flags import FlagsReaders
from stacks.constructs.function_basics import retention
from stacks.constructs.layers import LambdaLayers
from stacks.constructs.notifications import (
    acknowledge_push_endpoints,
    push_application_arns,
    push_endpoint_arns,
)
from stacks.constructs.sealing import grant_sealing
from stacks.constructs.service_function import ServiceFunction
from stacks.constructs.web_acl import ApiWebAcl
from stacks.nag import acknowledge
from stacks.routes import HEALTH, ROUTES, SERVICE_HANDLERS

API_STAGE = "v1"

# Least privilege: the table actions each service's code performs, and the indexes it reads.
_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
# Conditional puts and updates, inside transactions with condition checks.
_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"]
SERVICE_TABLE_ACCESS: dict[str, tuple[list[str], list[str]]] = {
    # A rename deletes the old name reservation.
    "clubs": ([*_READ, *_WRITE, "dynamodb:DeleteItem"], [GSI1.name]),
    "memberships": ([*_READ, *_WRITE], [GSI1.name]),
    "users": (
        ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        [GSI1.name],
    ),
    # Reading participants' emergency contacts is a BatchGetItem of their profiles.
    "rides": ([*_READ, *_WRITE], [GSI2.name]),
    # Preferences and devices under the caller's own partition.
    "notifications": (
        ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        [],
    ),
    # Uploads announced (puts), club and ride items updated in transactions.
    "media": (
        ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        [],
    ),
    # Links, states and the athlete index (transactions of puts and deletes).
    "strava": (["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"], []),
    # Webhooks and the club's count of them move together in transactions.
    "webhooks": ([*_READ, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], []),
}

# The API functions that evaluate feature flags (`shared/flags`).
FLAG_READERS = ("media", "users")


def _path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _method_options(config: StageConfig) -> dict[str, apigw.MethodDeploymentOptions]:
    """Per-route throttles and caching (public routes), keyed `{path}/{METHOD}`."""
    options = {}
    for route in ROUTES:
        if route.throttle is None and not route.cache_seconds:
            continue
        rate, burst = route.throttle or (config.api_rate_limit, config.api_burst_limit)
        cached = route.cache_seconds > 0 and config.api_cache_gb is not None
        options[f"{route.path}/{route.method}"] = apigw.MethodDeploymentOptions(
            throttling_rate_limit=rate,
            throttling_burst_limit=burst,
            caching_enabled=cached,
            cache_ttl=Duration.seconds(route.cache_seconds) if cached else None,
            cache_data_encrypted=cached,
            metrics_enabled=True,
            logging_level=apigw.MethodLoggingLevel.ERROR,
        )
    return options


_ERROR_TEMPLATE = '{"error": {"code": "%s", "message": $context.error.messageString}}'


class ApiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        user_pool: cognito.IUserPool,
        table: dynamodb.ITable,
        secrets_key: kms.IKey,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        layers = LambdaLayers(self, "Layers")
        self.functions: dict[str, ServiceFunction] = {}
        for service, handler in SERVICE_HANDLERS.items():
            function = ServiceFunction(
                self,
                f"{service.title()}Service",
                config=config,
                package=service,
                handler=handler,
                description=f"{service} API ({config.name})",
                layers=layers,
                environment={
                    "TABLE_NAME": table.table_name,
                    **(
                        {
                            "USER_POOL_ID": user_pool.user_pool_id,
                            "ASSETS_BUCKET_NAME": config.assets_bucket_name,
                        }
                        if service == "users"
                        else {}
                    ),
                    **(_notifications_environment(config) if service == "notifications" else {}),
                    **({"SECRETS_KEY_ID": secrets_key.key_arn} if service == "webhooks" else {}),
                    **(_strava_environment(config, secrets_key) if service == "strava" else {}),
                    **(
                        {
                            "ASSETS_BUCKET_NAME": config.assets_bucket_name,
                            "CDN_DOMAIN_PARAMETER": cdn_domain_parameter(config.name),
                        }
                        if service == "media"
                        else {}
                    ),
                    # The calendar feed links public rides' routes under the API's URL.
                    **(
                        {"API_URL_PARAMETER": api_url_parameter(config.name)}
                        if service == "rides"
                        else {}
                    ),
                },
            )
            # Idempotency records (shared/api/idempotency.py), and only those.
            function.role.add_to_policy(
                iam.PolicyStatement(
                    actions=[
                        "dynamodb:GetItem",
                        "dynamodb:PutItem",
                        "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem",
                    ],
                    resources=[table.table_arn],
                    conditions={
                        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["IDEMPOTENCY#*"]}
                    },
                )
            )
            actions, indexes = SERVICE_TABLE_ACCESS[service]
            function.role.add_to_policy(
                iam.PolicyStatement(
                    actions=actions,
                    resources=[table.table_arn]
                    + [f"{table.table_arn}/index/{index}" for index in indexes],
                )
            )
            self.functions[service] = function
        # The User Profile Service invites users, mirrors SystemRole into Cognito, signs
        # demoted users out, and presigns avatar uploads under avatars/ only.
        # Registering a webhook seals its signing secret; the API never decrypts one.
        grant_sealing(
            self.functions["webhooks"].role, secrets_key.key_arn, WEBHOOK_SIGNING, "kms:Encrypt"
        )
        users = self.functions["users"].role
        users.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "cognito-idp:AdminCreateUser",
                    "cognito-idp:AdminUpdateUserAttributes",
                    "cognito-idp:AdminUserGlobalSignOut",
                ],
                resources=[user_pool.user_pool_arn],
            )
        )
        # Avatars are uploaded into incoming/avatar/{user_id}/ (presigned POST) and published
        # by the media processor; the function deletes a replaced avatar's sizes.
        bucket = f"arn:{Aws.PARTITION}:s3:::{config.assets_bucket_name}"
        users.add_to_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[f"{bucket}/incoming/avatar/*"])
        )
        users.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:DeleteObject"], resources=[f"{bucket}/public/avatars/*"]
            )
        )
        for prefix in ("incoming/avatar/*", "public/avatars/*"):
            acknowledge(
                users,
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::"
                f"{config.prefix}-assets-<AWS::AccountId>/{prefix}]",
                "Avatars are uploaded and published per user and per upload; the function "
                "acts for whichever user calls, so it needs the avatar folders, no more.",
            )

        self._grant_notifications(config)
        self._grant_strava(config, secrets_key)
        self._grant_media(config)
        # Uploads (media, avatars) can be paused by a feature flag.
        flags = FlagsReaders(self, "FeatureFlags", config=config)
        for service in FLAG_READERS:
            flags.grant(self.functions[service])
        self.functions["rides"].role.add_to_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter"
                    f"{api_url_parameter(config.name)}"
                ],
            )
        )

        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=retention(config.log_retention_days),
            removal_policy=config.removal_policy,
        )
        origins = list(config.cors_allowed_origins) or apigw.Cors.ALL_ORIGINS
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{config.prefix}-api",
            description="Sydney Cycling Platform REST API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            deploy_options=apigw.StageOptions(
                stage_name=API_STAGE,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                throttling_rate_limit=config.api_rate_limit,
                throttling_burst_limit=config.api_burst_limit,
                cache_cluster_enabled=config.api_cache_gb is not None,
                cache_cluster_size=config.api_cache_gb,
                method_options=_method_options(config),
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=origins,
                allow_headers=["Authorization", "Content-Type", "X-Correlation-Id"],
                allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
                max_age=Duration.minutes(10),
            ),
        )
        self._error_responses()

        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            cognito_user_pools=[user_pool],
            results_cache_ttl=Duration.minutes(5),
        )
        for route in ROUTES:
            resource = self.api.root.resource_for_path(route.path)
            if route is HEALTH:
                method = resource.add_method(
                    route.method,
                    _health_integration(),
                    method_responses=[apigw.MethodResponse(status_code="200")],
                )
                acknowledge(
                    method,
                    "AwsSolutions-APIG4",
                    "The health check is deliberately public: it touches no data and "
                    "answers from a mock integration for load balancers and probes.",
                )
                acknowledge(
                    method,
                    "AwsSolutions-COG4",
                    "The health check is deliberately public and reaches no Lambda or data.",
                )
                continue
            assert route.service is not None
            cached = route.cache_seconds > 0 and config.api_cache_gb is not None
            path_parameters = [f"method.request.path.{p}" for p in _path_parameters(route.path)]
            integration = apigw.LambdaIntegration(
                self.functions[route.service].alias,
                allow_test_invoke=False,
                # A cached answer is keyed on the path (one club's feed is not another's).
                cache_key_parameters=path_parameters if cached else None,
            )
            if route.authorized:
                resource.add_method(
                    route.method,
                    integration,
                    authorizer=self.authorizer,
                    authorization_type=apigw.AuthorizationType.COGNITO,
                )
                continue
            public = resource.add_method(
                route.method,
                integration,
                request_parameters=dict.fromkeys(path_parameters, True) if cached else None,
            )
            for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                acknowledge(
                    public,
                    rule,
                    route.public_because,
                )
        self._acknowledge_preflight()
        if config.api_canary:
            self._release_as_canary(config.api_canary)
        acknowledge(
            self.api,
            "AwsSolutions-APIG2",
            "Requests are validated in the Lambda by pydantic models, the single source "
            "that also generates the OpenAPI document; a second copy in API Gateway would drift.",
        )
        acknowledge(
            self.api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level logging role uses the AWS-maintained policy, the "
            "documented way to let the service write execution logs.",
        )

        self.web_acl = ApiWebAcl(
            self, "WebAcl", name=f"{config.prefix}-api", rate_limit=config.waf_rate_limit
        )
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.api.deployment_stage.stage_arn,
            web_acl_arn=self.web_acl.acl.attr_arn,
        )

        CfnOutput(self, "ApiUrl", value=self.api.url)
        # Other stacks' functions (links in e-mails) read the URL here, not from an export.
        ssm.StringParameter(
            self,
            "ApiUrlParameter",
            parameter_name=api_url_parameter(config.name),
            string_value=self.api.url,
            description="Base URL of the stage's REST API",
        )

    def _release_as_canary(self, canary: str) -> None:
        """`-c api_canary=<live deployment id>:<percent>` (`ops/api_canary.py start`): the
        stage stays on the live deployment and this one becomes its canary, taking that
        share of requests until it is promoted or rolled back."""
        live, _, percent = canary.partition(":")
        stage = self.api.deployment_stage.node.default_child
        assert isinstance(stage, apigw.CfnStage)
        stage.add_property_override("DeploymentId", live)
        stage.add_property_override(
            "CanarySetting",
            {
                "DeploymentId": self.api.latest_deployment.deployment_id,  # type: ignore[union-attr]
                "PercentTraffic": float(percent),
                "UseStageCache": False,
            },
        )

    def _grant_notifications(self, config: StageConfig) -> None:
        """Push endpoints under the stage's platform applications, and the key that checks
        unsubscribe links."""
        role = self.functions["notifications"].role
        arns = push_application_arns(config)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sns:CreatePlatformEndpoint"], resources=list(arns.values())
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sns:DeleteEndpoint"],
                resources=[push_endpoint_arns(config, platform) for platform in arns],
            )
        )
        acknowledge_push_endpoints(role, config)
        secret = secretsmanager.Secret.from_secret_name_v2(
            self, "SigningKey", signing_secret_name(config.name)
        )
        secret.grant_read(role)

    def _grant_media(self, config: StageConfig) -> None:
        """Presigned uploads into incoming/ only; presigned reads and removal of ride routes
        under private/rides/; the CDN's domain. Publishing is the processor's alone."""
        role = self.functions["media"].role
        bucket = f"arn:{Aws.PARTITION}:s3:::{config.assets_bucket_name}"
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[f"{bucket}/incoming/*"])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:DeleteObject"],
                resources=[f"{bucket}/private/rides/*"],
            )
        )
        # A replaced logo's sizes are deleted (their versions expire with the lifecycle).
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:DeleteObject"], resources=[f"{bucket}/public/clubs/*"])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter"
                    f"{cdn_domain_parameter(config.name)}"
                ],
            )
        )
        for prefix, why in (
            (
                "incoming/*",
                "uploads get a generated key under incoming/ (fixed per upload by "
                "the presigned POST policy); the function may write nowhere else",
            ),
            (
                "private/rides/*",
                "each ride's route lives under private/rides/{ride_id}/; the "
                "function presigns reads of the rides a caller may see",
            ),
            (
                "public/clubs/*",
                "a replaced logo's sizes live under public/clubs/{club_id}/; the function "
                "deletes them when a new logo is confirmed",
            ),
        ):
            acknowledge(
                role,
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::"
                f"{config.prefix}-assets-<AWS::AccountId>/{prefix}]",
                f"Media keys are generated per upload and per ride: {why}.",
            )

    def _grant_strava(self, config: StageConfig, secrets_key: kms.IKey) -> None:
        """The app's credentials and the state key, the riders' tokens (sealed at linking,
        opened to unlink), the API URL for the redirect URI, and the bus for push events."""
        role = self.functions["strava"].role
        for name in (strava_app_secret_name(config.name), strava_state_key_name(config.name)):
            secret = secretsmanager.Secret.from_secret_name_v2(self, f"Secret{name}", name)
            secret.grant_read(role)
        grant_sealing(role, secrets_key.key_arn, STRAVA_TOKENS, "kms:Encrypt", "kms:Decrypt")
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter"
                    f"{api_url_parameter(config.name)}"
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["events:PutEvents"],
                resources=[
                    f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:event-bus/"
                    f"{config.prefix}"
                ],
            )
        )

    def _error_responses(self) -> None:
        """Gateway-made errors (bad token, throttling) use the API's JSON error envelope."""
        for kind, code in (
            (apigw.ResponseType.UNAUTHORIZED, "unauthorized"),
            (apigw.ResponseType.ACCESS_DENIED, "forbidden"),
            (apigw.ResponseType.THROTTLED, "throttled"),
            (apigw.ResponseType.WAF_FILTERED, "forbidden"),
            (apigw.ResponseType.DEFAULT_4_XX, "bad_request"),
            (apigw.ResponseType.DEFAULT_5_XX, "gateway_error"),
        ):
            self.api.add_gateway_response(
                f"{code.title().replace('_', '')}{kind.response_type}",
                type=kind,
                response_headers={"Access-Control-Allow-Origin": "'*'"},
                templates={"application/json": _ERROR_TEMPLATE % code},
            )
        # API Gateway answers an unknown route with 403 "Missing Authentication Token";
        # clients (and the local gateway) see what it is: a 404.
        self.api.add_gateway_response(
            "RouteNotFound",
            type=apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
            status_code="404",
            response_headers={"Access-Control-Allow-Origin": "'*'"},
            templates={
                "application/json": '{"error": {"code": "route_not_found", '
                '"message": "No such route."}}'
            },
        )

    def _acknowledge_preflight(self) -> None:
        for child in self.api.node.find_all():
            if isinstance(child, apigw.Method) and child.http_method == "OPTIONS":
                for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                    acknowledge(
                        child,
                        rule,
                        "CORS preflight (OPTIONS) requests carry no credentials by the "
                        "browser's design and reach only a mock integration.",
                    )


def _notifications_environment(config: StageConfig) -> dict[str, str]:
    return {
        "PUSH_APPLICATIONS": json.dumps(push_application_arns(config)),
        "SIGNING_SECRET_NAME": signing_secret_name(config.name),
    }


def _strava_environment(config: StageConfig, secrets_key: kms.IKey) -> dict[str, str]:
    return {
        "STRAVA_APP_SECRET_NAME": strava_app_secret_name(config.name),
        "STRAVA_STATE_KEY_NAME": strava_state_key_name(config.name),
        "SECRETS_KEY_ID": secrets_key.key_arn,
        "API_URL_PARAMETER": api_url_parameter(config.name),
        "STRAVA_APP_REDIRECT_URL": config.strava_app_redirect_url,
        # The bus is named after the stage (no export from the integration stack).
        "EVENT_BUS_NAME": config.prefix,
    }


def _health_integration() -> apigw.MockIntegration:
    return apigw.MockIntegration(
        request_templates={"application/json": '{"statusCode": 200}'},
        integration_responses=[
            apigw.IntegrationResponse(
                status_code="200",
                response_templates={"application/json": json.dumps({"status": "ok"})},
            )
        ],
    )
