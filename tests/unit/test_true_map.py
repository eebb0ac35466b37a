"""The map is true: the generated model page matches the code, and every file a docstring,
comment or document names exists in the repository (a clone has nothing else to read)."""

import re
from pathlib import Path

import pytest

from stacks.paths import REPO_ROOT
from tools.model_docs import render

pytestmark = pytest.mark.unit

# A path with a folder, in backticks or a Markdown link: `shared/store/keys.py::club_key`.
CITED = re.compile(r"[`(]((?:\.\./|[\w.-]+/)+[\w.-]+\.(?:py|md|json|toml|yml|ts))(?:::\w+)?[`)]")
# A document named without a folder (`domain.md`): it must be one of the repository's.
DOCUMENT = re.compile(r"`([\w.-]+\.md)`")
SOURCES = ("shared", "services", "stacks", "local", "tools", "ops", "bench", "tests", "docs")
# Paths that name something outside the repository by design.
OUTSIDE = ("node_modules/", ".venv", "cdk.out/", "build/", "/tmp/", ".local/")


def test_the_model_page_matches_the_code() -> None:
    assert (REPO_ROOT / "docs" / "model.md").read_text() == render(), "run `make model-docs`"


def cited_paths(text: str) -> list[str]:
    paths = [path for path in CITED.findall(text) if not path.startswith(OUTSIDE)]
    return paths + [f"docs/{name}" for name in DOCUMENT.findall(text) if name != "README.md"]


def _exists(path: str, beside: Path) -> bool:
    return any((base / path).exists() for base in (REPO_ROOT, beside, REPO_ROOT / "docs"))


def missing_citations() -> list[str]:
    files = [REPO_ROOT / "README.md"] + [
        path
        for folder in SOURCES
        for path in sorted((REPO_ROOT / folder).rglob("*"))
        if path.suffix in (".py", ".md") and "__pycache__" not in path.parts
    ]
    return [
        f"{file.relative_to(REPO_ROOT)} cites {path}"
        for file in files
        for path in cited_paths(file.read_text())
        if not _exists(path, file.parent)
    ]


def test_every_cited_file_exists() -> None:
    assert missing_citations() == []


def test_the_check_sees_a_citation_of_nothing() -> None:
    nowhere = "shared/" + "nowhere.py"  # written apart, so this file cites nothing
    text = f"see `{nowhere}::thing`, [d](docs/domain.md) and `{'design' + '-v9.md'}`"
    assert cited_paths(text) == [nowhere, "docs/domain.md", "docs/design-v9.md"]
    assert not _exists(nowhere, REPO_ROOT)
    assert not _exists("docs/design-v9.md", REPO_ROOT)
