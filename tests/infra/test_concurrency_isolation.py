"""Concurrency isolation on the synth: sign-in and event delivery keep capacity of their
own, and the public routes have their own throttle (the calendar feed a cache keyed on its
club) below the stage's."""

import json
from typing import Any

import pytest

from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _functions(synth: Synth, stage: str, stack: str, prefix: str) -> list[dict[str, Any]]:
    return [
        f["Properties"]
        for name, f in synth.resources(stage, stack, "AWS::Lambda::Function").items()
        if name.startswith(prefix)
    ]


def test_cognito_triggers_and_the_publisher_have_reserved_concurrency_outside_dev(
    synth: Synth,
) -> None:
    triggers = [
        f
        for f in synth.resources("prod", "Identity", "AWS::Lambda::Function").values()
        if "trigger" in json.dumps(f["Properties"].get("Description", ""))
    ]
    assert len(triggers) == 2  # post-confirmation and pre-token-generation
    assert all(t["Properties"]["ReservedConcurrentExecutions"] == 50 for t in triggers)
    (publisher,) = _functions(synth, "prod", "Integration", "EventPublisher")
    assert publisher["ReservedConcurrentExecutions"] == 10
    # A new dev account may not have the concurrency to set any aside.
    (dev_publisher,) = _functions(synth, "dev", "Integration", "EventPublisher")
    assert "ReservedConcurrentExecutions" not in dev_publisher


def _method_settings(synth: Synth, stage: str) -> dict[str, dict[str, Any]]:
    (api_stage,) = synth.resources(stage, "Api", "AWS::ApiGateway::Stage").values()
    return {s["ResourcePath"]: s for s in api_stage["Properties"]["MethodSettings"]}


def test_the_public_calendar_feed_is_throttled_and_cached_per_club(synth: Synth) -> None:
    settings = _method_settings(synth, "prod")
    feed = settings["/~1clubs~1{club_id}~1rides.ics"]
    assert (feed["ThrottlingRateLimit"], feed["ThrottlingBurstLimit"]) == (20, 40)
    assert feed["CachingEnabled"] is True and feed["CacheTtlInSeconds"] == 300
    assert feed["CacheDataEncrypted"] is True
    gpx = settings["/~1rides~1{ride_id}~1route.gpx"]
    assert (gpx["ThrottlingRateLimit"], gpx["CachingEnabled"]) == (20, False)
    (api_stage,) = synth.resources("prod", "Api", "AWS::ApiGateway::Stage").values()
    assert api_stage["Properties"]["CacheClusterEnabled"] is True
    methods = synth.resources("prod", "Api", "AWS::ApiGateway::Method").values()
    cached = [m for m in methods if m["Properties"]["Integration"].get("CacheKeyParameters")]
    (only,) = cached
    assert only["Properties"]["Integration"]["CacheKeyParameters"] == [
        "method.request.path.club_id"
    ]
    assert only["Properties"]["RequestParameters"] == {"method.request.path.club_id": True}
    # Dev pays for no cache: the feed is throttled only.
    dev_feed = _method_settings(synth, "dev")["/~1clubs~1{club_id}~1rides.ics"]
    assert dev_feed["CachingEnabled"] is False and dev_feed["ThrottlingRateLimit"] == 20
