"""The dependencies layer is installed from requirements-lambda.lock with pip's
`--require-hashes`: the lock pins what requirements-lambda.txt names at the same versions,
and every package in it has hashes (pip refuses a lock where one has none)."""

import re

import pytest

from stacks.paths import LAMBDA_LOCK, LAMBDA_REQUIREMENTS

pytestmark = pytest.mark.unit

PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    return {
        _name(found.group(1)): found.group(2)
        for line in text.splitlines()
        if (found := PIN.match(line))
    }


def blocks(text: str) -> dict[str, str]:
    """Each locked package's lines (its pin, hashes and comments)."""
    found = {}
    for part in re.split(r"(?m)^(?=[A-Za-z0-9])", text):
        if pin := PIN.match(part):
            found[_name(pin.group(1))] = part
    return found


def test_the_lock_pins_every_requirement_at_its_version() -> None:
    wanted = pins(LAMBDA_REQUIREMENTS.read_text())
    locked = pins(LAMBDA_LOCK.read_text())
    assert wanted, "no pins read from requirements-lambda.txt"
    assert {name: locked.get(name) for name in wanted} == wanted


def test_every_locked_package_has_hashes() -> None:
    found = blocks(LAMBDA_LOCK.read_text())
    assert len(found) >= len(pins(LAMBDA_REQUIREMENTS.read_text()))
    assert [name for name, block in found.items() if "--hash=sha256:" not in block] == []


def test_the_checks_see_a_drifted_pin() -> None:
    drifted = LAMBDA_LOCK.read_text().replace("pydantic==", "pydantic==0.0.1-", 1)
    assert pins(drifted)["pydantic"] != pins(LAMBDA_REQUIREMENTS.read_text())["pydantic"]
