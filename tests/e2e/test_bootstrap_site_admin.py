"""The first SiteAdmin of a stage, made by the operator command against the local platform."""

import uuid
from dataclasses import asdict
from pathlib import Path

import pytest

from local.address_file import write_addresses
from local.bootstrap_admin import main
from tests.e2e.conftest import Api

pytestmark = pytest.mark.e2e

PASSWORD = "Boot-Local-2026!"


def test_bootstrap_makes_a_site_admin_whose_next_token_has_the_role(
    api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    email = f"ops-{uuid.uuid4().hex[:6]}@boot.local"
    api.platform.create_user(email, PASSWORD)
    state = write_addresses(asdict(api.endpoints), tmp_path)
    before = api.call(
        "POST",
        "/clubs",
        api.token(email, PASSWORD),
        json={"name": f"Boot {email.partition('@')[0]}", "disciplines": ["road"]},
    )

    assert main([email, "--addresses", str(state)]) == 0
    assert "is now a SiteAdmin" in capsys.readouterr().out
    assert main([email, "--addresses", str(state)]) == 0
    assert "already a SiteAdmin" in capsys.readouterr().out

    after = api.call(
        "POST",
        "/clubs",
        api.token(email, PASSWORD),
        json={"name": f"Boot {email.partition('@')[0]}", "disciplines": ["road"]},
    )
    assert before.status_code == 403
    assert after.status_code == 201, after.text
