"""Every alarm says what to do: each alarm and composite alarm of a stage's synth ends its
description with `Runbook: docs/runbooks/<page>.md`, and the page exists. And the edge,
the stage's mail and its reminders are alarmed, and reach the platform health alarm."""

import json
import re
from typing import Any

import pytest

from stacks.paths import REPO_ROOT
from stacks.runbooks import runbook
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

ALARMS = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
LINK = re.compile(r"Runbook: (docs/runbooks/[\w-]+\.md)$")


def _text(value: Any) -> str:
    """A description as text; a joined one (tokens inside) by its literal parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        return "".join(part for part in value["Fn::Join"][1] if isinstance(part, str))
    return ""


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_alarm_links_a_runbook_that_exists(synth: Synth, stage: str) -> None:
    linked: dict[str, set[str]] = {}
    unlinked = []
    for name, template in synth.all_templates():
        if f"-{stage}-" not in name:
            continue
        for logical, resource in template["Resources"].items():
            if resource["Type"] not in ALARMS:
                continue
            found = LINK.search(_text(resource["Properties"].get("AlarmDescription")))
            if found is None:
                unlinked.append(f"{name}/{logical}")
            else:
                linked.setdefault(found.group(1), set()).add(logical)
    assert unlinked == []
    assert [page for page in linked if not (REPO_ROOT / page).is_file()] == []
    # The families have their own pages; the index is only a fallback.
    assert {
        "docs/runbooks/api.md",
        "docs/runbooks/functions.md",
        "docs/runbooks/dead-letters.md",
        "docs/runbooks/data.md",
        "docs/runbooks/platform-health.md",
        "docs/runbooks/edge.md",
        "docs/runbooks/mail.md",
    } <= set(linked)
    assert sum(len(alarms) for alarms in linked.values()) > 100


def test_a_runbook_that_does_not_exist_fails_the_synth() -> None:
    assert runbook("api") == "docs/runbooks/api.md"
    with pytest.raises(ValueError, match=r"No runbook docs/runbooks/paging\.md"):
        runbook("paging")


def _alarm(synth: Synth, stack: str, name: str) -> dict[str, Any]:
    alarms = synth.resources("prod", stack, "AWS::CloudWatch::Alarm").values()
    (found,) = [a["Properties"] for a in alarms if a["Properties"].get("AlarmName") == name]
    return found


def _watched(alarm: dict[str, Any]) -> set[tuple[str, str]]:
    """(namespace, metric name) of an alarm on one metric or on a sum of several."""
    if "MetricName" in alarm:
        return {(alarm["Namespace"], alarm["MetricName"])}
    return {
        (m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"])
        for m in alarm["Metrics"]
        if "MetricStat" in m
    }


def test_the_edge_mail_and_reminders_are_alarmed_and_reach_the_composite(synth: Synth) -> None:
    prefix = "sydney-cycling-prod"
    waf = _alarm(synth, "Observability", f"{prefix}-waf-blocks")
    assert _watched(waf) == {("AWS/WAFV2", "BlockedRequests")}
    assert {"Name": "WebACL", "Value": f"{prefix}-api"} in waf["Dimensions"]
    bounce = _alarm(synth, "Observability", f"{prefix}-mail-bounce-rate")
    assert (
        _watched(bounce) == {("AWS/SES", "Reputation.BounceRate")} and bounce["Threshold"] == 0.05
    )
    complaints = _alarm(synth, "Observability", f"{prefix}-mail-complaint-rate")
    assert complaints["Threshold"] == 0.001
    assert all(a["AlarmActions"] for a in (waf, bounce, complaints))  # to the ops topic
    ports = _alarm(synth, "Integration", f"{prefix}-nat-port-allocation-errors")
    assert _watched(ports) == {("AWS/NATGateway", "ErrorPortAllocation")}
    gateways = [m for m in ports["Metrics"] if "MetricStat" in m]
    assert len(gateways) == 2  # prod has a NAT gateway per AZ, each watched
    lost = _alarm(synth, "Integration", f"{prefix}-reminders-lost")
    assert _watched(lost) == {
        ("AWS/Scheduler", "InvocationDroppedCount"),
        ("AWS/Scheduler", "InvocationsFailedToBeSentToDeadLetterCount"),
    }
    # In the platform health alarm: the integration stack's by name, the others by id.
    rules = json.dumps(synth.resources("prod", "Observability", "AWS::CloudWatch::CompositeAlarm"))
    for name in ("nat-port-allocation-errors", "nat-dropped-packets", "reminders-lost"):
        assert f"alarm:{prefix}-{name}" in rules
    local = synth.resources("prod", "Observability", "AWS::CloudWatch::Alarm").items()
    for name in ("waf-blocks", "mail-bounce-rate", "mail-complaint-rate"):
        (logical,) = [k for k, a in local if a["Properties"].get("AlarmName") == f"{prefix}-{name}"]
        assert f'"{logical}"' in rules
