"""A typed client generated from the committed OpenAPI document (openapi-python-client)
compiles and calls the local platform: the contract is complete enough to build on."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.paths import REPO_ROOT
from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def test_a_generated_client_lists_clubs_and_reads_one(
    api: Api, admin_token: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(REPO_ROOT / "docs" / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "cycling_client"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module("cycling_client")
    listing = importlib.import_module("cycling_client.api.clubs.list_clubs")
    reading = importlib.import_module("cycling_client.api.clubs.get_club")
    client = package.AuthenticatedClient(
        base_url=api.endpoints.api_url, token=admin_token, prefix=""
    )

    page = listing.sync(client=client)
    club = reading.sync(club_id=page.items[0].club_id, client=client)

    assert page.items and club.name == page.items[0].name
    assert type(page).__name__ == "ClubPage" and type(club).__name__ == "Club"
