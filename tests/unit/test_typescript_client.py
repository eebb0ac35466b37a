"""A TypeScript client generated from the committed OpenAPI document with the settings the
README gives client teams (openapi-typescript, `--default-non-nullable false`, called
through openapi-fetch) type-checks a small program under `tsc --strict`, and refuses
misuse: the contract reads well outside Python."""

import subprocess
from pathlib import Path

import pytest

from stacks.paths import REPO_ROOT

pytestmark = [pytest.mark.unit, pytest.mark.xdist_group("infra")]

BIN = REPO_ROOT / "node_modules" / ".bin"
FOLDER = REPO_ROOT / "tests" / "typescript"


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture(scope="module")
def generated() -> Path:
    target = FOLDER / "generated" / "api.d.ts"
    made = _run(
        BIN / "openapi-typescript",
        REPO_ROOT / "docs" / "openapi.json",
        "--default-non-nullable",
        "false",
        "-o",
        target,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return target


def test_a_small_program_calling_the_api_type_checks_under_strict(generated: Path) -> None:
    checked = _run(BIN / "tsc", "-p", FOLDER)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_generated_types_refuse_a_ride_without_title_or_with_an_unknown_pace(
    generated: Path,
) -> None:
    checked = _run(BIN / "tsc", "--strict", "--noEmit", "--skipLibCheck", FOLDER / "misuse.ts")
    assert checked.returncode != 0
    assert "Property 'title' is missing" in checked.stdout, checked.stdout
    assert "Type '\"Z\"' is not assignable" in checked.stdout, checked.stdout
