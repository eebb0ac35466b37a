"""Feature-flag evaluation cost per call, warm (the document cached, as in a warm Lambda),
through the AppConfig store (its client stubbed: one fetch, then Powertools' cache) and the
local file store, as ratios to a baseline in the same run: validating a small request body
with pydantic, which every API request does anyway."""

import io
import time
from collections.abc import Callable
from dataclasses import dataclass

import boto3
from aws_lambda_powertools.utilities.feature_flags import AppConfigStore, FeatureFlags
from botocore.response import StreamingBody
from botocore.stub import Stubber
from pydantic import BaseModel

from shared.flags import DOCUMENT, club_bucket
from shared.flags.stores import FileStore

CALLS = 2000


class _Body(BaseModel):
    content_type: str
    title: str


@dataclass
class Cost:
    name: str
    micros: float
    baseline_micros: float

    @property
    def ratio(self) -> float:
        return self.micros / self.baseline_micros


def _per_call(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(CALLS):
            run()
        best = min(best, (time.perf_counter() - start) / CALLS * 1e6)
    return best


def _appconfig_flags() -> FeatureFlags:
    client = boto3.client("appconfigdata", region_name="ap-southeast-2")
    stub = Stubber(client)
    stub.add_response("start_configuration_session", {"InitialConfigurationToken": "t" * 16})
    data = DOCUMENT.read_bytes()
    stub.add_response(
        "get_latest_configuration",
        {
            "NextPollConfigurationToken": "n" * 16,
            "Configuration": StreamingBody(io.BytesIO(data), len(data)),
            "ContentType": "application/json",
        },
    )
    stub.activate()
    store = AppConfigStore(
        environment="bench", application="bench", name="flags", max_age=3600, boto3_client=client
    )
    return FeatureFlags(store=store)


def measure() -> list[Cost]:
    baseline = _per_call(lambda: _Body.model_validate({"content_type": "a/b", "title": "Cue"}))
    context = {"club_id": "c", "club_bucket": club_bucket("c")}
    costs = []
    for name, flags in (
        ("AppConfig store (cached)", _appconfig_flags()),
        ("file store (local)", FeatureFlags(store=FileStore(DOCUMENT))),
    ):

        def on_off_flag(f: FeatureFlags = flags) -> object:
            return f.evaluate(name="club_webhooks", default=True)

        def rollout_flag(f: FeatureFlags = flags) -> object:
            return f.evaluate(name="reminder_lead_hours", context=context, default=0)

        on_off, rollout = _per_call(on_off_flag), _per_call(rollout_flag)
        costs.append(Cost(f"{name}: on/off flag", on_off, baseline))
        costs.append(Cost(f"{name}: per-club rollout", rollout, baseline))
    return costs


def report(costs: list[Cost]) -> str:
    lines = [f"{'evaluation':<40} {'µs':>7} {'baseline µs':>12} {'ratio':>7}"]
    for cost in costs:
        lines.append(
            f"{cost.name:<40} {cost.micros:>7.1f} {cost.baseline_micros:>12.1f} {cost.ratio:>6.1f}x"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))
