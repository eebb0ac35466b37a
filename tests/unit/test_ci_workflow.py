"""The pipeline's workflow is valid GitHub Actions, checked against the workflow schema by
action-validator (pinned in package.json; actionlint ships no binary this machine can
install, see issue 12's note), and the check does refuse a broken workflow."""

import subprocess
from pathlib import Path

import pytest

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
