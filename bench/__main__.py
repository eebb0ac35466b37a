"""`make bench`: prints round trips per route and cold-start ratios. Figures, not tests."""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "services"))

from bench import (
    cold_start,
    contention,
    discovery,
    event_delay,
    flags,
    lake_writer,
    media,
    media_sizing,
    moto_calls,
    round_trips,
)


def main() -> int:
    print("DynamoDB round trips per request (moto in-process)")
    print(round_trips.report(round_trips.measure_routes()))
    print()
    print("Club discovery: cost per search as the catalogue grows (moto in-process)")
    print(discovery.report(discovery.measure()))
    print()
    print("Ride discovery: cost per search as the catalogue grows (moto in-process)")
    print(discovery.report(discovery.measure_rides(), "rides"))
    print()
    for python in cold_start.interpreters():
        version = subprocess.run([python, "-V"], capture_output=True, text=True).stdout.strip()
        print(f"Cold-start init on {version}: fresh interpreter, import handler + build clients")
        print("(CPU ms, best of 9)")
        print(cold_start.report(cold_start.measure(python=python)))
        print()
    print("Media processing: six logo renditions, a route's summary (best of 5)")
    print(media.report(media.measure()))
    print()
    print("Media processor sizing: the largest image an upload may be, start to finish")
    print(media_sizing.report(media_sizing.measure()))
    print()
    print("Event lake writer: a batch of events to one Parquet object (best of 5)")
    print(lake_writer.report(lake_writer.measure()))
    print()
    print("Feature flags: one evaluation, warm (best of 5 x 2000)")
    print(flags.report(flags.measure()))
    print()
    print("Local event path (make run): the welcome e-mail after a join")
    print(event_delay.report(event_delay.measure()))
    print()
    print("moto (make run and the tests): DynamoDB reads, moto's serializer against the local one")
    print(moto_calls.report(moto_calls.measure()))
    print()
    print("Contention (fault mode): a ride's seats under DynamoDB transaction conflicts")
    print(contention.report(contention.measure()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
