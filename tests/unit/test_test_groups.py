"""`make test` runs two xdist workers with `--dist loadgroup`: a group (`infra`: one synth;
`e2e`: one local platform) must stay on one worker, or its session fixtures are built
twice. pytest 9.2 with pytest-xdist 3.8 dropped the grouping without a word."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

_GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(6))
def test_records_its_worker(n):
    with open(os.environ["WORKERS_FILE"], "a") as out:
        out.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_a_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(_GROUPED)
    workers = tmp_path / "workers.txt"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "xdist", "-n", "2", "--dist", "loadgroup",
         "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        # Only xdist loaded: the other installed plugins (hypothesis, schemathesis...) cost
        # each of the three interpreters seconds and have no part in grouping.
        cwd=tmp_path, env={"WORKERS_FILE": str(workers), "PATH": "/usr/bin:/bin",
                           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    ran_on = workers.read_text().split()
    assert len(ran_on) == 6
    assert len(set(ran_on)) == 1, f"the group was split across workers: {ran_on}"
