"""Flip feature flags of the running local platform, no restart needed: its functions read
the committed document (`shared/flags/feature-flags.json`) with these overrides on top, on
every evaluation.

    python -m local.flags                          # each flag: document and override
    python -m local.flags set media_uploads false  # a value for everyone (JSON)
    python -m local.flags reset [media_uploads]    # back to the document
"""

import argparse
import json
from pathlib import Path
from typing import Any

from shared.flags import DOCUMENT, Flag

REPO_ROOT = Path(__file__).resolve().parents[1]
# Where `make run` reads a developer's overrides from (ignored by git).
OVERRIDES = REPO_ROOT / ".local" / "feature-flags.json"


def overrides(path: Path = OVERRIDES) -> dict[str, Any]:
    return dict(json.loads(path.read_text())) if path.exists() else {}


def set_flag(name: str, value: Any, path: Path = OVERRIDES) -> None:
    flag = Flag(name)  # a ValueError for a name the code does not know
    current = {**overrides(path), flag.value: value}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n")


def reset(name: str | None = None, path: Path = OVERRIDES) -> None:
    kept = {k: v for k, v in overrides(path).items() if name is not None and k != name}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kept, indent=2) + "\n")


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local.flags", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    setter = commands.add_parser("set", help="override a flag for everyone")
    setter.add_argument("name", choices=[f.value for f in Flag])
    setter.add_argument("value", help="a JSON value: true, false, 12")
    resetter = commands.add_parser("reset", help="drop one override, or all of them")
    resetter.add_argument("name", nargs="?", choices=[f.value for f in Flag])
    args = parser.parse_args()
    if args.command == "set":
        set_flag(args.name, _value(args.value))
    elif args.command == "reset":
        reset(args.name)
    document = json.loads(DOCUMENT.read_text())
    mine = overrides()
    for flag in Flag:
        spec = document[flag.value]
        rules = f" ({len(spec.get('rules') or {})} rule(s))" if spec.get("rules") else ""
        override = f"  override: {json.dumps(mine[flag.value])}" if flag.value in mine else ""
        print(f"{flag.value:26} document: {json.dumps(spec['default'])}{rules}{override}")


if __name__ == "__main__":
    main()
