"""Where a running local platform tells other commands (like `local.token`) its addresses."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from local.platform import Endpoints

STATE_FILE = Path(__file__).resolve().parent.parent / ".local" / "platform.json"


def write_state(endpoints: Endpoints, path: Path = STATE_FILE) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(asdict(endpoints), indent=2))


def read_state(path: Path = STATE_FILE) -> dict[str, Any]:
    if not path.exists():
        raise SystemExit("The local platform is not running: start it with `make run`.")
    state: dict[str, Any] = json.loads(path.read_text())
    return state


def clear_state() -> None:
    STATE_FILE.unlink(missing_ok=True)
