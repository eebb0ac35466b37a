"""The local commands: real argument parsing, and one address file per running platform."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from local.address_file import find_platform, running_platforms, write_addresses
from stacks.paths import REPO_ROOT

pytestmark = pytest.mark.unit


def addresses(port: int) -> dict[str, object]:
    return {"api_url": f"http://127.0.0.1:{port}", "moto_url": "http://127.0.0.1:1", "region": "r"}


def test_token_help_is_help_not_an_email_address() -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "local.token", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert answer.returncode == 0
    assert "usage: python -m local.token" in answer.stdout
    assert "--api" in answer.stdout


def test_two_platforms_each_have_their_file_and_stopping_one_keeps_the_other(
    tmp_path: Path,
) -> None:
    first = write_addresses(addresses(3000), tmp_path)
    write_addresses(addresses(3001), tmp_path)

    assert find_platform("http://127.0.0.1:3001", tmp_path)["api_url"].endswith(":3001")
    with pytest.raises(SystemExit, match="Several local platforms"):
        find_platform(None, tmp_path)
    first.unlink()
    assert find_platform(None, tmp_path)["api_url"].endswith(":3001")


def test_a_platform_that_died_is_not_found(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    path = write_addresses(addresses(3002), tmp_path)
    path.write_text(
        path.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {dead.stdout.strip()}')
    )

    assert running_platforms(tmp_path) == []
    with pytest.raises(SystemExit, match="not running"):
        find_platform(None, tmp_path)


def test_the_environment_chooses_a_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_addresses(addresses(3000), tmp_path)
    write_addresses(addresses(3001), tmp_path)
    monkeypatch.setenv("LOCAL_API", "http://127.0.0.1:3000/")

    assert find_platform(None, tmp_path)["api_url"].endswith(":3000")
    with pytest.raises(SystemExit, match="No local platform is running at"):
        find_platform("http://127.0.0.1:9", tmp_path)


def test_the_documentation_tools_run_as_the_makefile_calls_them(tmp_path: Path) -> None:
    """`make openapi` and `make model-docs`: `python -m tools...` from the repository, with
    no test runner's import path (the tools put `services/` on it themselves)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for tool, target in (("tools.openapi", "openapi.json"), ("tools.model_docs", "model.md")):
        answer = subprocess.run(
            [sys.executable, "-m", tool, str(tmp_path / target)],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert answer.returncode == 0, answer.stderr
    committed = (REPO_ROOT / "docs" / "openapi.json").read_text()
    assert (tmp_path / "openapi.json").read_text() == committed


_STOPPING = """
import time
from local.__main__ import wait_for_a_stop_signal
wait_for_a_stop_signal(lambda: print("ready", flush=True))
print("stopping", flush=True)
time.sleep(60)  # a stop that hangs
"""


def test_the_first_signal_stops_the_platform_and_a_second_interrupts_the_stop() -> None:
    """`make run` waits for Ctrl-C or SIGTERM; once stopping, another signal ends it (a
    handler that set a `threading.Event` could deadlock on that second signal)."""
    process = subprocess.Popen(
        [sys.executable, "-c", _STOPPING],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        process.send_signal(signal.SIGINT)
        assert process.stdout.readline() == "stopping\n"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) != 0
        assert "KeyboardInterrupt" in (process.stderr.read() if process.stderr else "")
    finally:
        process.kill()
