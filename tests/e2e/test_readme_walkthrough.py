"""The README is executable documentation: its quick start names the two commands, and
the shell blocks of its local-use section run, in order, against a fresh local platform
(standing in for `make run`), with every command succeeding."""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from local.address_file import running_platforms
from stacks.paths import REPO_ROOT

pytestmark = pytest.mark.e2e

README = (REPO_ROOT / "README.md").read_text()
DOCUMENTED_API = "http://127.0.0.1:3000"
DOCUMENTED_HOOKS = "http://127.0.0.1:3001"
DOCUMENTED_STRAVA = "http://127.0.0.1:3002"


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
def fresh_platform() -> Iterator[tuple[str, str, str]]:
    """`make run`'s own command in its own process (moto's state is per process, so it
    cannot share this one with the session's platform), on ports it chose itself and
    recorded: the API's, the local webhook receiver's and the fake Strava's. (Ports picked
    here and handed over were sometimes taken by another connection before the platform
    bound them: "Address already in use".)"""
    command = ["-m", "local", "--port", "0", "--webhook-port", "0", "--strava-port", "0"]
    process = subprocess.Popen(
        [sys.executable, *command, "--workers", "2"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (mine := [p for p in running_platforms() if p["pid"] == process.pid]):
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the local platform did not start"
            time.sleep(0.2)
        yield mine[0]["api_url"], mine[0]["webhook_url"], mine[0]["strava_url"]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_local_use_examples_run_in_order(fresh_platform: tuple[str, str, str]) -> None:
    api, hooks, strava = fresh_platform
    blocks = shell_blocks(section("Local use"))
    assert len(blocks) >= 5
    script = "\n".join(blocks)
    for documented, actual in ((DOCUMENTED_API, api), (DOCUMENTED_HOOKS, hooks)):
        script = script.replace(documented, actual)
    script = script.replace(DOCUMENTED_STRAVA, strava)
    environment = {**os.environ, "LOCAL_API": api}

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
    assert "members: 2" in output  # the club's first admin (its creator) and the rider
    assert "Welcome to Inner West Riders" in output
    assert '"status":"joined"' in output
    assert "BEGIN:VCALENDAR" in output
    assert '"name":"Eastern Suburbs Wheelers"' in output
    # A weekly series across April's change: 6 am Sydney is 19:00Z, then 20:00Z.
    april = output[output.index("FREQ=WEEKLY;BYDAY=SA;COUNT=3 ") :].splitlines()[0]
    assert [t[11:16] for t in re.findall(r"'(\d{4}-\d\d-\d\dT[\d:]+Z)'", april)] == [
        "19:00",
        "19:00",
        "20:00",
    ]
    assert "regular: on 4 rides" in output and "my Saturday Bunch rides: 4" in output
    # The rider's account deleted: Wes gets the seat, the club has one member fewer, and
    # the audit log shows a former member leaving.
    assert "export: data.json 1 membership," in output
    assert "wes: waitlisted" in output
    assert "seats after: ['Ada Admin', 'Wes Waiting'] waiting: 0" in output
    assert "left: ['Former member']" in output
    # The audit log shows the rider joining the club.
    assert "audit: [" in output and "('user_joined_club', " in output
    assert "is now a SiteAdmin" in output
    # The webhook walk-through: a failed attempt, then the signed delivery, both logged.
    assert '"answered": 500' in output and '"answered": 204' in output
    assert '"signature_valid": true' in output and '"signature_valid": false' not in output
    assert '"status":"delivered","attempts":2' in output
    # The Strava walk-through: linked, then the recorded ride marks attendance.
    assert "strava=connected" in output and '"connected":true' in output
    assert "attendance: attended 96.4 km" in output
    # The club's statistics: the ride and the rider's Strava-marked attendance.
    assert re.search(r"stats: \d+ joined, [1-9]\d* rides, 1 attended, 96.4 km on Strava", output)
    # The event lake, through DuckDB: the same attendance, and the named queries listed.
    assert "lake: 1 attended" in output and "club_activity_by_month: " in output
    assert "active_riders" in output
    # The media walk-through: a logo in its sizes, a route that sets the ride's distance.
    assert output.count("upload: 204") == 3
    assert '"urls":{"64.webp"' in output
    assert "route: 3.79 km, 44.0 m climbing" in output and "ride: 3.79 km" in output
    # The public ride's GPX: redirected to its copy (standing in for CloudFront), served.
    assert "public GPX link: 200 after 1 redirect" in output
    assert "attached: Cue sheet application/pdf 837 bytes" in output
