"""Where a running local platform tells other commands (like `local.token`) its addresses."""

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from local.platform import Endpoints

STATE_FILE = Path(__file__).resolve().parent.parent / ".local" / "platform.json"


def write_state(endpoints: Endpoints) -> None:
    STATE_FILE.parent.mkdir(exist_ok=True)
    STATE_FILE.write_text(json.dumps(asdict(endpoints), indent=2))


def read_state() -> dict[str, Any]:
    if not STATE_FILE.exists():
        raise SystemExit("The local platform is not running: start it with `make run`.")
    state: dict[str, Any] = json.loads(STATE_FILE.read_text())
    return state


def clear_state() -> None:
    STATE_FILE.unlink(missing_ok=True)
