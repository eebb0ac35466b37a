"""Where each running local platform leaves its addresses (API, moto, pool, table), one
file per instance, for the other local commands (`local.token`, `local.outbox`,
`local.bootstrap_admin`) to find it.

With one platform running, commands use it; with several, they take `--api URL` (or the
`LOCAL_API` environment variable) to choose. Files of platforms that died without cleaning
up are recognised by their process id and ignored.
"""

import json
import os
from pathlib import Path
from typing import Any

import boto3

from local.provision import LOCAL_CREDENTIALS

PLATFORMS_DIR = Path(__file__).resolve().parent.parent / ".local" / "platforms"
API_VARIABLE = "LOCAL_API"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def write_addresses(addresses: dict[str, Any], folder: Path = PLATFORMS_DIR) -> Path:
    """Record a running platform; returns its file (remove it on shutdown)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = addresses["api_url"].rsplit(":", 1)[-1]
    path = folder / f"{port}.json"
    path.write_text(json.dumps({**addresses, "pid": os.getpid()}, indent=2))
    return path


def remove_addresses(path: Path) -> None:
    path.unlink(missing_ok=True)


def read_addresses(path: Path) -> dict[str, Any]:
    addresses: dict[str, Any] = json.loads(path.read_text())
    return addresses


def running_platforms(folder: Path = PLATFORMS_DIR) -> list[dict[str, Any]]:
    """The platforms whose process is alive, by API port."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        try:
            addresses = read_addresses(path)
        except (OSError, ValueError):
            continue
        if _alive(int(addresses.get("pid", 0))):
            found.append(addresses)
    return found


def find_platform(api: str | None = None, folder: Path = PLATFORMS_DIR) -> dict[str, Any]:
    """The platform at `api` (or $LOCAL_API), else the only one running; exits with a
    message a person can act on otherwise."""
    wanted = (api or os.environ.get(API_VARIABLE) or "").rstrip("/")
    running = running_platforms(folder)
    if wanted:
        for addresses in running:
            if addresses["api_url"].rstrip("/") == wanted:
                return addresses
        raise SystemExit(f"No local platform is running at {wanted}: start one with `make run`.")
    if not running:
        raise SystemExit("The local platform is not running: start it with `make run`.")
    if len(running) > 1:
        urls = ", ".join(a["api_url"] for a in running)
        raise SystemExit(f"Several local platforms are running ({urls}): choose one with --api.")
    return running[0]


def running_client(service: str, addresses: dict[str, Any]) -> Any:
    """A client of the running platform's moto."""
    session = boto3.Session(region_name=addresses["region"], **LOCAL_CREDENTIALS)
    return session.client(service, endpoint_url=addresses["moto_url"])
