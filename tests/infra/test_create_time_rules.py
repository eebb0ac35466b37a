"""AWS's create-time rules, encoded so a synth that CloudFormation would refuse fails here
first (nothing in this project can deploy). Among them Lambda's: a function in a VPC needs
an execution role that may manage its network interfaces (CreateNetworkInterface,
DescribeNetworkInterfaces, DeleteNetworkInterface), or CreateFunction fails with
InvalidParameterValueException; and a reservation of concurrency must leave 100 of the
account's quota unreserved."""

from collections.abc import Iterator
from typing import Any

import pytest

from stacks.config import UNRESERVED_MINIMUM, load_stage
from stacks.contexts import TRIGGERS
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

VPC_POLICY = "AWSLambdaVPCAccessExecutionRole"
ENI_ACTIONS = {
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
}


def _stage_resources(
    synth: Synth, stage: str
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(template, logical id, resource, all the template's resources) of one stage."""
    for name, template in synth.all_templates():
        if f"-{stage}-" in name:
            resources = template["Resources"]
            for logical, resource in resources.items():
                yield name, logical, resource, resources


def _managed(role: dict[str, Any]) -> str:
    return str(role["Properties"].get("ManagedPolicyArns", []))


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_function_in_a_vpc_has_a_role_that_may_manage_its_network_interfaces(
    synth: Synth, stage: str
) -> None:
    in_vpc = []
    for name, logical, resource, resources in _stage_resources(synth, stage):
        properties = resource.get("Properties", {})
        if resource["Type"] != "AWS::Lambda::Function" or "VpcConfig" not in properties:
            continue
        role_id = properties["Role"]["Fn::GetAtt"][0]
        granted = {
            action
            for policy in resources.values()
            if policy["Type"] == "AWS::IAM::Policy"
            and {"Ref": role_id} in policy["Properties"].get("Roles", [])
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            if statement["Effect"] == "Allow"
            for action in (
                [statement["Action"]]
                if isinstance(statement["Action"], str)
                else statement["Action"]
            )
        }
        assert VPC_POLICY in _managed(resources[role_id]) or granted >= ENI_ACTIONS, (
            f"{name}/{logical}: Lambda would refuse to create it"
        )
        in_vpc.append(logical)
    # The Strava sync consumer and the webhook delivery worker run in the egress VPC.
    assert len(in_vpc) >= 2, in_vpc


def _function_of_alias(resources: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    """The function an event source mapping invokes, through its `live` alias."""
    text = str(mapping["Properties"]["FunctionName"])
    alias_id = next(
        k for k, v in resources.items() if v["Type"] == "AWS::Lambda::Alias" and k in text
    )
    function_id = resources[alias_id]["Properties"]["FunctionName"]["Ref"]
    function: dict[str, Any] = resources[function_id]
    return function


def _queue_sources(
    synth: Synth, stage: str
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any], str]]:
    """Each event source mapping of a stage that reads an SQS queue, with the queue's id."""
    for name, logical, mapping, resources in _stage_resources(synth, stage):
        if mapping["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        source = mapping["Properties"]["EventSourceArn"]
        queue_id = source.get("Fn::GetAtt", [""])[0] if isinstance(source, dict) else ""
        if resources.get(queue_id, {}).get("Type") == "AWS::SQS::Queue":
            yield name, logical, mapping, resources, queue_id


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_queue_hides_a_message_longer_than_its_consumer_runs(
    synth: Synth, stage: str
) -> None:
    """Lambda refuses an SQS event source whose queue's visibility timeout is shorter than
    the function's timeout; AWS recommends six times it plus the batching window (a retried
    batch must not be seen again while the first attempt may still run)."""
    checked = []
    for name, logical, mapping, resources, queue_id in _queue_sources(synth, stage):
        visibility = int(resources[queue_id]["Properties"].get("VisibilityTimeout", 30))
        timeout = int(_function_of_alias(resources, mapping)["Properties"].get("Timeout", 3))
        window = int(mapping["Properties"].get("MaximumBatchingWindowInSeconds", 0))
        assert visibility >= 6 * timeout + window, f"{name}/{logical}: {visibility} s"
        checked.append(logical)
    assert len(checked) >= 8, checked


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_queue_source_batches_within_lambdas_bounds(synth: Synth, stage: str) -> None:
    """Lambda takes an SQS source's BatchSize from 1 to 10,000 and its batching window up
    to 300 s, and refuses a batch of more than 10 without a window of at least 1 s."""
    sizes = {}
    for _, logical, mapping, _, _ in _queue_sources(synth, stage):
        size = int(mapping["Properties"].get("BatchSize", 10))
        window = int(mapping["Properties"].get("MaximumBatchingWindowInSeconds", 0))
        assert 1 <= size <= 10_000 and 0 <= window <= 300, logical
        assert size <= 10 or window >= 1, f"{logical}: {size} records, no window"
        sizes[logical] = size
    assert max(sizes.values()) > 10  # the lake's writer gathers large batches


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_queue_source_caps_its_concurrency_within_sqs_bounds(
    synth: Synth, stage: str
) -> None:
    """Lambda takes an SQS source's MaximumConcurrency between 2 and 1000 (and refuses
    the mapping otherwise); every queue here sets one, so a burst of events waits on its
    queue instead of taking the account's concurrency from the API."""
    caps = {}
    for _, logical, mapping, _, _ in _queue_sources(synth, stage):
        caps[logical] = mapping["Properties"].get("ScalingConfig", {}).get("MaximumConcurrency")
    assert len(caps) >= 8, caps
    assert [k for k, cap in caps.items() if not (isinstance(cap, int) and 2 <= cap <= 1000)] == []
    # The third parties' own limits: Strava two at a time.
    assert [cap for k, cap in caps.items() if k.startswith("StravaSync")] == [2]
    # The media processor: four of the largest images fit its timeout (bench/media_sizing.py).
    batches = {
        logical: mapping["Properties"].get("BatchSize")
        for _, logical, mapping, _, _ in _queue_sources(synth, stage)
    }
    assert [size for k, size in batches.items() if k.startswith("MediaConsumer")] == [4]


def test_the_observability_stack_is_deployed_after_every_stack_it_watches(synth: Synth) -> None:
    """Its composite alarms name the integration stack's alarms (CloudFormation refuses a
    composite alarm whose rule names an alarm that does not exist) and its flags deployment
    reads the data stack's parameters; it refers to them by fixed names, not references,
    so the order must be declared."""
    import json

    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    for stage in ("dev", "prod"):
        name = f"SydneyCycling-{stage}"
        depends = set(manifest["artifacts"][f"{name}-Observability"].get("dependencies", []))
        for stack in ("Data", "Identity", "Integration", "Api"):
            assert f"{name}-{stack}" in depends, (stage, stack)


def test_a_failed_first_create_leaves_nothing_behind_that_a_retry_would_meet(
    synth: Synth,
) -> None:
    """Data kept on delete keeps `RetainExceptOnCreate`, never plain `Retain`: when a
    stack's first create rolls back, CloudFormation deletes what it made, so the next
    attempt does not fail on fixed names that "already exist"."""
    kept: list[str] = []
    for name, template in synth.all_templates():
        for logical, resource in template["Resources"].items():
            policy = resource.get("DeletionPolicy")
            # CDK keeps each AppConfig version (a rollback redeploys an older one); versions
            # have no name of their own, so a retried create cannot collide with one.
            if resource["Type"] == "AWS::AppConfig::HostedConfigurationVersion":
                continue
            assert policy != "Retain", f"{name}/{logical} ({resource['Type']})"
            if policy == "RetainExceptOnCreate":
                kept.append(f"{name}/{logical}")
    assert any("prod-Data" in k for k in kept) and not any("-dev-" in k for k in kept)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_stage_reserves_no_more_concurrency_than_its_account_can_spare(
    synth: Synth, stage: str
) -> None:
    """Lambda refuses a reservation that leaves under 100 of the account's quota
    unreserved; the templates' reservations, summed, fit the quota the stage declares."""
    reserved = sum(
        int(resource["Properties"].get("ReservedConcurrentExecutions", 0))
        for _, _, resource, _ in _stage_resources(synth, stage)
        if resource["Type"] == "AWS::Lambda::Function"
    )
    config = load_stage(stage)
    assert reserved == len(TRIGGERS) * (config.trigger_concurrency or 0) + (
        config.publisher_concurrency or 0
    )
    assert reserved == 0 or reserved <= config.account_concurrency - UNRESERVED_MINIMUM


def test_a_stage_that_would_leave_under_100_unreserved_does_not_synthesize() -> None:
    # prod reserves 2 x 50 + 10 = 110: a quota of 200 leaves 90.
    with pytest.raises(ValueError, match="reserves 110 concurrent executions"):
        load_stage("prod", {"account_concurrency": "200"})
    assert load_stage("prod", {"account_concurrency": "210"}).account_concurrency == 210
    assert load_stage("dev", {"account_concurrency": "10"}).trigger_concurrency is None


# Web ACL capacity units of what the ACL uses (AWS's managed rule group list; a rate-based
# rule costs 2). Over 1,500 an ACL costs more, and WAF refuses over 5,000.
WCU = {
    "AWSManagedRulesAmazonIpReputationList": 25,
    "AWSManagedRulesCommonRuleSet": 700,
    "AWSManagedRulesKnownBadInputsRuleSet": 200,
}


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_web_acl_logs_where_waf_can_write_and_never_a_token(synth: Synth, stage: str) -> None:
    """WAF logs only to a log group named `aws-waf-logs-…`, given by an ARN without the
    `:*` CDK puts on log group ARNs (WAF refuses it); the Authorization header is redacted
    (a bearer token is a credential and personal data). The ACL stays within the 1,500
    capacity units of its base price."""
    (acl,) = synth.resources(stage, "Api", "AWS::WAFv2::WebACL").values()
    rules = acl["Properties"]["Rules"]
    assert next(r["Name"] for r in rules) == "AWSManagedRulesAmazonIpReputationList"
    rate_rules = sum(2 for r in rules if "RateBasedStatement" in r["Statement"])
    assert sum(WCU.get(r["Name"], 0) for r in rules) + rate_rules <= 1500
    (logging,) = synth.resources(stage, "Api", "AWS::WAFv2::LoggingConfiguration").values()
    (destination,) = logging["Properties"]["LogDestinationConfigs"]
    parts = destination["Fn::Join"][1]
    (group_id,) = [
        logical
        for logical, group in synth.resources(stage, "Api", "AWS::Logs::LogGroup").items()
        if str(group["Properties"].get("LogGroupName", "")).startswith("aws-waf-logs-")
    ]
    assert parts[-1] == {"Ref": group_id}  # the group's name, and nothing after it
    assert ":log-group:" in parts
    redacted = [f["SingleHeader"]["Name"] for f in logging["Properties"]["RedactedFields"]]
    assert "authorization" in redacted
