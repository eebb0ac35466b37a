"""One synthesis per test session: dev and prod side by side in one app, cdk-nag on."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from stacks.app_builder import (
    PlatformStacks,
    add_security_checks,
    build_platform,
    cdk_json_context,
)
from stacks.config import load_stage


@dataclass
class Synth:
    outdir: Path
    stacks: dict[str, PlatformStacks]

    def template_json(self, stage: str, stack: str) -> dict[str, Any]:
        name = f"SydneyCycling-{stage}-{stack}"
        document: dict[str, Any] = json.loads((self.outdir / f"{name}.template.json").read_text())
        return document

    def template(self, stage: str, stack: str) -> Template:
        return Template.from_json(self.template_json(stage, stack))

    def resources(self, stage: str, stack: str, kind: str) -> dict[str, dict[str, Any]]:
        found = self.template_json(stage, stack)["Resources"].items()
        return {k: v for k, v in found if v["Type"] == kind}

    def granted(self, stage: str, stack: str, prefix: str) -> list[dict[str, Any]]:
        """The Allow statements of the policies whose logical id starts with `prefix` (a
        function's role): what it is granted. Denies (the item guard) are left out."""
        return [
            statement
            for name, policy in self.resources(stage, stack, "AWS::IAM::Policy").items()
            if name.startswith(prefix)
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            if statement.get("Effect") == "Allow"
        ]

    def all_templates(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for path in sorted(self.outdir.glob("*.template.json")):
            yield path.name.removesuffix(".template.json"), json.loads(path.read_text())


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    outdir = tmp_path_factory.mktemp("cdk.out")
    # Bundling is skipped: the layers' pip install is exercised by the CLI synth test.
    context = {**cdk_json_context(), "aws:cdk:bundling-stacks": []}
    app = App(outdir=str(outdir), context=context)
    stacks = {
        stage: build_platform(app, load_stage(stage, {"alarm_email": "ops@example.com"}))
        for stage in ("dev", "prod")
    }
    add_security_checks(app)
    app.synth()  # raises on any unacknowledged cdk-nag finding
    return Synth(outdir, stacks)
