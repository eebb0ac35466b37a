"""The api stack: authorizer on every route but health, WAF, stage settings, least privilege."""

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from shared.names import api_function_name
from stacks.contexts import CONTEXTS
from stacks.routes import ROUTES
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]
ALIASES = {"live", "canary"}


def _paths(synth: Synth, stage: str) -> dict[str, str]:
    """Resource logical id -> full path, rebuilt from the template's resource tree."""
    resources = synth.resources(stage, "Api", "AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            props = resources[logical_id]["Properties"]
            parent = props["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[logical_id] = f"{prefix}/{props['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path_of(logical_id)
    return paths


def _methods(synth: Synth, stage: str) -> dict[tuple[str, str], dict[str, Any]]:
    paths = _paths(synth, stage)
    methods = {}
    for method in synth.resources(stage, "Api", "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        resource = props["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        methods[(props["HttpMethod"], path)] = props
    return methods


def test_the_api_serves_exactly_the_route_table(synth: Synth) -> None:
    methods = {key for key in _methods(synth, "dev") if key[0] != "OPTIONS"}

    assert methods == {(route.method, route.path) for route in ROUTES}


def test_every_route_but_health_requires_the_cognito_authorizer(synth: Synth) -> None:
    authorizers = synth.resources("dev", "Api", "AWS::ApiGateway::Authorizer")
    assert [a["Properties"]["Type"] for a in authorizers.values()] == ["COGNITO_USER_POOLS"]
    (authorizer_id,) = authorizers

    public = {(r.method, r.path) for r in ROUTES if not r.authorized}
    for (verb, path), props in _methods(synth, "dev").items():
        if verb == "OPTIONS" or (verb, path) in public:
            assert props["AuthorizationType"] == "NONE", (verb, path)
        else:
            assert props["AuthorizationType"] == "COGNITO_USER_POOLS", (verb, path)
            assert props["AuthorizerId"] == {"Ref": authorizer_id}


def test_routes_invoke_the_alias_the_stage_names(synth: Synth) -> None:
    """Never $LATEST: the stage variable names `live` (a canary's override, `canary`)."""
    proxied = 0
    for (verb, path), props in _methods(synth, "dev").items():
        integration = props["Integration"]
        if integration["Type"] != "AWS_PROXY":
            continue
        proxied += 1
        uri = json.dumps(integration["Uri"])
        assert ":${stageVariables.lambdaAlias}/invocations" in uri, (verb, path, uri)
    assert proxied == len([r for r in ROUTES if r.service is not None])
    (stage,) = synth.resources("dev", "Api", "AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["Variables"] == {"lambdaAlias": "live"}


def test_each_api_function_has_a_live_and_a_canary_alias_the_api_alone_may_invoke(
    synth: Synth,
) -> None:
    template = synth.template_json("prod", "Api")
    resources = template["Resources"]
    functions = {  # (CDK's own helper functions have generated names)
        name: r["Properties"].get("FunctionName")
        for name, r in resources.items()
        if r["Type"] == "AWS::Lambda::Function"
    }
    for context in CONTEXTS:  # the fixed names ops/api_canary.py looks the aliases up by
        assert api_function_name("prod", context) in functions.values()
    aliases = {
        name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Lambda::Alias"
    }
    by_function: dict[str, set[str]] = {}
    for alias in aliases.values():
        by_function.setdefault(alias["FunctionName"]["Ref"], set()).add(alias["Name"])
    api_functions = {f for f, names in by_function.items() if "canary" in names}
    assert len(api_functions) == len(CONTEXTS)
    assert all(by_function[f] == {"live", "canary"} for f in api_functions)

    permissions = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
    ]
    invoked = sorted(p["FunctionName"]["Ref"] for p in permissions)
    assert invoked == sorted(a for a, props in aliases.items() if props["Name"] in ALIASES)
    for permission in permissions:
        assert permission["Principal"] == "apigateway.amazonaws.com"
        source = json.dumps(permission["SourceArn"])
        assert ":execute-api:" in source and "/v1/*/*" in source, source

    # The stage moves (variables, deployment) only once every `live` alias has shifted.
    (stage,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    live = {name for name, props in aliases.items() if props["Name"] == "live"}
    assert live <= set(stage["DependsOn"])


def test_waf_is_associated_with_the_stage(synth: Synth) -> None:
    template = synth.template("prod", "Api")
    template.has_resource_properties(
        "AWS::WAFv2::WebACL",
        {
            "Scope": "REGIONAL",
            "DefaultAction": {"Allow": {}},
            "Rules": Match.array_with(
                [
                    Match.object_like({"Name": "AWSManagedRulesCommonRuleSet"}),
                    Match.object_like({"Name": "AWSManagedRulesKnownBadInputsRuleSet"}),
                    Match.object_like(
                        {
                            "Name": "RatePerIp",
                            "Action": {"Block": {}},
                            "Statement": {
                                "RateBasedStatement": Match.object_like(
                                    {"Limit": 1000, "AggregateKeyType": "IP"}
                                )
                            },
                        }
                    ),
                ]
            ),
        },
    )
    (association,) = synth.resources("prod", "Api", "AWS::WAFv2::WebACLAssociation").values()
    assert "Fn::Join" in association["Properties"]["ResourceArn"]
    assert "/stages/" in str(association["Properties"]["ResourceArn"])


def test_stage_has_access_logs_tracing_and_throttling(synth: Synth) -> None:
    synth.template("dev", "Api").has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "v1",
            "TracingEnabled": True,
            "AccessLogSetting": Match.object_like(
                {"Format": Match.string_like_regexp("requestId")}
            ),
            "MethodSettings": Match.array_with(
                [
                    Match.object_like(
                        {
                            "ThrottlingRateLimit": 50,
                            "ThrottlingBurstLimit": 100,
                            "LoggingLevel": "ERROR",
                        }
                    )
                ]
            ),
        },
    )


def test_gateway_errors_use_the_json_error_envelope(synth: Synth) -> None:
    responses = synth.resources("dev", "Api", "AWS::ApiGateway::GatewayResponse").values()
    by_type = {r["Properties"]["ResponseType"]: r["Properties"] for r in responses}

    assert (
        '"code": "unauthorized"' in by_type["UNAUTHORIZED"]["ResponseTemplates"]["application/json"]
    )
    assert {"ACCESS_DENIED", "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(by_type)
    missing_route = by_type["MISSING_AUTHENTICATION_TOKEN"]
    assert missing_route["StatusCode"] == "404"
    assert "route_not_found" in missing_route["ResponseTemplates"]["application/json"]


@pytest.mark.parametrize("service", ["Clubs", "Memberships", "Rides", "Users"])
def test_service_function_roles_are_least_privilege(synth: Synth, service: str) -> None:
    policies = synth.resources("dev", "Api", "AWS::IAM::Policy")
    clubs = [p for name, p in policies.items() if name.startswith(f"{service}ServiceRole")]
    assert clubs
    statements = [s for p in clubs for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }

    assert "dynamodb:Scan" not in actions
    assert not any(a.endswith(":*") or a == "*" for a in actions)
    assert {"dynamodb:GetItem", "dynamodb:Query"} <= actions
    for statement in statements:
        if any(a.startswith("dynamodb:") for a in statement["Action"]):
            assert statement["Resource"] != "*"


def test_service_function_shape(synth: Synth) -> None:
    synth.template("dev", "Api").has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "clubs.handler.handler",
            "Runtime": "python3.12",
            "Architectures": ["arm64"],
            "TracingConfig": {"Mode": "Active"},
            "LoggingConfig": Match.object_like({"LogFormat": "JSON"}),
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "STAGE": "dev",
                        "POWERTOOLS_SERVICE_NAME": "clubs",
                        "TABLE_NAME": Match.any_value(),
                    }
                )
            },
        },
    )
    functions = synth.resources("dev", "Api", "AWS::Lambda::Function").values()
    handlers = sorted(f["Properties"]["Handler"] for f in functions)
    assert handlers == [
        "clubs.handler.handler",
        "deployment.smoke.handler",  # the stack's pre-traffic hook
        "media.handler.handler",
        "memberships.handler.handler",
        "notifications.handler.handler",
        "rides.handler.handler",
        "strava.handler.handler",
        "users.handler.handler",
        "webhooks.handler.handler",
    ]
    assert all(len(f["Properties"]["Layers"]) == 2 for f in functions)


@pytest.mark.parametrize(
    ("stage", "config"), [("dev", "AllAtOnce"), ("prod", "Canary10Percent5Minutes")]
)
def test_aliases_deploy_blue_green_with_alarm_rollback(
    synth: Synth, stage: str, config: str
) -> None:
    template = synth.template(stage, "Api")
    template.has_resource_properties("AWS::Lambda::Alias", {"Name": "live"})
    template.has_resource_properties(
        "AWS::CodeDeploy::DeploymentGroup",
        {
            "DeploymentConfigName": f"CodeDeployDefault.Lambda{config}",
            "AlarmConfiguration": Match.object_like({"Enabled": True, "Alarms": Match.any_value()}),
            "AutoRollbackConfiguration": {
                "Enabled": True,
                "Events": Match.array_with(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]),
            },
        },
    )
    template.has_resource(
        "AWS::Lambda::Alias",
        {"UpdatePolicy": {"CodeDeployLambdaAliasUpdate": Match.any_value()}},
    )


def test_every_cached_answer_is_encrypted_at_rest(synth: Synth) -> None:
    """Prod has a cache: the stage-wide setting and every method's say encrypted (Control
    Tower's CT.APIGATEWAY.PR.3 reads both); dev has none."""
    (stage,) = synth.resources("prod", "Api", "AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["CacheClusterEnabled"] is True
    settings = stage["Properties"]["MethodSettings"]
    assert any(s["HttpMethod"] == "*" and s["ResourcePath"] == "/*" for s in settings)
    assert all(s["CacheDataEncrypted"] is True for s in settings)
    (dev,) = synth.resources("dev", "Api", "AWS::ApiGateway::Stage").values()
    assert (
        "CacheClusterEnabled" not in dev["Properties"]
        or not dev["Properties"]["CacheClusterEnabled"]
    )
