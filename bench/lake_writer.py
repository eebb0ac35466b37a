"""The event lake's writer (`services/lake/`): a batch of domain events to one Parquet
object, as rows per second and as a ratio to serializing the same events as JSON lines
(the baseline, in the same run, so machine noise cancels), with the object's size."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lake.parquet import parquet_bytes

from shared.events import DomainEvent
from shared.lake import lake_row


@dataclass
class Throughput:
    events: int
    json_ms: float
    parquet_ms: float
    parquet_bytes: int
    json_bytes: int

    @property
    def ratio(self) -> float:
        return self.parquet_ms / self.json_ms

    @property
    def rows_per_second(self) -> float:
        return self.events / (self.parquet_ms / 1000)


def _events(count: int) -> list[DomainEvent]:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    return [
        DomainEvent(
            event_id=f"{n:08d}:participation_joined",
            event_type="participation_joined",
            context="rides",
            occurred_at=start + timedelta(seconds=n),
            actor=f"user-{n % 500:04d}",
            data={
                "participation_id": f"club-{n % 40}_ride-{n % 300}_user-{n % 500}",
                "ride_id": f"club-{n % 40}_ride-{n % 300}",
                "club_id": f"club-{n % 40}",
                "user_id": f"user-{n % 500:04d}",
                "status": "joined",
                "role": "rider",
            },
        )
        for n in range(count)
    ]


def _best(run: Callable[[], object], times: int = 5) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return min(samples)


def measure(sizes: tuple[int, ...] = (10, 100, 1000)) -> list[Throughput]:
    results = []
    for size in sizes:
        events = _events(size)
        as_json = "\n".join(e.model_dump_json() for e in events).encode()
        written = parquet_bytes([lake_row(e) for e in events])
        results.append(
            Throughput(
                size,
                _best(lambda: "\n".join(e.model_dump_json() for e in events)),  # noqa: B023
                _best(lambda: parquet_bytes([lake_row(e) for e in events])),  # noqa: B023
                len(written),
                len(as_json),
            )
        )
    return results


def report(results: list[Throughput]) -> str:
    lines = [
        f"{'events':>7} {'JSON ms':>8} {'Parquet ms':>11} {'ratio':>6} {'rows/s':>8} "
        f"{'Parquet B':>10} {'JSON B':>9}"
    ]
    for r in results:
        lines.append(
            f"{r.events:>7} {r.json_ms:>8.2f} {r.parquet_ms:>11.2f} {r.ratio:>6.1f} "
            f"{r.rows_per_second:>8.0f} {r.parquet_bytes:>10} {r.json_bytes:>9}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))
