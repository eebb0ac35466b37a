"""The README is executable documentation: its quick start names the two commands, and
the shell blocks of its local-use section run, in order, against a fresh local platform
(standing in for `make run`), with every command succeeding."""

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from local.address_file import remove_addresses, write_addresses
from local.platform import LocalPlatform
from local.seed import seed
from stacks.paths import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

README = (REPO_ROOT / "README.md").read_text()
DOCUMENTED_API = "http://127.0.0.1:3000"


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)


def test_the_quick_start_is_exactly_the_two_commands() -> None:
    (block,) = shell_blocks(section("Quick start"))
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]

    assert commands == ["make run", "make test"]
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


@pytest.fixture(scope="module")
def fresh_platform() -> Iterator[str]:
    platform = LocalPlatform(api_port=0, workers=2)
    endpoints = platform.start()
    address_file: Path | None = None
    try:
        seed(platform, endpoints)
        address_file = write_addresses(asdict(endpoints))
        yield endpoints.api_url
    finally:
        if address_file is not None:
            remove_addresses(address_file)
        platform.stop()


def test_the_local_use_examples_run_in_order(fresh_platform: str) -> None:
    blocks = shell_blocks(section("Local use"))
    assert len(blocks) >= 3
    script = "\n".join(blocks).replace(DOCUMENTED_API, fresh_platform)
    environment = {**os.environ, "LOCAL_API": fresh_platform}

    answer = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = answer.stdout
    assert answer.returncode == 0, answer.stderr[-3000:] + output[-3000:]
    assert "Traceback" not in answer.stderr
    assert '"error"' not in output, output
    assert "members: 1" in output
    assert "Welcome to Inner West Riders" in output
    assert '"status":"joined"' in output
    assert "BEGIN:VCALENDAR" in output
    assert '"name":"Eastern Suburbs Wheelers"' in output
    assert "is now a SiteAdmin" in output
