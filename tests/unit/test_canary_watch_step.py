"""The pipeline's canary watch, run as GitHub runs it (bash) with stand-ins for the two
ops commands: a failed smoke run fails the release, `status`'s verdict ends the watch,
"too few requests" keeps it going, and a canary still undecided after 20 rounds fails."""

import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.paths import REPO_ROOT

pytestmark = pytest.mark.unit

# The stand-in for .venv/bin/python: logs which command ran and exits with the next
# scripted code for that command (the last one repeats).
_PYTHON = """#!/bin/bash
command="$2"
echo "$command" >> calls.log
codes=($(cat "$command.codes"))
used=$(grep -c "^$command\\$" calls.log)
index=$(( used <= ${#codes[@]} ? used - 1 : ${#codes[@]} - 1 ))
exit "${codes[$index]}"
"""


def _watch_script() -> str:
    workflow: dict[str, Any] = yaml.safe_load(
        (REPO_ROOT / ".github" / "workflows" / "pipeline.yml").read_text()
    )
    (step,) = [s for s in workflow["jobs"]["release"]["steps"] if s.get("id") == "canary"]
    return str(step["run"]).replace("${{ matrix.stage }}", "prod")


def run_watch(tmp_path: Path, smoke: list[int], verdicts: list[int]) -> tuple[int, list[str]]:
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(_PYTHON)
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "ops.smoke.codes").write_text(" ".join(map(str, smoke)))
    (tmp_path / "ops.api_canary.codes").write_text(" ".join(map(str, verdicts)))
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "sleep").write_text("#!/bin/sh\n")  # no real waiting
    (tmp_path / "bin" / "sleep").chmod(0o755)
    done = subprocess.run(
        ["bash", "-e", "-c", _watch_script()],
        cwd=tmp_path, env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done.returncode, (tmp_path / "calls.log").read_text().split()


def test_a_healthy_verdict_after_too_few_requests_promotes(tmp_path: Path) -> None:
    code, calls = run_watch(tmp_path, smoke=[0], verdicts=[3, 3, 0])
    assert code == 0
    assert calls == ["ops.smoke", "ops.api_canary"] * 3


def test_a_worse_canary_ends_the_watch_at_once(tmp_path: Path) -> None:
    code, calls = run_watch(tmp_path, smoke=[0], verdicts=[2])
    assert code == 2 and calls == ["ops.smoke", "ops.api_canary"]


def test_a_failed_smoke_run_fails_the_release(tmp_path: Path) -> None:
    code, calls = run_watch(tmp_path, smoke=[0, 1], verdicts=[3])
    assert code == 1
    assert calls == ["ops.smoke", "ops.api_canary", "ops.smoke"]  # no verdict asked after


def test_a_canary_never_judged_fails_after_twenty_rounds(tmp_path: Path) -> None:
    code, calls = run_watch(tmp_path, smoke=[0], verdicts=[3])
    assert code != 0
    assert calls.count("ops.smoke") == 20 and calls.count("ops.api_canary") == 20
