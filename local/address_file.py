"""The file where a running local platform leaves its addresses (API, moto, pool, table)
for the other local commands (`local.token`, `local.bootstrap_admin`) to find it."""

import json
from pathlib import Path
from typing import Any

import boto3

from local.provision import LOCAL_CREDENTIALS

ADDRESS_FILE = Path(__file__).resolve().parent.parent / ".local" / "platform.json"


def write_addresses(addresses: dict[str, Any], path: Path = ADDRESS_FILE) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(addresses, indent=2))


def read_addresses(path: Path = ADDRESS_FILE) -> dict[str, Any]:
    if not path.exists():
        raise SystemExit("The local platform is not running: start it with `make run`.")
    addresses: dict[str, Any] = json.loads(path.read_text())
    return addresses


def remove_addresses(path: Path = ADDRESS_FILE) -> None:
    path.unlink(missing_ok=True)


def running_client(service: str, addresses: dict[str, Any]) -> Any:
    """A client of the running platform's moto."""
    session = boto3.Session(region_name=addresses["region"], **LOCAL_CREDENTIALS)
    return session.client(service, endpoint_url=addresses["moto_url"])
