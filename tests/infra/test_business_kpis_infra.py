"""The business KPIs on the prod synth: the dashboard draws them, three alarms notify the
operations topic (with their runbook) outside the platform-health composite, and the Counts
consumer emits under the service name the dashboard reads."""

import json
from typing import Any

import pytest

from shared.kpis import EVENT_KPIS, KPI_SERVICE
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

KPI_ALARMS = {
    "sydney-cycling-prod-kpi-sign-ups-stopped",
    "sydney-cycling-prod-kpi-webhook-deliveries-failing",
    "sydney-cycling-prod-kpi-strava-sync-behind",
}


def _kpi_alarms(synth: Synth) -> dict[str, dict[str, Any]]:
    alarms = synth.resources("prod", "Observability", "AWS::CloudWatch::Alarm").values()
    return {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in alarms
        if str(a["Properties"].get("AlarmName", "")).startswith("sydney-cycling-prod-kpi-")
    }


def test_three_kpi_alarms_notify_the_ops_topic_with_their_runbook(synth: Synth) -> None:
    alarms = _kpi_alarms(synth)
    assert set(alarms) == KPI_ALARMS
    (topic,) = synth.resources("prod", "Observability", "AWS::SNS::Topic")
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": topic}]
        assert "Runbook: docs/runbooks/business.md" in alarm["AlarmDescription"]
    sign_ups = alarms["sydney-cycling-prod-kpi-sign-ups-stopped"]
    assert (sign_ups["EvaluationPeriods"], sign_ups["DatapointsToAlarm"]) == (6, 6)
    expression = json.dumps(sign_ups["Metrics"])
    assert "IF(requests >= 100 AND FILL(signups, 0) == 0, 1, 0)" in expression
    assert '"MetricName": "SignUps"' in expression and '"Value": "clubs"' in expression
    # A quiet hour is not a reason to roll a flag back: they stay out of the health alarm.
    health = synth.resources("prod", "Observability", "AWS::CloudWatch::CompositeAlarm")
    assert "-kpi-" not in json.dumps(health)


def test_the_business_dashboard_draws_every_kpi(synth: Synth) -> None:
    (dashboard,) = [
        d["Properties"]
        for d in synth.resources("prod", "Observability", "AWS::CloudWatch::Dashboard").values()
        if d["Properties"].get("DashboardName") == "sydney-cycling-prod-business"
    ]
    body = json.dumps(dashboard["DashboardBody"])
    for kpi in EVENT_KPIS.values():
        assert f'\\"{kpi.metric}\\"' in body, kpi.metric
    for metric in ("AttendanceMarked", "StravaSyncLag", "WebhookDelivered", "NotificationSent"):
        assert metric in body


def test_the_counts_consumer_emits_under_the_service_the_dashboard_reads(synth: Synth) -> None:
    functions = synth.resources("prod", "Integration", "AWS::Lambda::Function").values()
    (counts,) = [
        f["Properties"]
        for f in functions
        if f["Properties"].get("Handler") == "clubs.counts.handler"
    ]
    assert counts["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == KPI_SERVICE
