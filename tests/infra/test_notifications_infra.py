"""Notifications: the consumer's queue and DLQ, SES feedback, reminder schedules and their
role, the signing key, push platform grants, and the API URL parameter."""

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _statements(synth: Synth, stage: str, stack: str, role_prefix: str) -> list[dict[str, Any]]:
    return synth.granted(stage, stack, role_prefix)


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def test_the_scheduler_role_may_only_send_to_the_notifications_queue_and_its_dead_letters(
    synth: Synth,
) -> None:
    template = synth.template("prod", "Integration")
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": Match.object_like(
                {
                    "Statement": [
                        Match.object_like(
                            {
                                "Principal": {"Service": "scheduler.amazonaws.com"},
                                "Condition": {
                                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
                                },
                            }
                        )
                    ]
                }
            )
        },
    )
    statements = _statements(synth, "prod", "Integration", "NotificationChannelsSchedulerRole")
    for statement in statements:
        assert "sqs:SendMessage" in _actions(statement)
        assert all(action.startswith("sqs:") for action in _actions(statement))
    resources = [
        resource
        for statement in statements
        for resource in (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
    ]
    queues = sorted(resource["Fn::GetAtt"][0] for resource in resources)
    assert len(queues) == 2
    assert queues[0].startswith("NotificationsDeadLetters")
    assert queues[1].startswith("NotificationsQueue")
    template.has_resource_properties(
        "AWS::Scheduler::ScheduleGroup", {"Name": "sydney-cycling-prod-reminders"}
    )


def test_ses_sends_bounces_and_complaints_to_the_notifications_queue(synth: Synth) -> None:
    template = synth.template("prod", "Integration")
    template.has_resource_properties(
        "AWS::SES::ConfigurationSetEventDestination",
        {
            "EventDestination": Match.object_like(
                {
                    "MatchingEventTypes": ["bounce", "complaint"],
                    "EventBridgeDestination": Match.any_value(),
                }
            )
        },
    )
    template.has_resource_properties(
        "AWS::SES::EmailIdentity", {"EmailIdentity": "sydneycycling.example"}
    )
    rules = synth.resources("prod", "Integration", "AWS::Events::Rule").values()
    (feedback,) = [r for r in rules if r["Properties"]["EventPattern"].get("source") == ["aws.ses"]]
    assert "EventBusName" not in feedback["Properties"]  # SES publishes to the default bus
    (target,) = feedback["Properties"]["Targets"]
    assert target["Arn"]["Fn::GetAtt"][0].startswith("NotificationsQueue")


def test_the_notifications_queue_has_a_dead_letter_queue_that_is_alarmed(synth: Synth) -> None:
    queues = synth.resources("prod", "Integration", "AWS::SQS::Queue")
    (queue,) = [q for name, q in queues.items() if name.startswith("NotificationsQueue")]
    assert queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    alarms = synth.resources("prod", "Observability", "AWS::CloudWatch::Alarm").values()
    described = " ".join(json.dumps(a["Properties"]) for a in alarms)
    assert "NotificationsDeadLetters" in described


def test_the_consumer_sends_only_as_the_stage_and_passes_only_the_scheduler_role(
    synth: Synth,
) -> None:
    statements = _statements(synth, "prod", "Integration", "NotificationsConsumerRole")
    by_action = {a: s for s in statements for a in _actions(s)}
    ses = json.dumps(by_action["ses:SendRawEmail"]["Resource"])
    assert "identity/sydneycycling.example" in ses and "configuration-set/" in ses
    assert "sydney-cycling-prod-reminders" in json.dumps(by_action["scheduler:CreateSchedule"])
    passed = by_action["iam:PassRole"]["Resource"]
    assert passed["Fn::GetAtt"][0].startswith("NotificationChannelsSchedulerRole")
    assert "secretsmanager:GetSecretValue" in by_action
    assert "sns:Publish" in by_action and "sns:CreatePlatformEndpoint" not in by_action


def test_secrets_hold_no_value_in_the_template(synth: Synth) -> None:
    secrets = synth.resources("prod", "Integration", "AWS::SecretsManager::Secret").values()
    names = sorted(s["Properties"]["Name"] for s in secrets)
    assert names == [
        "sydney-cycling-prod/notifications-signing",
        "sydney-cycling-prod/push-credentials",
        "sydney-cycling-prod/strava-app",
        "sydney-cycling-prod/strava-state-key",
    ]
    assert all("SecretString" not in s["Properties"] for s in secrets)


def test_the_api_publishes_its_url_and_registers_push_endpoints_only(synth: Synth) -> None:
    template = synth.template("prod", "Api")
    template.has_resource_properties(
        "AWS::SSM::Parameter", {"Name": "/sydney-cycling/prod/api/url", "Type": "String"}
    )
    statements = _statements(synth, "prod", "Api", "NotificationsServiceRole")
    by_action = {a: s for s in statements for a in _actions(s)}
    registered = json.dumps(by_action["sns:CreatePlatformEndpoint"]["Resource"])
    assert "app/APNS/sydney-cycling-prod-apns" in registered
    assert "app/GCM/sydney-cycling-prod-fcm" in registered
    assert "sns:Publish" not in by_action
    dev = json.dumps(_statements(synth, "dev", "Api", "NotificationsServiceRole"))
    assert "APNS_SANDBOX" in dev
