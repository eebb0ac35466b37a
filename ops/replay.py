"""Domain events replayed from the bus's archive, to the rules that want them: after a
consumer's bug is fixed, the events it mishandled in a time window are delivered again.

    python -m ops.replay --stage prod --from 2026-12-01T06:00 --to 2026-12-01T09:30
    python -m ops.replay --stage prod --from ... --to ... --rule Counts --go

Without `--go` it prints the archive, the window (UTC) and the rules the replay would
reach; with it, it starts an EventBridge replay and waits for it to finish. `--rule`
keeps the rules whose name contains it (a consumer's name: `Counts`, `Seats`...); without
it every rule on the bus gets the window again. Consumers record the events they applied,
so an event they had already applied changes nothing the second time
(docs/runbooks/dead-letters.md); the Counts consumer's records last 14 days, so a window
reaching further back is refused when the replay would reach its rule (the counters,
club statistics and KPIs would count those events again; `ops/club_stats.py` puts a
club's statistics right from the table instead).
"""

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from shared.names import resource_prefix
from shared.store.keys import APPLIED_EVENT_KEPT_SECONDS

_FINISHED = {"COMPLETED", "FAILED", "CANCELLED"}
# EventBridge's rule feeding an archive (managed by the service, named after the archive).
_ARCHIVE_RULE_PREFIX = "Events-Archive-"
# The Counts consumer's rule names contain its name (`stacks/consumers.py`).
COUNTS_RULE = "Counts"


def when(text: str) -> datetime:
    """An ISO time; without a zone it is UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def archive_arn(events: Any, bus_name: str) -> str:
    bus_arn = events.describe_event_bus(Name=bus_name)["Arn"]
    archives = events.list_archives(EventSourceArn=bus_arn)["Archives"]
    if len(archives) != 1:
        raise SystemExit(f"expected one archive of the bus {bus_name}, found {len(archives)}")
    return str(events.describe_archive(ArchiveName=archives[0]["ArchiveName"])["ArchiveArn"])


def rules(events: Any, bus_name: str, containing: str | None) -> dict[str, str]:
    """The bus's rules (name: ARN) whose name contains `containing` (all if None). The
    archive's own rule is never one: replaying to it would archive the events twice."""
    found: dict[str, str] = {}
    for page in events.get_paginator("list_rules").paginate(EventBusName=bus_name):
        for rule in page["Rules"]:
            if rule.get("ManagedBy") or rule["Name"].startswith(_ARCHIVE_RULE_PREFIX):
                continue
            if containing is None or containing in rule["Name"]:
                found[rule["Name"]] = rule["Arn"]
    if not found:
        raise SystemExit(f"no rule on {bus_name} has {containing!r} in its name")
    return found


def refuse_past_markers(start_at: datetime, rule_names: list[str], now: datetime) -> None:
    """A replay into the Counts rule of events whose applied markers have expired would
    apply them twice."""
    oldest = now - timedelta(seconds=APPLIED_EVENT_KEPT_SECONDS)
    if start_at < oldest and any(COUNTS_RULE in name for name in rule_names):
        raise SystemExit(
            f"--from is before {oldest:%Y-%m-%d %H:%M} UTC: the Counts consumer no longer "
            "knows it applied those events and would count them again. Leave its rule out "
            "(--rule for the one you need), or start later."
        )


def start(
    events: Any, stage: str, start_at: datetime, end_at: datetime, rule_arns: list[str]
) -> str:
    if not start_at < end_at:
        raise SystemExit("--from must be before --to")
    bus_name = resource_prefix(stage)
    name = f"{bus_name}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    bus_arn = events.describe_event_bus(Name=bus_name)["Arn"]
    events.start_replay(
        ReplayName=name,
        Description=f"{start_at.isoformat()} to {end_at.isoformat()}",
        EventSourceArn=archive_arn(events, bus_name),
        EventStartTime=start_at,
        EventEndTime=end_at,
        Destination={"Arn": bus_arn, "FilterArns": rule_arns},
    )
    return name


def wait(events: Any, name: str, poll_seconds: float = 10.0, timeout_seconds: float = 3600) -> str:
    """The replay's final state (it fails the command when it did not complete)."""
    deadline = time.monotonic() + timeout_seconds
    while (state := events.describe_replay(ReplayName=name)["State"]) not in _FINISHED:
        if time.monotonic() > deadline:
            raise SystemExit(f"replay {name} still {state} after {timeout_seconds:.0f} s")
        time.sleep(poll_seconds)
    return str(state)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.replay", description=__doc__)
    parser.add_argument("--stage", required=True, choices=["dev", "staging", "prod"])
    parser.add_argument("--from", dest="start", required=True, type=when, help="ISO time, UTC")
    parser.add_argument("--to", dest="end", required=True, type=when, help="ISO time, UTC")
    parser.add_argument("--rule", help="only the rules whose name contains this")
    parser.add_argument("--go", action="store_true", help="start it (without: a dry run)")
    parser.add_argument("--region", default="ap-southeast-2")
    args = parser.parse_args()
    events = boto3.client("events", region_name=args.region)
    bus_name = resource_prefix(args.stage)
    chosen = rules(events, bus_name, args.rule)
    refuse_past_markers(args.start, list(chosen), datetime.now(UTC))
    print(f"archive: {archive_arn(events, bus_name)}")
    print(f"window:  {args.start.isoformat()} to {args.end.isoformat()}")
    print("rules:   " + ", ".join(sorted(chosen)))
    if not args.go:
        print("dry run: nothing replayed (--go to start)")
        return 0
    name = start(events, args.stage, args.start, args.end, list(chosen.values()))
    state = wait(events, name)
    print(f"replay {name}: {state}")
    return 0 if state == "COMPLETED" else 1


if __name__ == "__main__":
    sys.exit(main())
