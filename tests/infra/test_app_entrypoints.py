"""The two ways to synthesize, `python app.py` and the pinned CDK CLI (`npx cdk synth`, which
runs app.py), and the stages app.py refuses."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App

import app as entrypoint
from stacks.config import load_stage, require_production_mail
from stacks.constructs import bytecode
from stacks.paths import REPO_ROOT

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

ENV = {
    **os.environ,
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    "CDK_DISABLE_CLI_TELEMETRY": "1",
}
STACKS = ("Identity", "Data", "Integration", "Api", "Observability")


@pytest.mark.skipif(not shutil.which("npx"), reason="Node.js is needed for the CDK CLI")
@pytest.mark.skipif(
    not (REPO_ROOT / "node_modules/.bin/cdk").exists(), reason="run `make node_modules`"
)
def test_cdk_cli_synthesizes_and_builds_the_layers(tmp_path: Path) -> None:
    """The full path a platform engineer takes, bundling included (pip for arm64), through
    `cdk.json`'s `python app.py`. Staging here: the session synth has dev and prod, so each
    stage is synthesized once in the suite."""
    subprocess.run(
        [
            "npx",
            "cdk",
            "synth",
            "--all",
            "-c",
            "stage=staging",
            "-c",
            "alarm_email=ops@example.com",
            "--no-notices",
            "-q",
            "-o",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        env=ENV,
        check=True,
        timeout=600,
        capture_output=True,
    )
    for stack in STACKS:
        assert (tmp_path / f"SydneyCycling-staging-{stack}.template.json").exists()
    assets = json.loads((tmp_path / "SydneyCycling-staging-Api.assets.json").read_text())["files"]
    folders = [
        tmp_path / a["source"]["path"]
        for a in assets.values()
        if a["source"].get("packaging") == "zip"
    ]
    layer = next(f for f in folders if (f / "python" / "pydantic").exists())
    assert (layer / "python" / "aws_lambda_powertools").exists()
    assert not (layer / "python" / "botocore").exists()  # the runtime provides the SDK
    assert any(
        p.name.endswith("aarch64.so") or "aarch64" in p.name
        for p in (layer / "python" / "pydantic_core").iterdir()
    )
    shared = next(f for f in folders if (f / "python" / "shared" / "authz").exists())
    clubs = next(f for f in folders if (f / "clubs" / "handler.py").exists())
    # Lambda refuses a function whose code and layers unzip to more than 250 MB.
    unzipped = sum(
        p.stat().st_size for f in (layer, shared, clubs) for p in f.rglob("*") if p.is_file()
    )
    assert unzipped < 250 * 2**20, f"{unzipped / 2**20:.0f} MB"
    assert sorted(p.name for p in clubs.iterdir()) == ["clubs"]
    # Our own code ships the runtime's bytecode (only where a python3.12 builds it).
    for code in (shared / "python" / "shared", clubs / "clubs"):
        compiled = {p.name for p in code.rglob("*.pyc")}
        assert bool(compiled) == (bytecode.python_312() is not None)
        assert all("cpython-312" in name for name in compiled)
        if compiled:
            assert "handler.cpython-312.pyc" in compiled or "settings.cpython-312.pyc" in compiled


def test_stage_config_rejects_unknown_stages_and_overrides() -> None:
    with pytest.raises(ValueError, match="Unknown stage"):
        load_stage("qa")
    with pytest.raises(ValueError, match="Unknown stage overrides"):
        load_stage("dev", {"retain_data": True})
    assert load_stage("prod", {"alarm_email": "ops@example.com"}).alarm_email == "ops@example.com"
    assert load_stage("prod").retain_data and not load_stage("dev").retain_data


MAIL = {"alarm_email": "ops@example.com"}


@pytest.mark.parametrize(
    ("context", "refusal"),
    [
        ({"stage": "staging"}, "Stage staging needs a recipient for its alarms"),
        ({"stage": "prod", **MAIL}, "Stage prod sends Cognito's mail through SES"),
        (
            {"stage": "prod", **MAIL, "cognito_ses": "true", "account_concurrency": "10"},
            "Stage prod reserves 110 concurrent executions; an account quota of 10",
        ),
    ],
    ids=["alarms-reach-nobody", "prod-mail-without-ses", "quota-too-small"],
)
def test_a_stage_that_would_fail_or_go_unwatched_does_not_synthesize(
    monkeypatch: pytest.MonkeyPatch, context: dict[str, str], refusal: str
) -> None:
    """Refused by app.py's own reading of the `-c` context a deploy passes."""
    monkeypatch.delenv("ALARM_EMAIL", raising=False)
    monkeypatch.delenv("COGNITO_SES", raising=False)

    with pytest.raises((SystemExit, ValueError), match=refusal):
        entrypoint.stage_config(App(context=context))


def test_python_app_exits_with_the_refusal(tmp_path: Path) -> None:
    """`python app.py` itself stops before synthesizing (one refusal is enough to show the
    entry point goes through `stage_config`)."""
    env = {
        **ENV,
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps({"stage": "staging", "aws:cdk:bundling-stacks": []}),
    }
    env.pop("ALARM_EMAIL", None)

    answer = subprocess.run(
        [sys.executable, "app.py"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert answer.returncode != 0
    assert "Stage staging needs a recipient for its alarms" in answer.stderr
    assert not list(tmp_path.glob("*.template.json"))


def test_prod_may_use_cognitos_sender_when_told_so() -> None:
    assert require_production_mail(load_stage("prod", {"cognito_default_sender": "true"}))
    assert require_production_mail(load_stage("prod", {"cognito_ses": "true"}))
    assert require_production_mail(load_stage("staging"))  # staging may
    with pytest.raises(SystemExit, match="cognito_default_sender=true"):
        require_production_mail(load_stage("prod"))
