"""What the running local platform has sent: e-mail that SES (moto) accepted and push
messages published to SNS endpoints, newest last.

    python -m local.outbox                 # everything
    python -m local.outbox --to rider@sydneycycling.local --last 3
"""

import argparse
import json
import sys
from dataclasses import dataclass
from email import message_from_string
from email.message import Message
from pathlib import Path
from typing import Any

import requests

from local.address_file import find_platform, read_addresses


@dataclass(frozen=True)
class Sent:
    channel: str  # "email" | "push"
    to: str
    subject: str
    lines: list[str]


def _text_part(parsed: Message) -> str:
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return (
                payload.decode(part.get_content_charset() or "utf-8")
                if isinstance(payload, bytes)
                else ""
            )
    return ""


def mail(data: dict[str, Any]) -> list[Sent]:
    found = []
    for raw in data.get("ses", {}).get("RawMessage", []):
        parsed = message_from_string(raw["raw_data"])
        text = _text_part(parsed)
        lines = [line for line in text.splitlines() if line.strip()]
        found.append(Sent("email", str(parsed["To"]), str(parsed["Subject"]), lines))
    for simple in data.get("ses", {}).get("Message", []):
        found.append(
            Sent(
                "email",
                ", ".join(simple.get("destinations", {}).get("ToAddresses", [])),
                simple.get("subject", ""),
                simple.get("body", "").splitlines(),
            )
        )
    return found


def pushes(data: dict[str, Any]) -> list[Sent]:
    found = []
    for endpoint in data.get("sns", {}).get("PlatformEndpoint", []):
        user = endpoint.get("custom_user_data") or "?"
        for message in (endpoint.get("messages") or {}).values():
            document = json.loads(message)
            platform_payload = json.loads(document.get("GCM") or document.get("APNS") or "{}")
            note = (
                platform_payload.get("notification")
                or (platform_payload.get("aps") or {}).get("alert")
                or {}
            )
            found.append(
                Sent(
                    "push",
                    f"user {user}",
                    str(note.get("title", "")),
                    [str(note.get("body", document.get("default", "")))],
                )
            )
    return found


def sent(moto_url: str) -> list[Sent]:
    data = requests.get(f"{moto_url}/moto-api/data.json", timeout=10).json()
    return mail(data) + pushes(data)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local.outbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--to", help="only messages to this address")
    parser.add_argument("--last", type=int, default=0, help="only the last N messages")
    parser.add_argument("--lines", type=int, default=3, help="body lines to show (default 3)")
    parser.add_argument("--api", help="which running platform (default: the only one)")
    parser.add_argument("--addresses", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    platform = read_addresses(args.addresses) if args.addresses else find_platform(args.api)
    messages = sent(platform["moto_url"])
    if args.to:
        messages = [m for m in messages if args.to.lower() in m.to.lower()]
    if args.last:
        messages = messages[-args.last :]
    if not messages:
        print("Nothing sent yet.")
    for message in messages:
        print(f"[{message.channel}] to {message.to}\n  {message.subject}")
        for line in message.lines[: args.lines]:
            print(f"    {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
