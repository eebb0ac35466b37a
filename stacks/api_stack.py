"""API: REST API with the Cognito authorizer, one Lambda per bounded context, and WAF."""

import json
import re

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from shared.names import ALIAS_VARIABLE, API_STAGE, CANARY_ALIAS, LIVE_ALIAS, api_url_parameter
from shared.store.schema import GSI1
from stacks.config import StageConfig
from stacks.constructs.api_versions import add_canary_alias, alias_integration, allow_the_api
from stacks.constructs.feature_flags import FlagsReaders
from stacks.constructs.function_basics import retention
from stacks.constructs.layers import LambdaLayers
from stacks.constructs.notifications import (
    acknowledge_push_endpoints,
    push_application_arns,
    push_endpoint_arns,
)
from stacks.constructs.reach import grant_declared, stage_values
from stacks.constructs.service_function import ServiceFunction
from stacks.constructs.table_reference import active_table
from stacks.constructs.web_acl import ApiWebAcl
from stacks.contexts import CONTEXTS
from stacks.nag import LOGS_KEY_REASON, acknowledge, acknowledge_guard
from stacks.routes import HEALTH, ROUTES, Route


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
            # Whenever the stage has a cache, every method's entries are encrypted (even one
            # that caches nothing: no method may say "unencrypted").
            cache_data_encrypted=config.api_cache_gb is not None,
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
        secrets_key: kms.IKey,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        table = active_table(self, config)
        self.functions = self._functions(config, user_pool, table, secrets_key)

        self.api = self._rest_api(config)
        self._error_responses()
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            cognito_user_pools=[user_pool],
            results_cache_ttl=Duration.minutes(5),
        )
        for route in ROUTES:
            self._route(route, config)
        self._acknowledge_preflight()
        self._versions_served(config)
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

        self._edge(config)

    def _rest_api(self, config: StageConfig) -> apigw.RestApi:
        """The REST API and its stage: tracing, access logs, throttles, cache, CORS."""
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=retention(config.log_retention_days),
            removal_policy=config.removal_policy,
        )
        acknowledge_guard(access_logs, "cloudwatch_log_group_encrypted_check", LOGS_KEY_REASON)
        origins = list(config.cors_allowed_origins) or apigw.Cors.ALL_ORIGINS
        return apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{config.prefix}-api",
            description="Sydney Cycling Platform REST API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            deploy_options=apigw.StageOptions(
                stage_name=API_STAGE,
                variables={ALIAS_VARIABLE: LIVE_ALIAS},
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                throttling_rate_limit=config.api_rate_limit,
                throttling_burst_limit=config.api_burst_limit,
                cache_cluster_enabled=config.api_cache_gb is not None,
                cache_cluster_size=config.api_cache_gb,
                cache_data_encrypted=config.api_cache_gb is not None,
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

    def _route(self, route: Route, config: StageConfig) -> None:
        """A method on the route's resource: the mock health check, or the context's function
        (through the alias the stage names) behind the Cognito authorizer (or, for a public
        route, acknowledged why not)."""
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
            return
        assert route.service is not None
        cached = route.cache_seconds > 0 and config.api_cache_gb is not None
        path_parameters = [f"method.request.path.{p}" for p in _path_parameters(route.path)]
        integration = alias_integration(
            self.functions[route.service],
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
            return
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

    def _edge(self, config: StageConfig) -> None:
        """WAF in front of the stage, and the URL published for clients and other stacks."""
        self.web_acl = ApiWebAcl(
            self,
            "WebAcl",
            name=f"{config.prefix}-api",
            rate_limit=config.waf_rate_limit,
            log_retention_days=config.log_retention_days,
            removal_policy=config.removal_policy,
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

    def _functions(
        self,
        config: StageConfig,
        user_pool: cognito.IUserPool,
        table: dynamodb.ITable,
        secrets_key: kms.IKey,
    ) -> dict[str, ServiceFunction]:
        """One function per declared context (`stacks/contexts.py`), with what it reaches."""
        layers = LambdaLayers(self, "Layers")
        flags = FlagsReaders(self, "FeatureFlags", config=config)
        values = stage_values(
            config,
            table_name=table.table_name,
            user_pool_id=user_pool.user_pool_id,
            secrets_key_id=secrets_key.key_arn,
        )
        functions = {}
        for context in CONTEXTS.values():
            function = ServiceFunction(
                self,
                f"{context.name.title()}Service",
                config=config,
                package=context.name,
                handler=context.handler,
                description=f"{context.name} API ({config.name})",
                layers=layers,
                environment=context.smoke_environment,
            )
            grant_declared(function, context, values, config, table.table_arn)
            _grant_idempotency(function.role, table.table_arn)
            _grant_deleted_accounts(function.role, table.table_arn)
            if context.user_pool_actions:
                function.role.add_to_policy(
                    iam.PolicyStatement(
                        actions=list(context.user_pool_actions),
                        resources=[user_pool.user_pool_arn],
                    )
                )
            if context.push_endpoints:
                _grant_push_endpoints(function.role, config)
            if context.feature_flags:
                flags.grant(function)
            functions[context.name] = function
        return functions

    def _versions_served(self, config: StageConfig) -> None:
        """Each function's `live` alias for the stage and `canary` alias for a canary's
        share (`stacks/constructs/api_versions.py`). The stage changes only after every
        `live` alias has finished its CodeDeploy shift: a promoted canary keeps serving the
        new code through `canary` until `live` holds it too."""
        stage = self.api.deployment_stage
        for name, function in self.functions.items():
            canary = add_canary_alias(function, config.live_versions.get(name))
            allow_the_api(self.api, function.alias, canary)
            stage.node.add_dependency(function.alias)

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
                # The canary's share runs the new code; the stage's stays on `live`.
                "StageVariableOverrides": {ALIAS_VARIABLE: CANARY_ALIAS},
            },
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


def _grant_idempotency(role: iam.IRole, table_arn: str) -> None:
    """Idempotency records (shared/api/idempotency.py), and only those."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=[
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ],
            resources=[table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["IDEMPOTENCY#*"]}},
        )
    )


def _grant_deleted_accounts(role: iam.IRole, table_arn: str) -> None:
    """The list of deleted accounts whose tokens every route refuses
    (shared/api/revoked_accounts.py): a Query of their GSI1 partition."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["dynamodb:Query"], resources=[f"{table_arn}/index/{GSI1.name}"]
        )
    )


def _grant_push_endpoints(role: iam.IRole, config: StageConfig) -> None:
    """Devices' endpoints under the stage's platform applications."""
    arns = push_application_arns(config)
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["sns:CreatePlatformEndpoint"], resources=list(arns.values()))
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["sns:DeleteEndpoint"],
            resources=[push_endpoint_arns(config, platform) for platform in arns],
        )
    )
    acknowledge_push_endpoints(role, config)


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
