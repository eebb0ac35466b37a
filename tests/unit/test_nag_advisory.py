"""The advisory packs' report is counted by rule, a finding per violating resource (the
synth itself is run by `python -m tools.nag_advisory`, not in the suite: two full synths)."""

import pytest

from tools.nag_advisory import PACKS, _count

pytestmark = pytest.mark.unit


def test_findings_are_counted_by_rule_and_resource() -> None:
    report = {
        "pluginReports": [
            {
                "violations": [
                    {
                        "ruleName": "NIST.800.53.R5-LambdaConcurrency",
                        "violatingConstructs": [
                            {"constructPath": "A"},
                            {"constructPath": "B"},
                        ],
                    },
                    {
                        "ruleName": "NIST.800.53.R5-IAMNoInlinePolicy[Policy::x]",
                        "violatingConstructs": [{"constructPath": "C"}],
                    },
                    {
                        "ruleName": "NIST.800.53.R5-IAMNoInlinePolicy[Policy::y]",
                        "violatingConstructs": [],
                    },
                ]
            }
        ]
    }
    counted = _count(report)
    assert counted == {"NIST.800.53.R5-LambdaConcurrency": 2, "NIST.800.53.R5-IAMNoInlinePolicy": 2}
    assert _count({}) == {}
    assert set(PACKS) == {"NIST.800.53.R5", "Serverless"}
