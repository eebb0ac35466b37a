"""The pipeline's workflow is valid GitHub Actions, checked against the workflow schema by
action-validator (pinned in package.json; actionlint ships no binary this machine can
install, see issue 12's note), and the check does refuse a broken workflow."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.paths import REPO_ROOT

pytestmark = pytest.mark.unit

VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "action-validator"
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_each_workflow_matches_the_github_actions_schema(workflow: Path) -> None:
    answer = validate(workflow)
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_a_misspelt_workflow_is_refused(tmp_path: Path) -> None:
    assert WORKFLOWS, "no workflow to check"
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOWS[0].read_text().replace("runs-on:", "runs_on:", 1))
    answer = validate(broken)
    assert answer.returncode != 0 and "runs_on" in answer.stdout + answer.stderr


def _steps(job: str) -> list[dict[str, Any]]:
    workflow: dict[str, Any] = yaml.safe_load(
        (REPO_ROOT / ".github" / "workflows" / "pipeline.yml").read_text()
    )
    return list(workflow["jobs"][job]["steps"])


def test_the_deploy_jobs_deploy_the_assemblies_the_test_job_made() -> None:
    """Deploys are what was tested: every `cdk deploy` reads `--app cdk.out/<stage>` (the
    test job's artifact), except the API canary's, whose template pins the stage's live
    deployment and versions and is synthesized by `ops/api_canary.py start`."""
    made = " ".join(str(s.get("run", "")) for s in _steps("test"))
    for stage in ("dev", "staging", "prod"):
        assert f"make synth STAGE={stage} OUT=cdk.out/{stage}" in made
    uploaded = [s for s in _steps("test") if "upload-artifact" in str(s.get("uses"))]
    assert [s["with"]["path"] for s in uploaded] == ["cdk.out"]
    deploys = 0
    for job, stage in (("deploy-dev", "dev"), ("release", "${{ matrix.stage }}")):
        steps = _steps(job)
        assert any("download-artifact" in str(s.get("uses")) for s in steps), job
        for step in steps:
            run = " ".join(str(step.get("run", "")).split())
            if "cdk deploy" in run:
                deploys += 1
                assert f"--app cdk.out/{stage}" in run, (job, run)
                assert " -c " not in run, (job, run)  # no new synthesis, no new context
    assert deploys == 3
    canary = " ".join(str(s.get("run", "")) for s in _steps("release"))
    assert "ops.api_canary start" in canary
