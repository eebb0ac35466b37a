"""The layers only import downwards: shared <- services <- stacks/ops <- local/tools <- tests.

Read from the source with `ast`, so a forbidden import fails here even when no test runs
the line that makes it.
"""

from pathlib import Path

import pytest

from stacks.paths import REPO_ROOT
from tests.source import imported_names, parse_source

pytestmark = pytest.mark.unit

SERVICE_PACKAGES = frozenset(p.name for p in (REPO_ROOT / "services").iterdir() if p.is_dir())
# For each layer, the top-level packages it must never import.
FORBIDDEN: dict[str, frozenset[str]] = {
    "shared": frozenset({"stacks", "local", "tools", "ops", "bench", "tests"}) | SERVICE_PACKAGES,
    "services": frozenset({"stacks", "local", "tools", "ops", "bench", "tests"}),
    "stacks": frozenset({"local", "tools", "ops", "bench", "tests"}) | SERVICE_PACKAGES,
    "ops": frozenset({"local", "tools", "bench", "tests"}) | SERVICE_PACKAGES,
    # The emulator serves the document and the reference page the tools build; the tools'
    # fuzzing campaign runs against the emulator. Neither reaches into tests or bench.
    "local": frozenset({"bench", "tests"}) | SERVICE_PACKAGES,
    "tools": frozenset({"bench", "tests"}) | SERVICE_PACKAGES,
}


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_names(parse_source(path))}


def violations(layer: str) -> list[str]:
    return [
        f"{path.relative_to(REPO_ROOT)} imports {package}"
        for path in sorted((REPO_ROOT / layer).rglob("*.py"))
        for package in sorted(imported_packages(path) & FORBIDDEN[layer])
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer: str) -> None:
    assert violations(layer) == []


@pytest.mark.parametrize("context", sorted(SERVICE_PACKAGES))
def test_a_context_never_reaches_into_another(context: str) -> None:
    others = SERVICE_PACKAGES - {context}
    reached = [
        f"{path.relative_to(REPO_ROOT)} imports {package}"
        for path in sorted((REPO_ROOT / "services" / context).rglob("*.py"))
        for package in sorted(imported_packages(path) & others)
    ]
    assert reached == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "tool.py"
    module.write_text("import json\nfrom local.platform import LocalPlatform\nimport clubs.logic\n")
    assert imported_packages(module) >= {"local", "clubs"}
