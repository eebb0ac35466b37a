"""Request models, settings and stage configuration."""

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from clubs.schemas import ClubCreate, ClubUpdate
from shared.api.auth import principal_from_claims
from shared.domain.enums import SystemRole
from shared.domain.errors import Unauthorized
from shared.domain.model import Model
from shared.settings import (
    NotificationSettings,
    Settings,
    StravaSyncSettings,
    WebhookSettings,
    get_settings,
)
from stacks.contexts import CONTEXTS
from stacks.paths import REPO_ROOT
from stacks.routes import ROUTES, service_routes
from tests.source import parse_source

pytestmark = pytest.mark.unit


def test_club_create_normalizes_and_defaults() -> None:
    club = ClubCreate.model_validate(
        {"name": "  Inner West Riders ", "disciplines": ["road"], "website": "https://iwr.example"}
    )
    assert club.name == "Inner West Riders"
    assert club.city == "Sydney"
    assert club.join_policy == "open"
    assert str(club.website) == "https://iwr.example/"


@pytest.mark.parametrize(
    "fields",
    [
        {"disciplines": ["road"]},
        {"name": "OK Club", "disciplines": ["road"], "created_by": "me"},
        {"name": "OK Club", "disciplines": ["road"], "website": "ftp://x.example"},
        {"name": "OK Club", "disciplines": ["road"], "suburb": ""},
    ],
)
def test_club_create_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ClubCreate.model_validate(fields)


def test_club_update_knows_what_was_sent() -> None:
    update = ClubUpdate.model_validate({"version": 3, "suburb": None, "city": "Sydney"})
    assert update.changes() == {"suburb": None, "city": "Sydney"}


def test_club_update_refuses_to_null_required_fields() -> None:
    with pytest.raises(ValidationError, match="cannot be null"):
        ClubUpdate.model_validate({"version": 3, "disciplines": None})


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "t1")
    monkeypatch.setenv("STAGE", "dev")
    assert get_settings() == Settings(stage="dev", table_name="t1")
    # Parsed again when the environment changes (the local platform's workers host
    # several functions, each under its own variables).
    monkeypatch.setenv("TABLE_NAME", "")
    with pytest.raises(ValidationError):
        get_settings()


def test_a_function_gets_the_variables_of_its_settings_and_no_more() -> None:
    values = {
        "strava_app_secret_name": "app",
        "secrets_key_id": "key",
        "strava_sync_queue_url": "https://queue",
        "push_applications": {"fcm": "arn:fcm"},
        "event_bus_name": "bus",
    }
    assert StravaSyncSettings.variables(values) == {
        "STRAVA_APP_SECRET_NAME": "app",
        "SECRETS_KEY_ID": "key",
        "STRAVA_SYNC_QUEUE_URL": "https://queue",
    }
    # What the variables carry is what the function reads back.
    carried = NotificationSettings.variables({**values, "signing_secret_name": "signing"})
    assert carried["PUSH_APPLICATIONS"] == '{"fcm": "arn:fcm"}'
    assert NotificationSettings.model_validate(carried).push_applications == {"fcm": "arn:fcm"}
    assert WebhookSettings.model_validate(
        WebhookSettings.variables({"secrets_key_id": "k", "webhook_allow_local_targets": True})
    ).egress.allow_local
    with pytest.raises(KeyError, match="strava_sync_queue_url"):
        StravaSyncSettings.variables({"strava_app_secret_name": "app", "secrets_key_id": "key"})


@pytest.mark.parametrize(
    ("claims", "role"),
    [
        ({"sub": "u1", "custom:system_role": "SiteAdmin"}, SystemRole.SITE_ADMIN),
        ({"sub": "u1", "system_role": "SiteAdmin"}, SystemRole.SITE_ADMIN),
        ({"sub": "u1"}, SystemRole.USER),
        ({"sub": "u1", "custom:system_role": "Root"}, SystemRole.USER),
    ],
)
def test_principal_from_claims(claims: dict[str, str], role: SystemRole) -> None:
    assert principal_from_claims(claims).system_role is role


@pytest.mark.parametrize("claims", [None, {}, {"sub": ""}, {"sub": 5}])
def test_claims_without_identity_are_unauthorized(claims: Any) -> None:
    with pytest.raises(Unauthorized):
        principal_from_claims(claims)


def test_each_service_resolver_serves_exactly_its_routes() -> None:
    import importlib

    for service, context in CONTEXTS.items():
        app = importlib.import_module(context.handler.rpartition(".")[0]).app
        # Powertools keeps no public route listing; its OpenAPI paths use API Gateway's form.
        served = {
            (route.method, route.openapi_path) for route in app._static_routes + app._dynamic_routes
        }
        assert served == {(r.method, r.path) for r in service_routes(service)}
    assert len({(r.method, r.path) for r in ROUTES}) == len(ROUTES)


def _direct_base_model_subclasses(path: Path) -> list[str]:
    tree = parse_source(path)
    return [
        f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(
            (isinstance(base, ast.Name) and base.id == "BaseModel")
            or (isinstance(base, ast.Attribute) and base.attr == "BaseModel")
            for base in node.bases
        )
    ]


def test_every_model_builds_its_validator_on_first_use() -> None:
    """Models derive from `shared.domain.model.Model` (deferred build: ~10 ms of each cold
    start), never from pydantic's BaseModel directly."""
    found = [
        hit
        for folder in ("shared", "services")
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
        for hit in _direct_base_model_subclasses(path)
    ]
    assert found == ["shared/domain/model.py:6 Model"]
    assert Model.model_config.get("defer_build") is True


def test_a_model_is_built_on_its_first_validation_not_at_import() -> None:
    code = (
        "import clubs.schemas as s; print(s.ClubCreate.__pydantic_complete__);"
        "s.ClubCreate.model_validate({'name': 'Inner West Riders', 'disciplines': ['road']});"
        "print(s.ClubCreate.__pydantic_complete__)"
    )
    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{REPO_ROOT / 'services'}"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "True"]
