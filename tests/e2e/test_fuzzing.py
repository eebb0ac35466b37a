"""Property-based fuzzing of the whole API against its own OpenAPI document (schemathesis:
examples, coverage, fuzzing and stateful phases, following the document's links so the
`{club_id}` routes reach real clubs): no server error, status codes, content types and
bodies as documented, schema-invalid input refused. The budget is bounded here;
`make fuzz` runs a longer, randomly seeded campaign."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.paths import REPO_ROOT
from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e

SCHEMATHESIS = Path(sys.executable).with_name("st")


def test_the_api_survives_fuzzing_and_matches_its_document(api: Api, admin_token: str) -> None:
    answer = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{api.endpoints.api_url}/openapi.json",
            "--header",
            f"Authorization: {admin_token}",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            "8",
            "--seed",
            "20261128",
            "--workers",
            "2",
            "--request-timeout",
            "30",
        ],
        cwd=REPO_ROOT,  # schemathesis.toml: the checks and their documented exceptions
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    report = answer.stdout[-6000:]
    assert answer.returncode == 0, report
    assert " passed" in report and "failures" not in report.lower(), report
