"""Media: CloudFront in front of the bucket's public folder only, the bucket private with
its upload lifecycle and S3 events, and who may write where."""

import json
from typing import Any

import pytest

from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _statements(synth: Synth, stack: str, prefix: str) -> list[dict[str, Any]]:
    return synth.granted("prod", stack, prefix)


def _s3_grants(statements: list[dict[str, Any]]) -> dict[str, set[str]]:
    """S3 action -> the key patterns it is granted on (as text)."""
    grants: dict[str, set[str]] = {}
    for statement in statements:
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            if action.startswith("s3:"):
                resources = statement["Resource"]
                resources = resources if isinstance(resources, list) else [resources]
                grants.setdefault(action, set()).update(
                    json.dumps(r).split("-assets-")[-1] for r in resources
                )
    return grants


def test_cloudfront_serves_the_public_folder_through_origin_access_control(synth: Synth) -> None:
    (distribution,) = synth.resources("prod", "Data", "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginPath"] == "/public"
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert "OriginAccessControlId" in origin
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["ResponseHeadersPolicyId"] and behaviour["CachePolicyId"]
    assert config["Logging"]["Prefix"] == "cdn/"
    synth.template("prod", "Data").has_resource_properties(
        "AWS::SSM::Parameter", {"Name": "/sydney-cycling/prod/media/cdn-domain"}
    )


def test_the_bucket_stays_private_and_uploads_expire(synth: Synth) -> None:
    buckets = synth.resources("prod", "Data", "AWS::S3::Bucket")
    (assets,) = [b for b in buckets.values() if "VersioningConfiguration" in b["Properties"]]
    properties = assets["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (notifications,) = synth.resources("prod", "Data", "Custom::S3BucketNotifications").values()
    assert notifications["Properties"]["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {}
    }
    rules = {r.get("Prefix"): r for r in properties["LifecycleConfiguration"]["Rules"]}
    assert rules["incoming/"]["ExpirationInDays"] == 1
    assert rules["quarantine/"]["ExpirationInDays"] == 1
    assert rules[None]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30


def test_uploads_are_judged_on_s3_events_for_incoming_only(synth: Synth) -> None:
    rules = synth.resources("prod", "Integration", "AWS::Events::Rule").values()
    (created,) = [r for r in rules if r["Properties"]["EventPattern"].get("source") == ["aws.s3"]]
    pattern = created["Properties"]["EventPattern"]
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"prefix": "incoming/"}]
    assert "MediaQueue" in json.dumps(created["Properties"]["Targets"])


def test_only_the_processor_publishes_and_the_api_writes_into_incoming_only(
    synth: Synth,
) -> None:
    api = _s3_grants(_statements(synth, "Api", "MediaService"))
    assert set(api) == {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"}
    assert all("incoming/*" in r for r in api["s3:PutObject"])
    assert all("private/rides/*" in r for r in api["s3:GetObject"])
    # Removing a route, and a replaced logo's sizes.
    deletable = " ".join(api["s3:DeleteObject"])
    assert "private/rides/*" in deletable and "public/clubs/*" in deletable
    assert len(api["s3:DeleteObject"]) == 2
    processor = _s3_grants(_statements(synth, "Integration", "MediaConsumer"))
    written = " ".join(processor["s3:PutObject"])
    for folder in ("quarantine/*", "public/clubs/*", "public/avatars/*", "private/rides/*"):
        assert folder in written
    assert "incoming/" not in written
    assert all("incoming/*" in r for r in processor["s3:GetObject"])
    # No other function writes into the bucket outside its own folder.
    users = _s3_grants(_statements(synth, "Api", "UsersService"))
    assert all("incoming/avatar/*" in r for r in users["s3:PutObject"])
    assert all("public/avatars/*" in r for r in users["s3:DeleteObject"])
    # ...and reads (signs links to) riders' data exports only.
    assert all("private/exports/*" in r for r in users["s3:GetObject"])
    assert set(users) == {"s3:PutObject", "s3:DeleteObject", "s3:GetObject"}
    for stack, role in (("Api", "Clubs"), ("Api", "Rides"), ("Integration", "StravaSync")):
        assert not _s3_grants(_statements(synth, stack, role)), role


def test_the_public_routes_consumer_reaches_route_copies_and_route_files_only(
    synth: Synth,
) -> None:
    statements = _statements(synth, "Integration", "PublicRoutesConsumer")
    grants = _s3_grants(statements)
    assert set(grants) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"}
    assert all("private/rides/*" in r for r in grants["s3:GetObject"])
    for action in ("s3:PutObject", "s3:DeleteObject"):
        assert all("public/routes/*" in r for r in grants[action]), action
    (listing,) = [s for s in statements if s["Action"] == "s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["public/routes/*"]}}


def test_every_function_that_works_in_the_bucket_is_told_its_name(synth: Synth) -> None:
    functions = synth.resources("prod", "Integration", "AWS::Lambda::Function")
    for prefix in ("MediaConsumer", "PublicRoutesConsumer"):
        (function,) = [f for name, f in functions.items() if name.startswith(prefix)]
        variables = function["Properties"]["Environment"]["Variables"]
        assert "sydney-cycling-prod-assets-" in json.dumps(variables["ASSETS_BUCKET_NAME"])
