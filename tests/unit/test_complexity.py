"""Small functions where it matters: what runs in a Lambda stays short enough to read at
once, and a CDK constructor reads as the list of its parts (branching is held by ruff's
mccabe and pylint size rules in `make lint`)."""

import ast
from pathlib import Path

import pytest

from stacks.paths import REPO_ROOT
from tests.source import parse_source

pytestmark = pytest.mark.unit

# Lines a function may span, docstring included.
LIMITS = {"services": 60, "shared": 60, "ops": 60, "stacks": 80}


def too_long(folder: Path, limit: int) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(parse_source(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > limit:
                    where = path.relative_to(folder.parent)
                    found.append(f"{where}:{node.lineno} {node.name} ({lines} lines)")
    return found


@pytest.mark.parametrize("layer", sorted(LIMITS))
def test_functions_stay_short(layer: str) -> None:
    assert too_long(REPO_ROOT / layer, LIMITS[layer]) == []


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    (tmp_path / "long.py").write_text(f"def long() -> None:\n{body}\n")
    assert too_long(tmp_path, 80) == [f"{tmp_path.name}/long.py:1 long (81 lines)"]
