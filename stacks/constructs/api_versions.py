"""Which version of each API function a request runs (decision 38).

The API's methods invoke `<function>:${stageVariables.lambdaAlias}`: the stage says `live`,
an API canary's settings say `canary`. Each API function has both aliases. Outside a canary
release they point at the same version once CodeDeploy has shifted `live`. During one
(`-c api_canary=... -c live_versions=...`, `ops/api_canary.py start`), `live` keeps the
version it serves now, so nothing shifts, and only `canary` points at the new code. Rolling
the canary back (removing it from the stage) then leaves the previous API and the previous
code serving every request: nothing of the release is left in the stage's path.
"""

from aws_cdk import Aws
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from shared.names import ALIAS_VARIABLE, API_STAGE, CANARY_ALIAS
from stacks.constructs.service_function import ServiceFunction
from stacks.nag import acknowledge_guard


def add_canary_alias(function: ServiceFunction, live_version: str | None) -> lambda_.Alias:
    """The function's `canary` alias on the version this deploy publishes; with
    `live_version`, its `live` alias stays on that version (a CodeDeploy shift happens only
    when the alias's version changes)."""
    canary = lambda_.Alias(
        function, "Canary", alias_name=CANARY_ALIAS, version=function.function.current_version
    )
    if live_version is not None:
        live = function.alias.node.default_child
        assert isinstance(live, lambda_.CfnAlias)
        live.add_property_override("FunctionVersion", live_version)
    return canary


def alias_integration(
    function: ServiceFunction, cache_key_parameters: list[str] | None
) -> apigw.Integration:
    """A Lambda proxy integration on the alias the stage (or its canary) names."""
    return apigw.Integration(
        type=apigw.IntegrationType.AWS_PROXY,
        integration_http_method="POST",
        uri=(
            f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/2015-03-31/functions/"
            f"{function.function.function_arn}:${{stageVariables.{ALIAS_VARIABLE}}}/invocations"
        ),
        options=apigw.IntegrationOptions(cache_key_parameters=cache_key_parameters),
    )


def allow_the_api(api: apigw.RestApi, *aliases: lambda_.Alias) -> None:
    """API Gateway may invoke these aliases from this API's stage only. One permission per
    alias (not one per method, as CDK's `LambdaIntegration` adds): the API invokes a
    function only from its own routes, and 73 per-method permissions took a fifth of the
    stack's 500-resource limit."""
    for alias in aliases:
        alias.add_permission(
            "InvokedByTheApi",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=api.arn_for_execute_api(stage=API_STAGE),
        )
        acknowledge_guard(
            alias,
            "lambda_function_public_access_prohibited_check",
            "The permission names its SourceArn (this API's stage `v1`), which the rule reads "
            "only as a plain string or a local Ref; a joined ARN is not public access.",
        )
