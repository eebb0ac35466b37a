"""Alarms beside what they watch: every queue's oldest message, every rule's failed
deliveries (each SQS target keeps what it cannot deliver), all of them in the composite
platform-health alarm by name, with no export between the stacks."""

import json

import pytest

from stacks.consumers import integration_alarm_names
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

PREFIX = "sydney-cycling-prod"


def test_every_named_integration_alarm_exists_and_the_composite_watches_each(
    synth: Synth,
) -> None:
    alarms = synth.resources("prod", "Integration", "AWS::CloudWatch::Alarm").values()
    by_name = {a["Properties"].get("AlarmName"): a["Properties"] for a in alarms}
    expected = integration_alarm_names(PREFIX)
    assert set(expected) <= set(by_name)
    assert len(expected) >= 15
    composites = synth.resources("prod", "Observability", "AWS::CloudWatch::CompositeAlarm")
    rule = json.dumps([c["Properties"]["AlarmRule"] for c in composites.values()])
    for name in expected:
        assert f":alarm:{name}" in rule, name
    # By name, not through exports of the integration stack.
    assert "Fn::ImportValue" not in rule


def test_queue_age_thresholds_allow_for_postponed_messages(synth: Synth) -> None:
    alarms = synth.resources("prod", "Integration", "AWS::CloudWatch::Alarm").values()
    thresholds = {
        a["Properties"]["AlarmName"]: a["Properties"]["Threshold"]
        for a in alarms
        if a["Properties"].get("MetricName") == "ApproximateAgeOfOldestMessage"
    }
    assert thresholds[f"{PREFIX}-Notifications-oldest-message"] == 15 * 60
    # Strava's daily limit and webhook backoff keep messages waiting on purpose.
    assert thresholds[f"{PREFIX}-StravaSync-oldest-message"] == 24 * 3600
    assert thresholds[f"{PREFIX}-WebhookDelivery-oldest-message"] == 24 * 3600


def test_every_rule_into_a_queue_retries_then_keeps_what_it_could_not_deliver(
    synth: Synth,
) -> None:
    rules = synth.resources("prod", "Integration", "AWS::Events::Rule").values()
    sqs_targets = [
        target
        for rule in rules
        for target in rule["Properties"].get("Targets", [])
        if "Queue" in json.dumps(target["Arn"])
    ]
    assert len(sqs_targets) >= 8
    for target in sqs_targets:
        assert "DeadLetters" in json.dumps(target["DeadLetterConfig"]["Arn"])
        assert target["RetryPolicy"] == {
            "MaximumEventAgeInSeconds": 86400,
            "MaximumRetryAttempts": 185,
        }
