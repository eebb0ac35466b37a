"""Club webhooks: the fan-out and delivery path, the sealing key and who may use it, and
the egress VPC the delivery worker runs in (the other functions stay outside it)."""

import json
from typing import Any

import pytest

from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _role_statements(synth: Synth, stage: str, stack: str, prefix: str) -> list[dict[str, Any]]:
    return synth.granted(stage, stack, prefix)


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        actions = statement["Action"]
        found |= {actions} if isinstance(actions, str) else set(actions)
    return found


def _functions(synth: Synth, stage: str, stack: str) -> dict[str, dict[str, Any]]:
    """Ours (with the two layers), not CDK's custom-resource providers."""
    return {
        name: f
        for name, f in synth.resources(stage, stack, "AWS::Lambda::Function").items()
        if f["Properties"].get("Layers")
    }


def test_the_sealing_key_rotates_and_each_side_gets_one_direction(synth: Synth) -> None:
    synth.template("prod", "Data").has_resource_properties(
        "AWS::KMS::Key", {"EnableKeyRotation": True}
    )
    synth.template("prod", "Data").has_resource(
        "AWS::KMS::Key", {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}
    )
    registering = _actions(_role_statements(synth, "prod", "Api", "WebhooksService"))
    assert {a for a in registering if a.startswith("kms:")} == {"kms:Encrypt"}
    delivering = _actions(_role_statements(synth, "prod", "Integration", "WebhookDeliveryWorker"))
    assert {a for a in delivering if a.startswith("kms:")} == {"kms:Decrypt"}
    for stack in ("Api", "Integration", "Identity"):
        others = [
            s
            for name, policy in synth.resources("prod", stack, "AWS::IAM::Policy").items()
            if not name.startswith(
                ("WebhooksService", "WebhookDeliveryWorker", "StravaService", "StravaSyncConsumer")
            )
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
        ]
        assert not {a for a in _actions(others) if a.startswith("kms:")}, stack


def test_fan_out_feeds_the_delivery_queue_which_the_worker_postpones(synth: Synth) -> None:
    fanout = _actions(_role_statements(synth, "prod", "Integration", "ClubWebhooksConsumer"))
    assert "sqs:SendMessage" in fanout
    assert "dynamodb:Query" in fanout and "dynamodb:PutItem" not in fanout
    worker = _actions(_role_statements(synth, "prod", "Integration", "WebhookDeliveryWorker"))
    assert "sqs:ChangeMessageVisibility" in worker
    assert {a for a in worker if a.startswith("dynamodb:")} == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    functions = _functions(synth, "prod", "Integration")
    (fanout_fn,) = [f for n, f in functions.items() if n.startswith("ClubWebhooksConsumer")]
    variables = fanout_fn["Properties"]["Environment"]["Variables"]
    assert "WebhookDeliveries" in json.dumps(variables["WEBHOOK_DELIVERY_QUEUE_URL"])


def test_only_the_third_party_workers_run_in_the_vpc_and_only_send_https(
    synth: Synth,
) -> None:
    in_vpc = [
        name
        for stack in ("Api", "Identity", "Integration")
        for name, f in _functions(synth, "prod", stack).items()
        if "VpcConfig" in f["Properties"]
    ]
    # Webhook delivery (URLs chosen by users) and Strava sync (riders' tokens); the API's
    # Strava function only talks to strava.com (docs/decisions.md, 8a).
    assert sorted(n.split("Function")[0] for n in in_vpc) == [
        "StravaSyncConsumer",
        "WebhookDeliveryWorker",
    ]
    (group,) = synth.resources("prod", "Integration", "AWS::EC2::SecurityGroup").values()
    assert "SecurityGroupIngress" not in group["Properties"]
    assert group["Properties"]["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS out",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    template = synth.template("prod", "Integration")
    template.resource_count_is("AWS::EC2::NatGateway", 2)
    synth.template("dev", "Integration").resource_count_is("AWS::EC2::NatGateway", 1)
    template.resource_count_is("AWS::EC2::FlowLog", 1)
    template.resource_count_is("AWS::EC2::VPCEndpoint", 2)


def test_gateway_endpoints_reach_only_this_stages_table_and_bucket(synth: Synth) -> None:
    endpoints = synth.resources("prod", "Integration", "AWS::EC2::VPCEndpoint").values()
    policies = {
        json.dumps(e["Properties"]["ServiceName"]): e["Properties"]["PolicyDocument"]
        for e in endpoints
    }
    assert len(policies) == 2
    for service, policy in policies.items():
        (statement,) = policy["Statement"]
        resources = json.dumps(statement["Resource"])
        if "dynamodb" in service:
            assert ":table/sydney-cycling-prod" in resources, resources
            assert "*" not in resources.replace("/index/*", "")
        else:
            assert "sydney-cycling-prod-assets-" in resources
            assert set(statement["Action"]) == {"s3:GetObject", "s3:PutObject"}


def test_no_deployed_function_may_reach_local_addresses(synth: Synth) -> None:
    templates = list(synth.all_templates())
    assert templates
    for name, template in templates:
        assert "WEBHOOK_ALLOW_LOCAL_TARGETS" not in json.dumps(template), name


def test_delivery_alarms_and_dead_letters_are_watched(synth: Synth) -> None:
    template = synth.template("prod", "Integration")
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"FunctionResponseTypes": ["ReportBatchItemFailures"], "BatchSize": 5},
    )
    alarms = json.dumps(synth.resources("prod", "Observability", "AWS::CloudWatch::Alarm"))
    assert "WebhookDeliveryDeadLetters" in alarms


def test_the_egress_vpcs_public_subnets_hand_out_no_public_addresses(synth: Synth) -> None:
    """They hold the NAT gateways only, on their own Elastic IPs (CT.EC2.PR.11)."""
    subnets = synth.resources("prod", "Integration", "AWS::EC2::Subnet").values()
    public = [
        s
        for s in subnets
        if {"Key": "aws-cdk:subnet-type", "Value": "Public"} in s["Properties"]["Tags"]
    ]
    assert len(public) == 2
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in public)
