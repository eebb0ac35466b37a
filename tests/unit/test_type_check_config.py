"""mypy reads only the aws_cdk modules the code imports (`pyproject.toml`): a module the
code starts to use must be added there, or mypy would type everything from it as `Any`."""

import tomllib
from pathlib import Path
from typing import Any

import aws_cdk
import pytest

from stacks.paths import REPO_ROOT
from tests.source import imported_names, parse_source

pytestmark = pytest.mark.unit

CDK_ROOT = Path(aws_cdk.__file__).parent


def _is_cdk_module(name: str) -> bool:
    if name == "aws_cdk":
        return True
    return name.startswith("aws_cdk.") and (CDK_ROOT / name.removeprefix("aws_cdk.")).is_dir()


def _mypy_settings() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["mypy"]


def test_mypy_reads_exactly_the_cdk_modules_the_code_imports() -> None:
    settings = _mypy_settings()
    imported: set[str] = set()
    for entry in settings["files"]:
        path = REPO_ROOT / entry
        for source in [path] if path.is_file() else sorted(path.rglob("*.py")):
            if "aws_cdk" in source.read_text():  # parse only what may import it
                imported |= set(filter(_is_cdk_module, imported_names(parse_source(source))))
    overrides = settings["overrides"]
    skipped = [o for o in overrides if o.get("follow_imports") == "skip"]
    read = [o for o in overrides if o.get("follow_imports") == "normal"]

    assert [o["module"] for o in skipped] == ["aws_cdk.*"]
    assert {"aws_cdk", "aws_cdk.aws_lambda", "aws_cdk.assertions"} <= imported
    assert sorted(read[0]["module"]) == sorted(imported)
