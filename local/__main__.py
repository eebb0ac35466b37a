"""`make run`: the whole platform on this machine, no AWS account needed."""

import argparse
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict

from local.address_file import remove_addresses, running_platforms, write_addresses
from local.faults import parse_rates
from local.moto_server import port_is_free
from local.platform import LocalPlatform
from local.seed import SEED_USERS, seed
from local.webhook_receiver import WebhookReceiver

BANNER = """
Sydney Cycling Platform - local
  API        {api}      (OpenAPI at {api}/openapi.json)
  AWS (moto) {moto}     region {region}
  User pool  {pool}    client {client}
  Webhooks   {receiver}    (a club endpoint: deliveries at {receiver}/deliveries)
  Strava     {strava}    (a fake Strava: OAuth, activities, push events)
  State is in memory only: it is gone when you stop this process (Ctrl-C).

Sign-in details (seeded):
{users}

Get an ID token:   .venv/bin/python -m local.token {admin}
Try it:
  TOKEN=$(.venv/bin/python -m local.token {admin})
  curl -s -H "Authorization: $TOKEN" {api}/clubs
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="API port (0: any free port)")
    parser.add_argument("--moto-port", type=int, default=0, help="moto port (0: any free port)")
    parser.add_argument("--workers", type=int, default=4, help="handler processes")
    parser.add_argument("--no-seed", action="store_true", help="start empty")
    parser.add_argument(
        "--webhook-port", type=int, default=3001, help="local webhook receiver port (0: any)"
    )
    parser.add_argument("--strava-port", type=int, default=3002, help="fake Strava port (0: any)")
    parser.add_argument(
        "--faults",
        type=parse_rates,
        default={},
        metavar="KIND=RATE,...",
        help="DynamoDB faults to inject: conflict, throttle, error, slow (e.g. conflict=0.05)",
    )
    args = parser.parse_args(argv)
    if args.port and not port_is_free(args.port):
        running = ", ".join(p["api_url"] for p in running_platforms()) or "none recorded"
        print(
            f"Port {args.port} is taken (local platforms running: {running}). "
            "Stop the other one, or start this one with --port N (0: any free port).",
            file=sys.stderr,
        )
        return 2

    platform = LocalPlatform(
        api_port=args.port,
        moto_port=args.moto_port,
        workers=args.workers,
        faults=args.faults,
        strava_port=args.strava_port if port_is_free(args.strava_port) else 0,
    )
    endpoints = platform.start()
    receiver = WebhookReceiver(args.webhook_port if port_is_free(args.webhook_port) else 0)
    receiver.start()
    address_file = None
    try:
        if not args.no_seed:
            seed(platform, endpoints)
        address_file = write_addresses(
            {**asdict(endpoints), "webhook_url": receiver.url, "strava_url": platform.strava.url}
        )
        users = "\n".join(f"  {u.system_role:<9} {u.email} / {u.password}" for u in SEED_USERS)
        print(
            BANNER.format(
                api=endpoints.api_url,
                moto=endpoints.moto_url,
                region=endpoints.region,
                pool=endpoints.resources.user_pool_id,
                client=endpoints.resources.client_id,
                users=users,
                admin=SEED_USERS[0].email,
                receiver=receiver.url,
                strava=platform.strava.url,
            ),
            flush=True,
        )
        wait_for_a_stop_signal()
        print("Stopping...", flush=True)
    finally:
        if address_file is not None:
            remove_addresses(address_file)
        receiver.stop()
        platform.stop()
    return 0


def wait_for_a_stop_signal(ready: Callable[[], None] = lambda: None) -> None:
    """Calls `ready` once the signals are handled and returns on the first Ctrl-C or
    SIGTERM; a second one while stopping interrupts the stop. The handler only records the
    signal: one that set a `threading.Event` deadlocked when a second signal arrived while
    the first handler held the event's lock (Ctrl-C pressed twice, or `timeout`'s SIGTERM
    after a Ctrl-C), and the platform never exited."""
    received: list[int] = []

    def record(signum: int, _frame: object) -> None:
        if received:
            raise KeyboardInterrupt
        received.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, record)
    ready()
    while not received:
        time.sleep(0.2)  # the handler runs within the sleep; the loop re-checks its record


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
