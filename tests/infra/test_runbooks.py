"""Every alarm says what to do: each alarm and composite alarm of a stage's synth ends its
description with `Runbook: docs/runbooks/<page>.md`, and the page exists."""

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
    } <= set(linked)
    assert sum(len(alarms) for alarms in linked.values()) > 100


def test_a_runbook_that_does_not_exist_fails_the_synth() -> None:
    assert runbook("api") == "docs/runbooks/api.md"
    with pytest.raises(ValueError, match=r"No runbook docs/runbooks/paging\.md"):
        runbook("paging")
