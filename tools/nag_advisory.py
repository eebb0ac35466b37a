"""cdk-nag's NIST 800-53 R5 and Serverless packs over a stage, as advisory reports: the
synth that `make test` gates runs AwsSolutions (every finding fixed or acknowledged with a
reason); these two packs are read, counted by rule and printed, and fail nothing.

    python -m tools.nag_advisory --stage prod          # counts by pack and rule
    python -m tools.nag_advisory --stage prod --json   # the same, as JSON

Each pack runs in its own app so one pack's findings do not hide the other's. The
AwsSolutions acknowledgements in the stacks name AwsSolutions rules only, so nothing here
is suppressed.
"""

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import NIST80053R5Checks, ServerlessChecks

from stacks.app_builder import build_platform, cdk_json_context
from stacks.config import load_stage

PACKS = {"NIST.800.53.R5": NIST80053R5Checks, "Serverless": ServerlessChecks}


def findings(stage: str, pack: str) -> Counter[str]:
    """The pack's findings over the stage's five stacks, counted by rule."""
    with tempfile.TemporaryDirectory() as outdir:
        context = {**cdk_json_context(), "aws:cdk:bundling-stacks": []}
        app = App(outdir=outdir, context=context)
        build_platform(app, load_stage(stage, {"alarm_email": "ops@example.com"}))
        Validations.of(app).add_plugins(PACKS[pack](app))
        try:
            app.synth()
        except RuntimeError as error:  # the plugin fails the synth on any finding
            if "Validation failed" not in str(error):
                raise
        report = Path(outdir) / "validation-report.json"
        if not report.exists():
            return Counter()
        return _count(json.loads(report.read_text()))


def _count(report: dict[str, Any]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            rule = str(violation.get("ruleName", "")).split("[")[0]
            counted[rule] += max(1, len(violation.get("violatingConstructs", [])))
    return counted


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.nag_advisory", description=__doc__)
    parser.add_argument("--stage", default="prod", choices=["dev", "staging", "prod"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    counts = {pack: findings(args.stage, pack) for pack in PACKS}
    if args.json:
        print(json.dumps({pack: dict(c.most_common()) for pack, c in counts.items()}, indent=2))
        return 0
    for pack, counted in counts.items():
        print(f"{pack}: {sum(counted.values())} findings in {len(counted)} rules")
        for rule, n in counted.most_common():
            print(f"  {n:4}  {rule}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
